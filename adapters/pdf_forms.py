"""Rendering filled forms to PDF with reportlab.

IPAmj明朝 is embedded (subset) when installed; otherwise a standard CID font that every PDF
viewer has. Output is deterministic (``invariant``), so a retried print writes the same bytes.

IVS sequences print their variant glyph (adapters.ivs_glyphs). MJ+ characters in the
Private Use Area have no glyph in IPAmj明朝 and print as 〓; a sequence the font lacks prints
its base glyph. Both are reported back as warnings for the visit, never silently.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from adapters.ivs_glyphs import IvsResolver
from domain.names import strip_variation_selectors
from domain.visit import FilledForm, Signature

_PUA = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")
_IVS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
PUA_MARKER = "〓"
FALLBACK_FONT = "HeiseiMin-W3"


@dataclass
class RenderedPdf:
    data: bytes
    font: str
    warnings: list[str] = field(default_factory=list)


MJ_FONT_NAME = "IPAmjMincho"
_resolvers: dict[Path, IvsResolver] = {}


def register_font(font_path: Path) -> tuple[str, IvsResolver | None]:
    """The font to draw with, and its IVS resolver (None for the CID fallback)."""
    if font_path.is_file():
        if font_path not in _resolvers:
            font = TTFont(MJ_FONT_NAME, str(font_path))
            pdfmetrics.registerFont(font)
            _resolvers[font_path] = IvsResolver(font, font_path)
        return MJ_FONT_NAME, _resolvers[font_path]
    if FALLBACK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT, None


def _printable(text: str, where: str, ivs: IvsResolver | None, warnings: list[str]) -> str:
    # One warning per field and kind: staff need to know where, not how many times.
    if _PUA.search(text):
        warnings.append(f"{where}: 外字(PUA)を{PUA_MARKER}で印字しました / PUA printed as marker")
        text = _PUA.sub(PUA_MARKER, text)
    if not _IVS.search(text):
        return text
    if ivs is None:
        warnings.append(f"{where}: MJフォントが無いためIVSを除いて印字しました / IVS dropped")
        return strip_variation_selectors(text)
    drawn, missing = ivs.resolve(text)
    if missing:
        warnings.append(f"{where}: フォントに無い異体字を標準字形で印字しました / IVS not in font")
    return drawn


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


def render_forms(
    forms: list[FilledForm],
    *,
    header: str,
    signature: Signature | None,
    font_path: Path,
) -> RenderedPdf:
    font, ivs = register_font(font_path)
    warnings: list[str] = []
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=font)
    c.setTitle("madoguchi forms")
    c.setAuthor("madoguchi")
    width, height = A4
    for form in forms:
        c.setFont(font, 18)
        c.drawCentredString(width / 2, height - 25 * mm, form.title)
        c.setFont(font, 9)
        c.drawRightString(
            width - 20 * mm, height - 15 * mm, f"{header}  様式 {form.form_code} v{form.version}"
        )
        y = height - 45 * mm
        row_h = 11 * mm
        for fld in form.fields:
            c.rect(20 * mm, y - row_h, 40 * mm, row_h)
            c.rect(60 * mm, y - row_h, width - 80 * mm, row_h)
            c.setFont(font, 10)
            c.drawString(23 * mm, y - row_h + 4 * mm, fld.label)
            c.setFont(font, 13)
            value = _printable(fld.value, f"{form.form_code}.{fld.key}", ivs, warnings)
            c.drawString(63 * mm, y - row_h + 3.5 * mm, value)
            y -= row_h
        if form.needs_signature:
            box_y = 30 * mm
            c.setFont(font, 10)
            c.drawString(20 * mm, box_y + 32 * mm, "署名 (Signature)")
            c.rect(20 * mm, box_y, 90 * mm, 30 * mm)
            if signature is not None:
                _draw_signature(c, signature, 20 * mm, box_y, 90 * mm, 30 * mm)
        c.showPage()
    c.save()
    return RenderedPdf(data=buf.getvalue(), font=font, warnings=warnings)
