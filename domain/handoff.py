"""申請受付データ: the CSV rows the core system's RPA types in, and the checks that keep a
record out of a batch when the core system could not take it as it is.

A record is held — never silently changed — when a value is not in its code table, is
longer than the column allows, or has a character the layout's encoding cannot hold (MJ
variants, IVS, PUA in CP932). The 縮退 table may replace characters first; what it changed
is kept with the record.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field

from domain.binding import BindingContext, BindingError, format_value, resolve
from domain.catalog import CsvLayout
from domain.names import strip_variation_selectors
from domain.wareki import WarekiError, iso_to_gengo7, iso_to_wareki

_VS = set(range(0xFE00, 0xFE10)) | set(range(0xE0100, 0xE01F0))
_DATE_FORMATS = {
    "yyyymmdd": lambda v: v.replace("-", ""),
    "yyyy-mm-dd": lambda v: v,
    "wareki": iso_to_wareki,
    "gengo7": iso_to_gengo7,
}


def record_id(visit_id: str, procedure_code: str, atena_no: str = "") -> str:
    """Stable per visit and procedure (and person, for a layout written per 異動者), so a
    retried handoff writes the same record."""
    return f"{visit_id}-{procedure_code}" + (f"-{atena_no}" if atena_no else "")


@dataclass
class PreparedRow:
    """One record's values as they will be written, and why it cannot be (if it cannot)."""

    values: list[str]
    problems: list[str] = field(default_factory=list)
    degraded: list[str] = field(default_factory=list)  # "column: 𠮷→吉"

    @property
    def held(self) -> bool:
        return bool(self.problems)


def _kind(ch: str) -> str:
    cp = ord(ch)
    if cp in _VS:
        return "IVS"
    if 0xE000 <= cp <= 0xF8FF or cp >= 0xF0000:
        return "PUA"
    return "外字"


def _fits(ch: str, encoding: str) -> bool:
    # CP932's codec maps U+E000–U+E757 to its 外字 area (F040–F9FC): it "encodes", but the
    # core system would print whatever its own 外字 table holds there. MJ+ PUA never fits.
    if _kind(ch) == "PUA":
        return False
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X}({_kind(ch)})"


def _formatted(layout: CsvLayout, fmt: str, value: str) -> str:
    if fmt == "date":
        return _DATE_FORMATS[layout.date_format](value) if value else ""
    return format_value(value, fmt)


def build_row(layout: CsvLayout, ctx: BindingContext) -> PreparedRow:
    """Bind and format each column, translate through code tables, check lengths."""
    values: list[str] = []
    problems: list[str] = []
    for c in layout.columns:
        try:
            value = _formatted(layout, c.format, resolve(c.source, ctx))
        except (BindingError, WarekiError, ValueError) as e:
            problems.append(f"{c.name}: {e}")
            value = ""
        if c.codes and value:
            code = layout.code_tables.get(c.codes, {}).get(value)
            if code is None:
                problems.append(f"{c.name}: コード表 {c.codes} に無い値です / not in code table")
            value = code or value
        if c.max_length and len(value) > c.max_length:
            problems.append(f"{c.name}: {c.max_length}文字を超えています / longer than allowed")
        values.append(value)
    return encode_check(layout, PreparedRow(values, problems))


def encode_check(layout: CsvLayout, row: PreparedRow) -> PreparedRow:
    """Apply the 縮退 table (when the layout asks for it) and name every character the
    layout's encoding cannot hold, by column and code point."""
    if layout.encoding == "utf-8":
        return row
    values, problems, degraded = [], list(row.problems), list(row.degraded)
    table = layout.degradation if layout.degrade else None
    for column, value in zip(layout.columns, row.values, strict=True):
        if table is not None:
            stripped = strip_variation_selectors(value) if table.strip_ivs else value
            swaps = sorted({f"{a}→{table.chars[a]}" for a in stripped if a in table.chars})
            if stripped != value:
                swaps.append("IVS除去")
            if swaps:
                degraded.append(f"{column.name}: {', '.join(swaps)}")
            value = "".join(table.chars.get(ch, ch) for ch in stripped)
        bad = [_describe(ch) for ch in value if not _fits(ch, layout.encoding)]
        if bad:
            problems.append(
                f"{column.name}: {layout.encoding.upper()}で表せない文字 {' '.join(bad)}"
                " / characters the encoding cannot hold"
            )
        values.append(value)
    return PreparedRow(values, problems, degraded)


def render_csv(layout: CsvLayout, rows: list[list[str]]) -> bytes:
    """RFC 4180 in the layout's encoding and line ending, with the header if it has one.
    Rows are checked before they reach a batch, so encoding cannot fail here."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n" if layout.line_ending == "crlf" else "\n")
    if layout.header:
        writer.writerow([c.name for c in layout.columns])
    writer.writerows(rows)
    # No normalisation: NFC would turn some MJ compatibility ideographs into other glyphs.
    return buf.getvalue().encode(layout.encoding)


def manifest(
    batch_id: str, layout: CsvLayout, record_ids: list[str], data: bytes, created_at: str
) -> dict[str, object]:
    """What the robot checks before typing: count, checksum, layout version."""
    return {
        "batch_id": batch_id,
        "layout": layout.code,
        "layout_version": layout.version,
        "encoding": layout.encoding,
        "record_count": len(record_ids),
        "record_ids": record_ids,
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "created_at": created_at,
    }
