"""A form (申請書・届出書) as data: its fields, where each value comes from, and its A4 layout.

City staff write these as JSON (``catalog/forms/*.json``, schema in
``catalog/forms/form.schema.json``) and upload new versions through the admin screen, so
a new form or a change of law is a data change. ``parse_form`` is the one gate every
definition passes — shipped file or upload — and its errors name the form, the place and
the problem.

Layout is a list of blocks stacked down an A4 page, like the ruled boxes of the paper
original: a ``row`` of cells (labels, values, check boxes) with widths in millimetres, a
``table`` of household members or guidance items, static ``text``, the ``signature`` box
and a ``qr`` code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from domain.binding import KNOWN_FORMATS, TABLE_SOURCES, check_item, check_source

CONTENT_WIDTH_MM = 180.0  # A4 (210 mm) less 15 mm margins
CONTENT_HEIGHT_MM = 252.0  # A4 (297 mm) less the title band and margins
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_VERSION = re.compile(r"^[0-9A-Za-z.\-]{1,20}$")
KINDS = ("application", "certificate", "guidance")


class FormDefinitionError(ValueError):
    """All the problems of one definition, each naming the form and the place."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class FieldDef:
    key: str
    label: str
    source: str  # domain.binding source path, e.g. resident.name, visit.today
    format: str = "text"


@dataclass(frozen=True)
class Cell:
    w: float  # millimetres; 0 takes what is left of the row
    label: str = ""  # a printed caption (shaded box)
    field: str = ""  # the key of a FieldDef whose value is printed
    options: tuple[str, ...] = ()  # check boxes: ■ where the value names the option
    size: float = 0.0  # font size in points; 0 = fit the box


@dataclass(frozen=True)
class Column:
    label: str
    item: str  # member.name, item.place …
    w: float
    format: str = "text"


@dataclass(frozen=True)
class Block:
    kind: str  # row | table | text | signature | qr | gap
    h: float = 10.0  # millimetres (for a table: the height of one line)
    cells: tuple[Cell, ...] = ()
    source: str = ""  # table: household | guidance; qr: a binding source
    columns: tuple[Column, ...] = ()
    rows: int = 0  # a table prints at least this many lines, like the paper form
    text: str = ""
    size: float = 9.0
    label: str = ""


@dataclass(frozen=True)
class FormDefinition:
    code: str
    version: str
    title: str
    kind: str  # application | certificate | guidance
    procedures: tuple[str, ...]  # printed for these procedures
    fields: tuple[FieldDef, ...]
    blocks: tuple[Block, ...]
    subtitle: str = ""
    addressee: str = ""  # 宛先, e.g. 高松市長　あて
    needs_signature: bool = True
    description: str = ""

    def field(self, key: str) -> FieldDef:
        return next(f for f in self.fields if f.key == key)


class _Problems:
    def __init__(self, form: str) -> None:
        self.form = form
        self.items: list[str] = []

    def add(self, where: str, problem: str) -> None:
        self.items.append(f"form {self.form}, {where}: {problem}" if where else problem)


def _text(raw: dict[str, Any], key: str, p: _Problems, where: str, *, required: bool) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        p.add(where, f"{key} must be text")
        return ""
    if required and not value.strip():
        p.add(where, f"{key} is required")
    if len(value) > 2000:
        p.add(where, f"{key} is longer than 2000 characters")
    return value


def _number(raw: dict[str, Any], key: str, default: float, p: _Problems, where: str) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        p.add(where, f"{key} must be a number")
        return default
    if value < 0 or value > 300:
        p.add(where, f"{key} must be between 0 and 300")
        return default
    return float(value)


def _only(raw: dict[str, Any], allowed: set[str], p: _Problems, where: str) -> None:
    for key in sorted(set(raw) - allowed):
        p.add(where, f"unknown item {key!r}")


def _fields(raw: Any, p: _Problems) -> tuple[FieldDef, ...]:
    if not isinstance(raw, list):
        p.add("fields", "must be a list")
        return ()
    out: list[FieldDef] = []
    for i, f in enumerate(raw):
        if not isinstance(f, dict):
            p.add(f"fields[{i}]", "must be an object")
            continue
        key = f.get("key", "")
        where = f"field {key}" if isinstance(key, str) and key else f"fields[{i}]"
        _only(f, {"key", "label", "source", "format"}, p, where)
        key = _text(f, "key", p, where, required=True)
        fd = FieldDef(
            key=key,
            label=_text(f, "label", p, where, required=True),
            source=_text(f, "source", p, where, required=True),
            format=_text(f, "format", p, where, required=False) or "text",
        )
        if fd.source and (why := check_source(fd.source)):
            p.add(where, why)
        if fd.format not in KNOWN_FORMATS:
            p.add(where, f"unknown format {fd.format!r}")
        if any(o.key == key for o in out):
            p.add(where, "duplicate field key")
        out.append(fd)
    return tuple(out)


def _cells(raw: Any, keys: set[str], p: _Problems, where: str) -> tuple[Cell, ...]:
    if not isinstance(raw, list) or not raw:
        p.add(where, "cells must be a non-empty list")
        return ()
    cells: list[Cell] = []
    for j, c in enumerate(raw):
        at = f"{where}, cell {j + 1}"
        if not isinstance(c, dict):
            p.add(at, "must be an object")
            continue
        _only(c, {"w", "label", "field", "options", "size"}, p, at)
        options = c.get("options", [])
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            p.add(at, "options must be a list of text")
            options = []
        cell = Cell(
            w=_number(c, "w", 0, p, at),
            label=_text(c, "label", p, at, required=False),
            field=_text(c, "field", p, at, required=False),
            options=tuple(options),
            size=_number(c, "size", 0, p, at),
        )
        if cell.label and cell.field:
            p.add(at, "a cell has a label or a field, not both (neither: a blank box)")
        if cell.options and not cell.field:
            p.add(at, "check boxes (options) need the field whose value ticks them")
        if cell.field and cell.field not in keys:
            p.add(at, f"field {cell.field!r} is not defined in fields")
        cells.append(cell)
    fixed = sum(c.w for c in cells)
    if fixed > CONTENT_WIDTH_MM + 0.01:
        p.add(where, f"cells are {fixed:g} mm wide; the page has {CONTENT_WIDTH_MM:g} mm")
    if sum(1 for c in cells if c.w == 0) > 1:
        p.add(where, "only one cell may take the rest of the row (w 0)")
    return tuple(cells)


def _columns(raw: Any, source: str, p: _Problems, where: str) -> tuple[Column, ...]:
    if not isinstance(raw, list) or not raw:
        p.add(where, "columns must be a non-empty list")
        return ()
    cols: list[Column] = []
    for j, c in enumerate(raw):
        at = f"{where}, column {j + 1}"
        if not isinstance(c, dict):
            p.add(at, "must be an object")
            continue
        _only(c, {"label", "item", "w", "format"}, p, at)
        col = Column(
            label=_text(c, "label", p, at, required=True),
            item=_text(c, "item", p, at, required=True),
            w=_number(c, "w", 0, p, at),
            format=_text(c, "format", p, at, required=False) or "text",
        )
        if col.item and source in TABLE_SOURCES and (why := check_item(source, col.item)):
            p.add(at, why)
        if col.format not in KNOWN_FORMATS:
            p.add(at, f"unknown format {col.format!r}")
        if col.w <= 0:
            p.add(at, "w must be more than 0")
        cols.append(col)
    if (total := sum(c.w for c in cols)) > CONTENT_WIDTH_MM + 0.01:
        p.add(where, f"columns are {total:g} mm wide; the page has {CONTENT_WIDTH_MM:g} mm")
    return tuple(cols)


_BLOCK_ITEMS = {
    "row": {"kind", "h", "cells"},
    "table": {"kind", "h", "source", "columns", "rows", "label"},
    "text": {"kind", "h", "text", "size"},
    "signature": {"kind", "h", "label"},
    "qr": {"kind", "h", "source", "label"},
    "gap": {"kind", "h"},
}


def _blocks(raw: Any, keys: set[str], p: _Problems) -> tuple[Block, ...]:
    if not isinstance(raw, list) or not raw:
        p.add("layout", "must be a non-empty list of blocks")
        return ()
    blocks: list[Block] = []
    for i, b in enumerate(raw):
        where = f"layout block {i + 1}"
        if not isinstance(b, dict):
            p.add(where, "must be an object")
            continue
        kind = b.get("kind", "row")
        if kind not in _BLOCK_ITEMS:
            p.add(where, f"unknown kind {kind!r} (one of {', '.join(_BLOCK_ITEMS)})")
            continue
        _only(b, _BLOCK_ITEMS[kind], p, where)
        h = _number(b, "h", 10.0 if kind != "gap" else 3.0, p, where)
        source = _text(b, "source", p, where, required=kind in ("table", "qr"))
        rows = b.get("rows", 0)
        if not isinstance(rows, int) or isinstance(rows, bool) or not 0 <= rows <= 40:
            p.add(where, "rows must be a whole number from 0 to 40")
            rows = 0
        block = Block(
            kind=kind,
            h=h,
            cells=_cells(b.get("cells"), keys, p, where) if kind == "row" else (),
            source=source,
            columns=_columns(b.get("columns"), source, p, where) if kind == "table" else (),
            rows=rows,
            text=_text(b, "text", p, where, required=kind == "text"),
            size=_number(b, "size", 9.0, p, where),
            label=_text(b, "label", p, where, required=False),
        )
        if kind == "table" and source not in TABLE_SOURCES:
            p.add(where, f"table source must be one of {', '.join(sorted(TABLE_SOURCES))}")
        if kind == "qr" and source and (why := check_source(source)):
            p.add(where, why)
        if h <= 0 and kind != "gap":
            p.add(where, "h must be more than 0")
        blocks.append(block)
    return tuple(blocks)


def _height(b: Block) -> float:
    return b.h * (max(b.rows, 1) + 1) if b.kind == "table" else b.h


def parse_form(raw: Any, *, known_procedures: set[str] | None = None) -> FormDefinition:
    """A checked definition, or FormDefinitionError listing every problem found."""
    if not isinstance(raw, dict):
        raise FormDefinitionError(["a form definition must be a JSON object"])
    code = raw.get("code")
    p = _Problems(code if isinstance(code, str) and code else "?")
    _only(
        raw,
        {"$schema", "code", "version", "title", "subtitle", "addressee", "kind", "procedures",
         "needs_signature", "description", "fields", "layout"},
        p, "",
    )  # fmt: skip
    code = _text(raw, "code", p, "code", required=True)
    if code and not _CODE.match(code):
        p.add("code", "use 2-40 lower-case letters, digits and _ starting with a letter")
    version = raw.get("version", "")
    version = str(version) if isinstance(version, int | str) else ""
    if not _VERSION.match(version):
        p.add("version", "a version (e.g. 1, 2026.11) is required")
    kind = raw.get("kind", "application")
    if kind not in KINDS:
        p.add("kind", f"must be one of {', '.join(KINDS)}")
    procedures = raw.get("procedures", [])
    if not isinstance(procedures, list) or not all(isinstance(x, str) for x in procedures):
        p.add("procedures", "must be a list of procedure codes")
        procedures = []
    if known_procedures is not None:
        for proc in procedures:
            if proc not in known_procedures:
                p.add("procedures", f"unknown procedure {proc!r}")
    if kind != "guidance" and not procedures:
        p.add("procedures", "name at least one procedure the form is printed for")
    signature = raw.get("needs_signature", True)
    if not isinstance(signature, bool):
        p.add("needs_signature", "must be true or false")
        signature = True
    fields = _fields(raw.get("fields", []), p)
    blocks = _blocks(raw.get("layout"), {f.key for f in fields}, p)
    if signature and not any(b.kind == "signature" for b in blocks):
        p.add("layout", "needs_signature is true but the layout has no signature block")
    if (total := sum(_height(b) for b in blocks)) > CONTENT_HEIGHT_MM * 2:
        p.add("layout", f"blocks are {total:g} mm tall; a form may use at most two pages")
    title = _text(raw, "title", p, "title", required=True)
    if p.items:
        raise FormDefinitionError(p.items)
    return FormDefinition(
        code=code,
        version=version,
        title=title,
        kind=str(kind),
        procedures=tuple(procedures),
        fields=fields,
        blocks=blocks,
        subtitle=_text(raw, "subtitle", p, "subtitle", required=False),
        addressee=_text(raw, "addressee", p, "addressee", required=False),
        needs_signature=signature,
        description=_text(raw, "description", p, "description", required=False),
    )
