"""Rendering filled forms to A4 PDF with reportlab, following each form's layout blocks.

IPAmj明朝 is embedded (subset) when installed; otherwise a standard CID font that every PDF
viewer has. Output is deterministic (``invariant``), so a retried print writes the same bytes.

IVS sequences print their variant glyph (adapters.ivs_glyphs). MJ+ characters in the
Private Use Area print from the MJ+ font (``MADO_MJPLUS_FONT_PATH``) when it has them;
otherwise as 〓 with a warning for the visit. A sequence the font lacks prints its base
glyph, also with a warning — never silently.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import segno
from fontTools.ttLib import TTFont as ToolsFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from adapters.ivs_glyphs import IvsResolver
from domain.form_definition import Block, Cell, FormDefinition
from domain.names import strip_variation_selectors
from domain.visit import FilledForm, FilledTable, Signature

_PUA = re.compile("([\ue000-\uf8ff\U000f0000-\U0010ffff]+)")
_IVS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
PUA_MARKER = "〓"
FALLBACK_FONT = "HeiseiMin-W3"
MJ_FONT_NAME = "IPAmjMincho"
MJPLUS_FONT_NAME = "MJPlus"
MARGIN = 15 * mm
BOTTOM = 12 * mm
MIN_SIZE = 5.0


@dataclass
class RenderedPdf:
    data: bytes
    font: str
    pages: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class Fonts:
    main: str
    ivs: IvsResolver | None
    pua: str | None = None
    pua_chars: frozenset[int] = frozenset()


_cache: dict[tuple[Path, Path | None], Fonts] = {}


def _glyf_read_once(font: TTFont) -> TTFont:
    """Each subset of a document (every 256 distinct characters, in every PDF) reads the
    font's glyph table, and reportlab hands it out as a fresh copy: 45 MB for IPAmj明朝,
    about 20 ms of CPU — most of a form's render. The table never changes, so it is copied
    once and the same bytes are handed out after that (the PDFs are the same, byte for byte)."""
    face = font.face
    read = face.get_table
    kept: dict[str, bytes] = {}

    def get_table(tag: str) -> bytes:
        if tag != "glyf":
            table: bytes = read(tag)
            return table
        if tag not in kept:
            kept[tag] = read(tag)
        return kept[tag]

    setattr(face, "get_table", get_table)  # noqa: B010 — an instance's method, on purpose
    return font


def load_fonts(font_path: Path, pua_font_path: Path | None = None) -> Fonts:
    """The fonts to draw with; registered once per process (reportlab's registry is global)."""
    key = (font_path, pua_font_path)
    if key in _cache:
        return _cache[key]
    if font_path.is_file():
        font = _glyf_read_once(TTFont(MJ_FONT_NAME, str(font_path)))
        pdfmetrics.registerFont(font)
        fonts = Fonts(MJ_FONT_NAME, IvsResolver(font, font_path))
    else:
        if FALLBACK_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
        fonts = Fonts(FALLBACK_FONT, None)
    if pua_font_path is not None and pua_font_path.is_file():
        name = f"{MJPLUS_FONT_NAME}{len(_cache)}"
        pdfmetrics.registerFont(_glyf_read_once(TTFont(name, str(pua_font_path))))
        cmap = ToolsFont(str(pua_font_path), lazy=True).getBestCmap()
        pua = frozenset(cp for cp in cmap if _PUA.fullmatch(chr(cp)))
        fonts = Fonts(fonts.main, fonts.ivs, name, pua)
    _cache[key] = fonts
    return fonts


class _Writer:
    """Draws text as runs of one font each, and collects what could not be printed."""

    def __init__(self, c: canvas.Canvas, fonts: Fonts) -> None:
        self.c = c
        self.fonts = fonts
        self.warnings: list[str] = []

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def runs(self, text: str, where: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for i, chunk in enumerate(_PUA.split(text)):
            if not chunk:
                continue
            if i % 2 == 1:  # a run of Private Use Area characters (MJ+ additions)
                if self.fonts.pua and all(ord(ch) in self.fonts.pua_chars for ch in chunk):
                    out.append((self.fonts.pua, chunk))
                    continue
                self._warn(
                    f"{where}: 外字(PUA)を{PUA_MARKER}で印字しました / PUA printed as marker"
                )
                out.append((self.fonts.main, PUA_MARKER * len(chunk)))
            elif not _IVS.search(chunk):
                out.append((self.fonts.main, chunk))
            elif self.fonts.ivs is None:
                self._warn(f"{where}: MJフォントが無いためIVSを除いて印字しました / IVS dropped")
                out.append((self.fonts.main, strip_variation_selectors(chunk)))
            else:
                drawn, missing = self.fonts.ivs.resolve(chunk)
                if missing:
                    self._warn(
                        f"{where}: フォントに無い異体字を標準字形で印字しました / IVS not in font"
                    )
                out.append((self.fonts.main, drawn))
        return out

    def width(self, runs: list[tuple[str, str]], size: float) -> float:
        return float(sum(pdfmetrics.stringWidth(t, f, size) for f, t in runs))

    def _put(self, runs: list[tuple[str, str]], x: float, y: float, size: float) -> None:
        # One text object per line: a name drawn from two fonts (IPAmj + MJ+) still reads,
        # copies and searches as one word.
        text = self.c.beginText(x, y)
        for font, chunk in runs:
            text.setFont(font, size)
            text.textOut(chunk)
        self.c.drawText(text)

    def draw(
        self, text: str, x: float, y: float, size: float, where: str, *, max_w: float = 0
    ) -> None:
        runs = self.runs(text, where)
        if max_w and (w := self.width(runs, size)) > max_w:
            size = max(MIN_SIZE, size * max_w / w)
        self._put(runs, x, y, size)

    def draw_in_box(
        self, text: str, x: float, top: float, box_w: float, box_h: float, size: float, where: str
    ) -> None:
        """Text in a ruled box: one line if it fits, else wrapped to two or three lines at
        the largest size that fits — long addresses stay legible instead of shrinking."""
        runs = self.runs(text, where)
        for n in (1, 2, 3):
            line_size = min(size, box_h / (n * 1.2))
            lines = _wrap_runs(runs, line_size, box_w) if n > 1 else [runs]
            widest = max((self.width(line, line_size) for line in lines), default=0)
            if len(lines) <= n and widest <= box_w:
                break
        else:
            n = 3
            line_size = min(size, box_h / (n * 1.2))
            lines = _wrap_runs(runs, line_size, box_w)[:n]
            widest = max((self.width(line, line_size) for line in lines), default=1)
            line_size = max(MIN_SIZE, line_size * min(1.0, box_w / widest))
        block = len(lines) * line_size * 1.2
        y = top - (box_h - block) / 2 - line_size * 0.95
        for line in lines:
            self._put(line, x, y, line_size)
            y -= line_size * 1.2

    def draw_centred(self, text: str, x: float, y: float, size: float) -> None:
        w = self.width(self.runs(text, "title"), size)
        self.draw(text, x - w / 2, y, size, "title")

    def wrap(self, text: str, size: float, max_w: float) -> list[str]:
        lines: list[str] = []
        for para in text.split("\n"):
            line = ""
            for ch in para:
                if line and pdfmetrics.stringWidth(line + ch, self.fonts.main, size) > max_w:
                    lines.append(line)
                    line = ""
                line += ch
            lines.append(line)
        return lines


def _wrap_runs(
    runs: list[tuple[str, str]], size: float, max_w: float
) -> list[list[tuple[str, str]]]:
    lines: list[list[tuple[str, str]]] = [[]]
    used = 0.0
    for font, chunk in runs:
        for ch in chunk:
            w = pdfmetrics.stringWidth(ch, font, size)
            if used + w > max_w and lines[-1]:
                lines.append([])
                used = 0.0
            line = lines[-1]
            if line and line[-1][0] == font:
                line[-1] = (font, line[-1][1] + ch)
            else:
                line.append((font, ch))
            used += w
    return lines


def _draw_signature(
    c: canvas.Canvas, sig: Signature, x: float, y: float, w: float, h: float
) -> None:
    c.setLineWidth(1.2)
    for stroke in sig.strokes:
        if len(stroke) < 2:
            continue
        path = c.beginPath()
        path.moveTo(x + stroke[0][0] * w, y + h - stroke[0][1] * h)
        for px, py in stroke[1:]:
            path.lineTo(x + px * w, y + h - py * h)
        c.drawPath(path, stroke=1, fill=0)


def _draw_qr(c: canvas.Canvas, data: str, x: float, y: float, side: float) -> None:
    qr = segno.make(data, error="m", micro=False)
    rows = list(qr.matrix_iter(scale=1, border=2))
    cell = side / len(rows)
    c.setFillGray(0)
    for r, row in enumerate(rows):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x + col * cell, y + side - (r + 1) * cell, cell, cell, stroke=0, fill=1)


def _chosen(option: str, value: str) -> bool:
    """Check boxes: the value names options separated by commas (or ・ for move kinds)."""
    tokens = {v.strip() for v in value.split(",")}
    return option in tokens or option in {v.strip() for v in value.split("・")}


class _FormPage:
    """Lays one form's blocks down the page, starting a new page when one is full."""

    def __init__(
        self,
        w: _Writer,
        defn: FormDefinition,
        form: FilledForm,
        header: str,
        signature: Signature | None,
    ) -> None:
        self.w, self.c, self.defn, self.form = w, w.c, defn, form
        self.header, self.signature = header, signature
        self.values = {f.key: f.value for f in form.fields}
        self.tables: list[FilledTable] = list(form.tables)
        self.width, self.height = A4
        self.pages = 0
        self.y = 0.0

    def _where(self, key: str) -> str:
        return f"{self.form.form_code}.{key}"

    def _start_page(self) -> None:
        c, w = self.c, self.w
        self.pages += 1
        c.setLineWidth(0.6)
        c.setFillGray(0)
        top = self.height - 12 * mm
        stamp = f"{self.header}  様式 {self.defn.code} v{self.defn.version}"
        if self.pages > 1:
            stamp += f"  （{self.pages}枚目）"
        w.draw(stamp, self.width - MARGIN - w.width(w.runs(stamp, "header"), 8), top, 8, "header")
        w.draw_centred(self.defn.title, self.width / 2, top - 10 * mm, 16)
        y = top - 14 * mm
        if self.defn.subtitle:
            w.draw_centred(self.defn.subtitle, self.width / 2, y - 1 * mm, 10)
            y -= 6 * mm
        if self.defn.addressee:
            w.draw(self.defn.addressee, MARGIN, y - 3 * mm, 10.5, "addressee")
            y -= 6 * mm
        self.y = y - 2 * mm

    def _room(self, h: float) -> None:
        if self.y - h < BOTTOM:
            self.c.showPage()
            self._start_page()

    def _cell(self, cell: Cell, x: float, y: float, cw: float, h: float) -> None:
        c, w = self.c, self.w
        if cell.label:
            c.setFillGray(0.92)
            c.rect(x, y - h, cw, h, stroke=1, fill=1)
            c.setFillGray(0)
            lines = cell.label.split("\n")
            size = cell.size or min(8.5, (h / mm) * 2.2 / len(lines))
            for i, line in enumerate(lines):
                ly = y - h / 2 + (len(lines) / 2 - i - 0.8) * size * 1.15
                w.draw(line, x + 1.5 * mm, ly, size, "label", max_w=cw - 3 * mm)
            return
        c.rect(x, y - h, cw, h, stroke=1, fill=0)
        if not cell.field:
            return  # a blank box, e.g. for the office's stamps
        value = self.values.get(cell.field, "")
        if cell.options:
            text = "　".join(("■" if _chosen(o, value) else "□") + o for o in cell.options)
            size = cell.size or 9.5
        else:
            text = value
            size = cell.size or min(12.0, (h / mm) * 1.6)
        w.draw_in_box(text, x + 1.5 * mm, y, cw - 3 * mm, h, size, self._where(cell.field))

    def _row(self, b: Block) -> None:
        h = b.h * mm
        self._room(h)
        fixed = sum(cell.w for cell in b.cells) * mm
        x = MARGIN
        for cell in b.cells:
            cw = cell.w * mm if cell.w else (self.width - 2 * MARGIN - fixed)
            self._cell(cell, x, self.y, cw, h)
            x += cw
        self.y -= h

    def _table(self, b: Block) -> None:
        table = self.tables.pop(0) if self.tables else FilledTable(b.source, [], [])
        h = b.h * mm
        lines = max(b.rows, len(table.rows))
        self._room(h * 2)
        if b.label:
            self.w.draw(b.label, MARGIN, self.y - 4 * mm, 9, "label")
            self.y -= 5.5 * mm

        def header() -> None:
            x = MARGIN
            for col in b.columns:
                self._cell(Cell(w=col.w, label=col.label), x, self.y, col.w * mm, h)
                x += col.w * mm
            self.y -= h

        header()
        for i in range(lines):
            if self.y - h < BOTTOM:
                self.c.showPage()
                self._start_page()
                header()
            values = table.rows[i] if i < len(table.rows) else []
            x = MARGIN
            for j, col in enumerate(b.columns):
                self.c.rect(x, self.y - h, col.w * mm, h, stroke=1, fill=0)
                text = values[j] if j < len(values) else ""
                size = min(10.0, (h / mm) * 1.5)
                where = self._where(f"{b.source}[{i}]")
                self.w.draw_in_box(
                    text, x + 1.2 * mm, self.y, col.w * mm - 2.4 * mm, h, size, where
                )
                x += col.w * mm
            self.y -= h

    def _text(self, b: Block) -> None:
        lines = self.w.wrap(b.text, b.size, self.width - 2 * MARGIN)
        lh = b.size * 1.45
        self._room(max(b.h * mm, lh * len(lines)))
        y = self.y - b.size - 1 * mm
        for line in lines:
            self.w.draw(line, MARGIN, y, b.size, "text")
            y -= lh
        self.y -= max(b.h * mm, lh * len(lines) + 1 * mm)

    def _signature(self, b: Block) -> None:
        h = b.h * mm
        self._room(h)
        bw = 100 * mm
        x = self.width - MARGIN - bw
        self.c.rect(x, self.y - h, bw, h, stroke=1, fill=0)
        self.w.draw(b.label or "署名", x + 1.5 * mm, self.y - 4 * mm, 8, "label")
        if self.signature is not None:
            _draw_signature(self.c, self.signature, x + 2 * mm, self.y - h + 1 * mm,
                            bw - 4 * mm, h - 6 * mm)  # fmt: skip
        self.y -= h

    def _qr(self, b: Block) -> None:
        side = b.h * mm
        self._room(side)
        value = self.values.get(f"qr:{b.source}", "") or self.form.form_code
        _draw_qr(self.c, value, MARGIN, self.y - side, side)
        if b.label:
            for i, line in enumerate(self.w.wrap(b.label, 9, 120 * mm)):
                self.w.draw(line, MARGIN + side + 4 * mm, self.y - 6 * mm - i * 13, 9, "label")
        self.y -= side

    def render(self) -> int:
        self._start_page()
        for b in self.defn.blocks:
            if b.kind == "row":
                self._row(b)
            elif b.kind == "table":
                self._table(b)
            elif b.kind == "text":
                self._text(b)
            elif b.kind == "signature":
                self._signature(b)
            elif b.kind == "qr":
                self._qr(b)
            else:
                self.y -= b.h * mm
        self.c.showPage()
        return self.pages


def render_forms(
    forms: list[tuple[FormDefinition, FilledForm]],
    *,
    header: str,
    signature: Signature | None,
    fonts: Fonts,
) -> RenderedPdf:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=fonts.main)
    c.setTitle("madoguchi forms")
    c.setAuthor("madoguchi")
    writer = _Writer(c, fonts)
    pages = 0
    for defn, form in forms:
        pages += _FormPage(writer, defn, form, header, signature).render()
    c.save()
    return RenderedPdf(data=buf.getvalue(), font=fonts.main, pages=pages, warnings=writer.warnings)
