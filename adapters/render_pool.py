"""Forms rendered to PDF in a process of their own.

reportlab is pure Python: rendered on one of the worker's threads, a visit's PDF holds the
interpreter lock that the workflow tasks and the quick activities of every other visit wait
for, so a clerk's step that lands during a render takes the render's time on top. In a
separate process the operating system shares the cores instead, and the worker's own
thread only waits on a pipe. The output is the same bytes (rendering is deterministic).

``processes=0`` renders in the calling thread, as before (tests, a one-core machine).
A renderer that dies (killed, out of memory) is replaced, and the render tried once more
there; a second failure goes to the caller (the activity is retried by Temporal).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from adapters.pdf_forms import Fonts, RenderedPdf, load_fonts, render_forms
from domain.form_definition import FormDefinition
from domain.visit import FilledForm, Signature

_fonts: Fonts | None = None  # the renderer process's, loaded once when it starts


class RenderPool:
    def __init__(
        self, font_path: Path, mjplus_font_path: Path | None = None, *, processes: int = 1
    ) -> None:
        self.font_path = font_path
        self.mjplus_font_path = mjplus_font_path
        self.processes = processes
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def render(
        self,
        forms: list[tuple[FormDefinition, FilledForm]],
        *,
        header: str,
        signature: Signature | None,
    ) -> RenderedPdf:
        if self.processes <= 0:
            fonts = load_fonts(self.font_path, self.mjplus_font_path)
            return render_forms(forms, header=header, signature=signature, fonts=fonts)
        for attempt in (1, 2):
            executor = self._running()
            try:
                return executor.submit(_render, forms, header, signature).result()
            except BrokenProcessPool:
                self._replace(executor)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _running(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                # spawn, not fork: the worker has threads (Temporal's runtime among them),
                # and a forked copy of a threaded process can hang on a lock held mid-fork.
                self._executor = ProcessPoolExecutor(
                    max_workers=self.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start,
                    initargs=(self.font_path, self.mjplus_font_path, os.getpid()),
                )
            return self._executor

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)


_shared: dict[tuple[Path, Path | None, int], RenderPool] = {}
_shared_lock = threading.Lock()


def shared(font_path: Path, mjplus_font_path: Path | None, processes: int) -> RenderPool:
    """One renderer per process and fonts, however many workers the process builds (tests
    build many); it starts with the first render and ends with the process."""
    key = (font_path, mjplus_font_path, processes)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = RenderPool(font_path, mjplus_font_path, processes=processes)
        return _shared[key]


def close_shared() -> None:
    """Stop every shared renderer (a process leaving without interpreter teardown)."""
    with _shared_lock:
        pools = list(_shared.values())
        _shared.clear()
    for pool in pools:
        pool.close()


def _start(font_path: Path, mjplus_font_path: Path | None, parent: int) -> None:
    global _fonts
    # Ctrl-C reaches the whole process group; the worker decides when its renderer stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _fonts = load_fonts(font_path, mjplus_font_path)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    """A renderer outlives no worker: if the worker is killed, its renderer goes too."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _render(
    forms: list[tuple[FormDefinition, FilledForm]], header: str, signature: Signature | None
) -> RenderedPdf:
    assert _fonts is not None, "renderer started without its fonts"
    return render_forms(forms, header=header, signature=signature, fonts=_fonts)
