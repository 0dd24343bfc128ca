import io
from pathlib import Path

from pypdf import PdfReader

from adapters.pdf_forms import PUA_MARKER, render_forms
from domain.visit import FilledForm, FormField, Signature

FONT = Path("/usr/share/fonts/truetype/ipamj/ipamjm.ttf")


def form(value: str) -> FilledForm:
    return FilledForm("f1", "1", "住民異動届（転居）", "tenkyo", [FormField("name", "氏名", value)])


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


def test_pua_and_ivs_are_never_dropped_silently() -> None:
    pdf = render_forms([form("\ue000田　葛\U000e0103")], header="h", signature=None, font_path=FONT)
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert PUA_MARKER in text
    assert any("PUA" in w for w in pdf.warnings) and any("IVS" in w for w in pdf.warnings)
