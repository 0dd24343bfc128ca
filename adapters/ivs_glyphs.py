"""Printing IVS sequences (base character + variation selector) as their variant glyph.

reportlab draws one glyph per code point, so a selector would print as a tofu box and the
base glyph would be the wrong variant. The font's cmap format 14 says which glyph each
(base, selector) pair means; we give that glyph a private code point in reportlab's face,
the way reportlab itself does for HarfBuzz-shaped glyphs, and draw that code point. The
PDF's ToUnicode map then gives the private code back as the full IVS sequence, so text
extracted from the PDF is exactly the register's text.
"""

from __future__ import annotations

import threading
from pathlib import Path

from fontTools.ttLib import TTFont as ToolsFont
from reportlab.pdfbase import ttfonts

_SELECTOR_RANGES = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
_PRIVATE_START = 0xE000
_PRIVATE_END = 0xF8FF


def is_selector(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _SELECTOR_RANGES)


# private code -> the sequence it stands for, per embedded font name (e.g. "IPAmjMincho").
_SEQUENCES: dict[str, dict[int, str]] = {}
_lock = threading.Lock()
_original_to_unicode = ttfonts.makeToUnicodeCMap


def _to_unicode_with_sequences(fontname: str, subset: list[int]) -> str:
    sequences = _SEQUENCES.get(fontname.partition("+")[2])
    cmap: str = _original_to_unicode(fontname, subset)
    if not sequences:
        return cmap
    for i, code in enumerate(subset):
        if code in sequences:
            utf16 = sequences[code].encode("utf-16-be").hex().upper()
            cmap = cmap.replace(f"<{i:02X}> <{code:04X}>", f"<{i:02X}> <{utf16}>")
    return cmap


# reportlab looks this function up at call time; the wrapper only changes entries we added.
ttfonts.makeToUnicodeCMap = _to_unicode_with_sequences


class IvsResolver:
    """Rewrites text for one reportlab TrueType font so IVS sequences draw their glyph."""

    def __init__(self, font: ttfonts.TTFont, font_path: Path) -> None:
        self.font = font
        tools = ToolsFont(str(font_path), lazy=True)
        self._glyph_ids: dict[str, int] = {}
        self._tools = tools
        self._variants: dict[tuple[int, int], str | None] = {}
        for table in tools["cmap"].tables:
            if table.format == 14:
                for selector, pairs in table.uvsDict.items():
                    for base, glyph in pairs:
                        self._variants[(base, selector)] = glyph
        self._assigned: dict[str, int] = {}
        _SEQUENCES.setdefault(font.fontName, {})

    def _private_code(self, sequence: str, glyph: str) -> int:
        with _lock:
            if sequence in self._assigned:
                return self._assigned[sequence]
            face = self.font.face
            gid = self._tools.getGlyphID(glyph)
            code = max([_PRIVATE_START - 1, *self._assigned.values()]) + 1
            while code in face.charToGlyph:
                code += 1
            if code > _PRIVATE_END:
                raise ValueError("no private code points left for IVS glyphs")
            face.charToGlyph[code] = gid
            face.glyphToChar.setdefault(gid, []).append(code)
            # Variants of a character share its advance width (full-width ideographs).
            face.charWidths[code] = face.charWidths.get(ord(sequence[0]), 1000)
            self._assigned[sequence] = code
            _SEQUENCES[self.font.fontName][code] = sequence
            return code

    def resolve(self, text: str) -> tuple[str, list[str]]:
        """Text to draw, and the sequences the font has no glyph for (drawn as the base)."""
        out: list[str] = []
        missing: list[str] = []
        i = 0
        while i < len(text):
            ch = text[i]
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if nxt and is_selector(nxt):
                key = (ord(ch), ord(nxt))
                if key not in self._variants:
                    missing.append(ch + nxt)
                    out.append(ch)
                elif (glyph := self._variants[key]) is None:
                    out.append(ch)  # the selector names the default glyph
                else:
                    out.append(chr(self._private_code(ch + nxt, glyph)))
                i += 2
                continue
            if not is_selector(ch):  # a stray selector with no base is dropped
                out.append(ch)
            i += 1
        return "".join(out), missing
