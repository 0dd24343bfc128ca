"""CSV layouts, code tables and the 縮退 table as data (``catalog/layouts/``), checked on
load with errors that name the layout, the column and the problem."""

from __future__ import annotations

from typing import Any

from domain.binding import KNOWN_FORMATS, check_source
from domain.catalog import CsvColumn, CsvLayout, Degradation

ENCODINGS = ("utf-8", "cp932")
LINE_ENDINGS = {"crlf": "\r\n", "lf": "\n"}
DATE_FORMATS = ("yyyymmdd", "yyyy-mm-dd", "wareki", "gengo7")
_LAYOUT_KEYS = {
    "code", "version", "title", "encoding", "header", "line_ending", "date_format", "degrade",
    "columns", "records",
}  # fmt: skip
RECORDS = ("procedure", "mover", "person")
_COLUMN_KEYS = {"name", "source", "format", "codes", "max_length"}


class LayoutError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_code_tables(raw: Any) -> dict[str, dict[str, str]]:
    """``{"tables": {"zokugara": {"世帯主": "01", …}, …}}`` — value → the core system's code."""
    tables = raw.get("tables") if isinstance(raw, dict) else None
    if not isinstance(tables, dict):
        raise LayoutError(["code tables: 'tables' must be an object of tables"])
    problems = []
    out: dict[str, dict[str, str]] = {}
    for name, table in tables.items():
        if not isinstance(table, dict) or not table:
            problems.append(f"code table {name}: must map values to codes")
            continue
        bad = [k for k, v in table.items() if not isinstance(v, str) or not v]
        if bad:
            problems.append(f"code table {name}: no code for {', '.join(bad)}")
        out[str(name)] = {str(k): str(v) for k, v in table.items()}
    if problems:
        raise LayoutError(problems)
    return out


def parse_degradation(raw: Any) -> Degradation:
    """``{"version": "1", "chars": {"𠮷": "吉", …}, "strip_ivs": false}``."""
    if not isinstance(raw, dict) or not isinstance(raw.get("chars", {}), dict):
        raise LayoutError(["degradation table: 'chars' must map a character to its stand-in"])
    problems = [
        f"degradation table: {k!r} → {v!r}: one character to one or more characters"
        for k, v in raw.get("chars", {}).items()
        if not isinstance(k, str) or len(k) != 1 or not isinstance(v, str) or not v
    ]
    if problems:
        raise LayoutError(problems)
    return Degradation(
        version=str(raw.get("version", "")),
        chars=dict(raw.get("chars", {})),
        strip_ivs=bool(raw.get("strip_ivs", False)),
    )


def _column(where: str, raw: Any, tables: dict[str, dict[str, str]]) -> tuple[CsvColumn, list[str]]:
    if not isinstance(raw, dict) or not raw.get("name") or not raw.get("source"):
        return CsvColumn("?", "?"), [f"{where}: needs a name and a source"]
    where = f"{where} ({raw['name']})"
    problems = [f"{where}: unknown item {k!r}" for k in raw if k not in _COLUMN_KEYS]
    column = CsvColumn(
        name=str(raw["name"]),
        source=str(raw["source"]),
        format=str(raw.get("format", "text")),
        codes=str(raw.get("codes", "")),
        max_length=raw.get("max_length", 0),
    )
    if why := check_source(column.source):
        problems.append(f"{where}: {why}")
    if column.format != "date" and column.format not in KNOWN_FORMATS:
        problems.append(f"{where}: unknown format {column.format!r}")
    if column.codes and column.codes not in tables:
        problems.append(f"{where}: unknown code table {column.codes!r}")
    if not isinstance(column.max_length, int) or column.max_length < 0:
        problems.append(f"{where}: max_length must be a whole number ≥ 0")
    return column, problems


def parse_layout(
    raw: Any, tables: dict[str, dict[str, str]], degradation: Degradation | None = None
) -> CsvLayout:
    if not isinstance(raw, dict):
        raise LayoutError(["layout: must be a JSON object"])
    code = str(raw.get("code") or "?")
    where = f"layout {code}"
    problems = [f"{where}: unknown item {k!r}" for k in raw if k not in _LAYOUT_KEYS]
    if code == "?":
        problems.append(f"{where}: code is required")
    if not str(raw.get("version", "")).strip():
        problems.append(f"{where}: version is required")
    encoding = raw.get("encoding", "utf-8")
    if encoding not in ENCODINGS:
        problems.append(f"{where}: encoding must be one of {', '.join(ENCODINGS)}")
    line_ending = raw.get("line_ending", "crlf")
    if line_ending not in LINE_ENDINGS:
        problems.append(f"{where}: line_ending must be crlf or lf")
    date_format = raw.get("date_format", "yyyymmdd")
    if date_format not in DATE_FORMATS:
        problems.append(f"{where}: date_format must be one of {', '.join(DATE_FORMATS)}")
    records = raw.get("records", "procedure")
    if records not in RECORDS:
        problems.append(f"{where}: records must be procedure, mover or person")
    if raw.get("degrade") and encoding != "cp932":
        problems.append(f"{where}: degrade applies to cp932 layouts only")
    columns: list[CsvColumn] = []
    raw_columns = raw.get("columns")
    if not isinstance(raw_columns, list) or not raw_columns:
        problems.append(f"{where}: columns must be a non-empty list")
        raw_columns = []
    for i, c in enumerate(raw_columns, 1):
        column, more = _column(f"{where}, column {i}", c, tables)
        columns.append(column)
        problems += more
    names = [c.name for c in columns]
    problems += [
        f"{where}: column {n} appears twice" for n in sorted(set(names)) if names.count(n) > 1
    ]
    if problems:
        raise LayoutError(problems)
    used = {c.codes for c in columns if c.codes}
    return CsvLayout(
        code=code,
        version=str(raw["version"]),
        title=str(raw.get("title", "")),
        columns=columns,
        encoding=str(encoding),
        header=bool(raw.get("header", True)),
        line_ending=str(line_ending),
        date_format=str(date_format),
        degrade=bool(raw.get("degrade", False)),
        records=str(records),
        code_tables={name: tables[name] for name in sorted(used)},
        degradation=degradation if raw.get("degrade") and degradation else Degradation(),
    )
