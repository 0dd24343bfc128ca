"""Handoff batches on a real Temporal server: the worker is killed at each point of a
batch — before the file, after the file but before recording it, after recording — and
another worker finishes. Every record ends in exactly one batch, none is lost."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import signal
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from adapters import outbox
from adapters.catalog_files import load_layouts
from adapters.db import session_scope
from adapters.object_store import LocalDirectoryStore
from adapters.tables import AuditRow, HandoffBatchRow, HandoffRecordRow
from madoguchi.settings import REPO_ROOT, Settings
from tests import factories
from tests.workflow.test_durability import _wait_for, _worker_process, processes  # noqa: F401
from workflows.handoff_batch import BatchRunInput, HandoffBatch

pytestmark = pytest.mark.slow


def queue_records(settings: Settings, per_layout: int) -> list[str]:
    """Records as visits leave them, for two layouts (UTF-8 and CP932)."""
    layouts = load_layouts(REPO_ROOT / "catalog")
    new = []
    for code in ("shomei", "fukushi"):
        layout = layouts[code]
        for i in range(per_layout):
            visit = uuid.uuid4().hex
            values = [f"{visit}-{code}", f"{i:010d}"] + ["x"] * (len(layout.columns) - 2)
            new.append(outbox.NewRecord(f"{visit}-{code}", visit, code, layout, values))
    with session_scope(settings.sqlalchemy_url) as session:
        outbox.enqueue(session, new)
    return sorted(r.record_id for r in new)


def check_exactly_once(settings: Settings, expected: list[str]) -> list[HandoffBatchRow]:
    store = LocalDirectoryStore(settings.objects_root)
    with session_scope(settings.sqlalchemy_url) as session:
        batches = list(session.exec(select(HandoffBatchRow)).all())
        records = list(session.exec(select(HandoffRecordRow)).all())
        audits = [
            a.subject
            for a in session.exec(select(AuditRow).where(AuditRow.action == "handoff.batch"))
        ]
    assert sorted(r.record_id for r in records) == expected
    assert all(r.status == outbox.BATCHED and r.attempt == 1 for r in records)
    in_files: list[str] = []
    for b in batches:
        assert b.status == outbox.READY
        data = store.get(b.object_key)
        encoding = "cp932" if b.layout.startswith("fukushi") else "utf-8"
        rows = list(csv.reader(io.StringIO(data.decode(encoding))))[1:]
        ids = [row[0] for row in rows]
        manifest = json.loads(store.get(b.manifest_key))
        assert manifest["record_ids"] == ids and manifest["record_count"] == b.record_count
        assert sorted(ids) == sorted(r.record_id for r in records if r.batch_id == b.batch_id)
        in_files += ids
    assert sorted(in_files) == expected  # each record in exactly one file
    assert sorted(audits) == sorted(b.batch_id for b in batches)  # one entry per batch
    # Nothing is left in a file that no batch row points to.
    files = [k for k in store.list("outbound/batches/") if k.endswith(".csv")]
    assert sorted(files) == sorted(b.object_key for b in batches)
    return batches


async def test_a_batch_run_puts_every_pending_record_in_one_batch(
    worker: Worker, settings: Settings
) -> None:
    expected = queue_records(settings, 7)
    result = await factories.run_batch(worker.client, settings.task_queue, limit=5)
    assert len(result.batches) == 4  # 7 per layout at 5 a batch: 5 + 2, twice
    check_exactly_once(settings, expected)
    again = await factories.run_batch(worker.client, settings.task_queue, limit=5)
    assert again.batches == []  # nothing pending: no empty batches


@pytest.mark.parametrize(
    "point", ["write_batch.before_file", "write_batch.after_file", "publish_batch.after_record"]
)
async def test_worker_killed_at_each_point_of_a_batch_loses_and_doubles_nothing(
    point: str,
    temporal_env: WorkflowEnvironment,
    settings: Settings,
    processes: list[subprocess.Popen[bytes]],  # noqa: F811
    tmp_path: Path,
) -> None:
    expected = queue_records(settings, 4)
    address = temporal_env.client.service_client.config.target_host
    marker = tmp_path / "held"
    first = _worker_process(
        settings, address, tmp_path / "w1.log", MADO_FAULT_HOLD=point, MADO_FAULT_MARKER=str(marker)
    )
    processes.append(first)
    run = await temporal_env.client.start_workflow(
        HandoffBatch.run,
        BatchRunInput(limit=100),
        id=f"crash-batch-{uuid.uuid4().hex}",
        task_queue=settings.task_queue,
    )
    await _wait_for(marker, 60)  # frozen at the point
    first.send_signal(signal.SIGKILL)
    first.wait()
    processes.append(_worker_process(settings, address, tmp_path / "w2.log"))
    result = await asyncio.wait_for(run.result(), 90)
    assert len(result.batches) == 2
    batches = check_exactly_once(settings, expected)
    assert sorted(b.batch_id for b in batches) == sorted(result.batches)
