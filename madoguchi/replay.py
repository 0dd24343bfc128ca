"""`mado replay`: run recorded workflow histories through the current workflow code.

A visit in flight is replayed from its history whenever a worker picks it up again; if the
code no longer makes the same decisions (an activity moved, a timer added without
``workflow.patched``), that visit stops with a non-determinism error. Replaying recorded
histories before a release finds this first. ``export`` fetches histories from a Temporal
server (payloads stay encrypted as the server holds them); ``check`` replays files.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

from adapters.payload_codec import encrypted_data_converter
from workflows.counter_visit import CounterVisit
from workflows.handoff_batch import HandoffBatch
from workflows.inbound_poller import InboundPoller
from workflows.resident_import import ResidentImport

WORKFLOWS = [CounterVisit, HandoffBatch, InboundPoller, ResidentImport]


@dataclass
class ReplayOutcome:
    file: str
    workflow_type: str
    workflow_id: str
    ok: bool
    error: str = ""


def load_history(path: Path) -> WorkflowHistory:
    """A history file as `temporal workflow show --output json` or ``export`` writes it."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    workflow_id = raw.pop("workflowId", None) or path.stem
    return WorkflowHistory.from_json(workflow_id, raw)


def _workflow_type(history: WorkflowHistory) -> str:
    first = history.events[0]
    return first.workflow_execution_started_event_attributes.workflow_type.name


async def check(
    files: list[Path], payload_key: bytes, workflows: list[type] | None = None
) -> list[ReplayOutcome]:
    """Replay every file; a file that does not replay is reported, not raised."""
    replayer = Replayer(
        workflows=workflows or WORKFLOWS, data_converter=encrypted_data_converter(payload_key)
    )
    outcomes: list[ReplayOutcome] = []
    for path in files:
        try:
            history = load_history(path)
        except (ValueError, KeyError) as e:
            outcomes.append(ReplayOutcome(path.name, "", "", False, f"not a history file: {e}"))
            continue
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        error = ""
        if result.replay_failure is not None:
            error = f"{type(result.replay_failure).__name__}: {result.replay_failure}"
        outcomes.append(
            ReplayOutcome(
                path.name, _workflow_type(history), history.workflow_id, error == "", error[:2000]
            )
        )
    return outcomes


def history_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        files.extend(sorted(p.glob("*.json")) if p.is_dir() else [p])
    return files


def _write(out: Path, name: str, data: dict[str, object]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


async def export(client: Client, out: Path, query: str, limit: int) -> list[Path]:
    """Closed workflows matching a visibility query, one JSON file each (still encrypted)."""
    written: list[Path] = []
    async for wf in client.list_workflows(query, limit=limit):
        history = await client.get_workflow_handle(wf.id, run_id=wf.run_id).fetch_history()
        data = json.loads(history.to_json())
        data["workflowId"] = wf.id
        name = f"{wf.workflow_type}-{wf.id}.json"
        written.append(await asyncio.to_thread(_write, out, name, data))
    return written


def print_outcomes(outcomes: list[ReplayOutcome]) -> int:
    for o in outcomes:
        mark = "ok  " if o.ok else "FAIL"
        print(
            f"{mark} {o.file} ({o.workflow_type} {o.workflow_id})"
            + (f"\n     {o.error}" if o.error else "")
        )
    failed = sum(1 for o in outcomes if not o.ok)
    print(f"{len(outcomes) - failed} of {len(outcomes)} histories replay on the current code")
    return 1 if failed or not outcomes else 0
