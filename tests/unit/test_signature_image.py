"""The signature kept with a visit's forms is a picture of the strokes drawn on the tablet,
the same bytes for the same strokes (a retried print stores the same file)."""

from __future__ import annotations

import io

from PIL import Image

from adapters.signature_image import PAD_H, PAD_W, signature_png

STROKES = [[[0.1, 0.5], [0.5, 0.2], [0.9, 0.5]], [[0.5, 0.9]]]


def test_the_strokes_are_drawn_in_black_on_white_at_twice_the_pad_size() -> None:
    image = Image.open(io.BytesIO(signature_png(STROKES)))
    assert image.format == "PNG" and image.size == (PAD_W * 2, PAD_H * 2)
    w, h = image.size
    assert image.getpixel((int(0.5 * (w - 1)), int(0.2 * (h - 1)))) == 0  # on the stroke
    assert image.getpixel((int(0.5 * (w - 1)), int(0.9 * (h - 1)))) == 0  # a single dot
    assert image.getpixel((5, h - 5)) == 255  # off it


def test_same_strokes_same_bytes() -> None:
    assert signature_png(STROKES) == signature_png([[list(p) for p in s] for s in STROKES])
