"""Rendering filled forms to PDF with reportlab.

IPAmj明朝 is embedded (subset) when installed; otherwise a standard CID font that every PDF
viewer has. Output is deterministic (``invariant``), so a retried print writes the same bytes.

Known limit of this first renderer (the forms-engine issue replaces it): IVS selectors are
dropped before drawing, so the base glyph prints, and MJ+ Private Use Area characters print
as 〓; both are reported back as warnings for the visit, never silently.
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


def register_font(font_path: Path) -> str:
    name = "IPAmjMincho"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    if font_path.is_file():
        pdfmetrics.registerFont(TTFont(name, str(font_path)))
        return name
    if FALLBACK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def _printable(text: str, where: str, warnings: list[str]) -> str:
    # One warning per field and kind: staff need to know where, not how many times.
    if _IVS.search(text):
        warnings.append(f"{where}: 異体字セレクタ(IVS)を除いて印字しました / IVS dropped")
    if _PUA.search(text):
        warnings.append(f"{where}: 外字(PUA)を{PUA_MARKER}で印字しました / PUA printed as marker")
    return _PUA.sub(PUA_MARKER, strip_variation_selectors(text))


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
    font = register_font(font_path)
    warnings: list[str] = []
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
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
            value = _printable(fld.value, f"{form.form_code}.{fld.key}", warnings)
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
