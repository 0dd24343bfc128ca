"""Reading the PDFs we print the way a person would: text per page, and QR codes seen on
the rendered page (pdftoppm from poppler, zxing-cpp to decode)."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import zxingcpp
from PIL import Image
from pypdf import PdfReader


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def render_png(pdf: bytes, page: int, dpi: int = 150) -> Image.Image:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png",
             "-singlefile", str(src), str(Path(tmp) / "page")],
            check=True,
        )  # fmt: skip
        with Image.open(Path(tmp) / "page.png") as img:
            return img.copy()


def qr_codes(pdf: bytes, page: int) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(render_png(pdf, page))]
