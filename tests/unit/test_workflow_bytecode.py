"""The worker writes the workflow modules' bytecode even where PYTHONDONTWRITEBYTECODE is
set: the sandbox imports them for every workflow run, and without it compiles each anew."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

import workflows
from madoguchi.worker import compile_workflow_modules


def test_every_workflow_module_has_current_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    sources = sorted(Path(workflows.__file__).parent.glob("*.py"))
    for source in sources:
        Path(importlib.util.cache_from_source(str(source))).unlink(missing_ok=True)

    assert compile_workflow_modules()

    for source in sources:
        cached = Path(importlib.util.cache_from_source(str(source)))
        assert cached.is_file(), source.name
        # What the import system checks before it uses the file instead of the source.
        flags = int.from_bytes(cached.read_bytes()[4:8], "little")
        mtime = int.from_bytes(cached.read_bytes()[8:12], "little")
        assert flags == 0 and mtime == int(source.stat().st_mtime) & 0xFFFFFFFF, source.name
