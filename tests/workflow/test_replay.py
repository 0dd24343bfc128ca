"""Recorded histories (tests/replay/histories) replay on the current workflow code, so a
change that would break visits in flight fails the build; `mado replay` says which."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from adapters.payload_codec import load_or_create_key
from madoguchi import replay
from madoguchi.settings import REPO_ROOT
from tests.replay.paused_visit import CounterVisitWithAPause
from workflows.handoff_batch import HandoffBatch

CORPUS = REPO_ROOT / "tests" / "replay" / "histories"
KEY = REPO_ROOT / "tests" / "replay" / "payload.key"


def _corpus() -> list[Path]:
    files = replay.history_files([CORPUS])
    kinds = {f.name.split("-")[0] for f in files}
    assert {"CounterVisit", "HandoffBatch"} <= kinds, files
    return files


async def test_every_recorded_history_replays_on_the_current_code() -> None:
    outcomes = await replay.check(_corpus(), load_or_create_key(KEY))
    assert [o.error for o in outcomes if not o.ok] == []
    assert len(outcomes) >= 5


async def test_a_non_deterministic_change_fails_the_replay() -> None:
    outcomes = await replay.check(
        _corpus(), load_or_create_key(KEY), workflows=[CounterVisitWithAPause, HandoffBatch]
    )
    visits = [o for o in outcomes if o.workflow_type == "CounterVisit"]
    assert visits and not any(o.ok for o in visits)
    assert all("Nondeterminism" in o.error for o in visits), [o.error for o in visits]
    assert all(o.ok for o in outcomes if o.workflow_type == "HandoffBatch")


def test_mado_replay_check_reports_each_file_and_the_exit_code(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "madoguchi.cli", "replay", "check", str(CORPUS),
         "--key-file", str(KEY)],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=120,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"{len(_corpus())} of {len(_corpus())} histories replay" in ok.stdout
    broken = tmp_path / "broken.json"
    broken.write_text("{}", encoding="utf-8")
    bad = subprocess.run(
        [sys.executable, "-m", "madoguchi.cli", "replay", "check", str(broken),
         "--key-file", str(KEY)],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=120,
    )  # fmt: skip
    assert bad.returncode == 1 and "FAIL broken.json" in bad.stdout
