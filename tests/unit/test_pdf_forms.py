import io
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from adapters.pdf_forms import PUA_MARKER, _glyf_read_once, load_fonts
from adapters.pdf_forms import render_forms as render
from domain.form_definition import FormDefinition, parse_form
from domain.visit import FilledForm, FormField, Signature

FONT = Path("/usr/share/fonts/truetype/ipamj/ipamjm.ttf")
DEFINITION = parse_form(
    {
        "code": "f1", "version": "1", "title": "住民異動届（転居）", "procedures": ["tenkyo"],
        "fields": [{"key": "name", "label": "氏名", "source": "resident.name"}],
        "layout": [
            {"cells": [{"label": "氏名", "w": 30}, {"field": "name"}]},
            {"kind": "signature", "h": 20},
        ],
    }
)  # fmt: skip


def form(value: str) -> FilledForm:
    return FilledForm("f1", "1", "住民異動届（転居）", "tenkyo", [FormField("name", "氏名", value)])


def render_forms(
    forms: list[FilledForm], *, header: str, signature: Signature | None, font_path: Path
) -> Any:
    pairs: list[tuple[FormDefinition, FilledForm]] = [(DEFINITION, f) for f in forms]
    return render(pairs, header=header, signature=signature, fonts=load_fonts(font_path))


def test_a_real_pdf_with_the_mj_font_embedded_and_the_text_in_it() -> None:
    pdf = render_forms(
        [form("髙橋　一郎")],
        header="受付番号 3",
        signature=Signature([[[0, 0], [1, 1]]]),
        font_path=FONT,
    )
    reader = PdfReader(io.BytesIO(pdf.data))
    text = reader.pages[0].extract_text()
    assert "住民異動届（転居）" in text and "髙橋" in text and "受付番号 3" in text
    # A subset of IPAmj明朝 is embedded as a TrueType font program.
    assert b"+IPAmjMincho" in pdf.data and b"/FontFile2" in pdf.data
    assert pdf.warnings == []


def test_same_input_same_bytes_so_a_retried_print_is_identical() -> None:
    a = render_forms([form("山田")], header="h", signature=None, font_path=FONT)
    b = render_forms([form("山田")], header="h", signature=None, font_path=FONT)
    assert a.data == b.data


def test_the_glyph_table_read_once_gives_the_pdf_reportlab_itself_gives() -> None:
    # 300 distinct characters: more than one subset (256 glyphs each), so the table is read
    # again within the same document.
    text = "".join(chr(0x4E00 + i) for i in range(300))
    ours = render_forms([form(text)], header="h", signature=None, font_path=FONT)
    face = pdfmetrics.getFont(load_fonts(FONT).main).face
    del face.get_table  # the class's own method: a fresh copy of the table on every read
    try:
        theirs = render_forms([form(text)], header="h", signature=None, font_path=FONT)
    finally:
        _glyf_read_once(pdfmetrics.getFont(load_fonts(FONT).main))
    assert ours.data == theirs.data
    assert ours.data.count(b"+IPAmjMincho") >= 2


def _embedded_font(pdf: bytes) -> TTFont:
    reader = PdfReader(io.BytesIO(pdf))
    for obj_ref in reader.pages[0]["/Resources"]["/Font"].values():  # type: ignore[index]
        font = obj_ref.get_object()
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None and "/FontFile2" in descriptor.get_object():
            descriptor = descriptor.get_object()
            return TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
    raise AssertionError("no embedded TrueType font")


def _outline(font: TTFont, glyph: str) -> list[tuple[int, int]]:
    coords, _ends, _flags = font["glyf"][glyph].getCoordinates(font["glyf"])
    return list(coords)


def test_ivs_prints_the_variant_glyph_and_extracts_as_the_same_sequence() -> None:
    name = "渡邉\U000e0110　葛\U000e0103西"
    pdf = render_forms([form(name)], header="h", signature=None, font_path=FONT)
    assert pdf.warnings == []
    assert name in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()

    original = TTFont(str(FONT), lazy=True)
    subset = _embedded_font(pdf.data)
    outlines = {tuple(_outline(subset, g)) for g in subset.getGlyphOrder()}
    # 邉+E0110 is mj060248, a different glyph from plain 邉 (mj026190): the variant is drawn.
    assert tuple(_outline(original, "mj060248")) in outlines
    assert tuple(_outline(original, "mj026190")) not in outlines
    # 葛+E0103 is mj022336 (also IPAmj's default 葛): drawn, and no tofu box.
    assert tuple(_outline(original, "mj022336")) in outlines


def test_pua_and_unknown_sequences_are_never_dropped_silently() -> None:
    pdf = render_forms([form("\ue000田　高\U000e01ef")], header="h", signature=None, font_path=FONT)
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert PUA_MARKER in text
    assert any("PUA" in w for w in pdf.warnings) and any("IVS" in w for w in pdf.warnings)


def test_pua_characters_print_from_the_configured_mjplus_font(tmp_path: Path) -> None:
    # A stand-in MJ+ font: IPAmj's glyph for 田 reachable at U+E000, as the MJ+ font maps
    # its additions into the Private Use Area.
    from fontTools import subset

    options = subset.Options()
    options.notdef_outline = True
    font = TTFont(str(FONT))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord("田")])
    subsetter.subset(font)
    for table in font["cmap"].tables:
        if table.isUnicode() and table.format in (4, 12):
            table.cmap[0xE000] = table.cmap[ord("田")]
    for record in font["name"].names:
        if record.nameID in (1, 3, 4, 6):
            record.string = "MJPlusTest"
    path = tmp_path / "mjplus.ttf"
    font.save(str(path))

    pairs: list[tuple[FormDefinition, FilledForm]] = [(DEFINITION, form("\ue000中"))]
    pdf = render(pairs, header="h", signature=None, fonts=load_fonts(FONT, path))
    assert pdf.warnings == []
    assert pdf.data.count(b"/FontFile2") == 2  # the MJ+ font is embedded beside IPAmj明朝
    assert "\ue000中" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
