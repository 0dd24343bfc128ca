"""The renderer process: the same PDF as rendered in the worker, and no renderer lost or left."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pypdf import PdfReader

from adapters.pdf_forms import load_fonts, render_forms
from adapters.render_pool import RenderPool
from domain.form_definition import FormDefinition
from domain.visit import FilledForm, Signature
from tests.unit.test_pdf_forms import DEFINITION, FONT, form


def _pairs(name: str) -> list[tuple[FormDefinition, FilledForm]]:
    return [(DEFINITION, form(name))]


def test_a_renderer_process_gives_the_same_bytes_as_the_worker_thread() -> None:
    pool = RenderPool(FONT, processes=1)
    signature = Signature([[[0, 0], [10, 10]]])
    try:
        there = pool.render(_pairs("髙橋　一郎"), header="受付番号 7", signature=signature)
    finally:
        pool.close()
    here = render_forms(
        _pairs("髙橋　一郎"),
        header="受付番号 7",
        signature=signature,
        fonts=load_fonts(FONT),
    )
    assert there.data == here.data and there.pages == here.pages == 1
    assert "髙橋" in PdfReader(io.BytesIO(there.data)).pages[0].extract_text()


def test_a_killed_renderer_is_replaced_and_the_print_still_comes_out() -> None:
    pool = RenderPool(FONT, processes=1)
    try:
        pool.render(_pairs("山田"), header="h", signature=None)
        executor = pool._running()
        for pid in list(executor._processes):  # the renderer, killed as the OOM killer would
            os.kill(pid, signal.SIGKILL)
        pdf = pool.render(_pairs("山田"), header="h", signature=None)
    finally:
        pool.close()
    assert "山田" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()


_PARENT = """
from adapters.render_pool import RenderPool
from tests.unit.test_pdf_forms import DEFINITION, FONT, form
pool = RenderPool(FONT, processes=1)
pool.render([(DEFINITION, form("x"))], header="h", signature=None)
print(*pool._running()._processes, flush=True)
import time
time.sleep(120)
"""


def test_a_renderer_does_not_outlive_a_killed_worker() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        assert parent.stdout is not None
        renderer = int(parent.stdout.readline())
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _alive(renderer):
            time.sleep(0.2)
        assert not _alive(renderer)
    finally:
        parent.kill()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
