"""Crashes and restarts: a killed worker, a restarted Temporal server. Nothing lost or doubled."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from adapters import outbox
from adapters.db import session_scope
from adapters.object_store import LocalDirectoryStore
from adapters.temporal_client import VisitGateway, connect
from adapters.temporal_server import DevServer, free_port
from domain.steps import Action, Step
from domain.visit import RpaOutcome, RpaResultInput
from madoguchi.crypto import payload_key
from madoguchi.settings import REPO_ROOT, Settings
from madoguchi.worker import build_worker
from tests import factories
from tests.workflow.test_counter_visit import walk_to_confirm

pytestmark = pytest.mark.slow


def _worker_process(
    settings: Settings, address: str, log: Path, **env: str
) -> subprocess.Popen[bytes]:
    environ = {
        **os.environ,
        "MADO_TEMPORAL_ADDRESS": address,
        "MADO_TASK_QUEUE": settings.task_queue,
        "MADO_DATA_DIR": str(settings.data_dir),
        "MADO_DATABASE_URL": settings.database_url,
        "MADO_ACTIVITY_HEARTBEAT_SECONDS": str(settings.activity_heartbeat_seconds),
        "MADO_PAYLOAD_KEY_FILE": str(settings.payload_key_path),
        **env,
    }
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "madoguchi.worker"],
            cwd=REPO_ROOT,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()


async def _wait_for(path: Path, seconds: float) -> None:
    for _ in range(int(seconds * 10)):
        if await asyncio.to_thread(path.exists):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{path.name} never appeared")


@pytest.mark.parametrize("point", ["print_forms.after_write", "write_handoff.after_write"])
async def test_worker_killed_mid_activity_another_worker_finishes_once(
    point: str,
    temporal_env: WorkflowEnvironment,
    gateway: VisitGateway,
    settings: Settings,
    processes: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    address = temporal_env.client.service_client.config.target_host
    marker = tmp_path / "held"
    first = _worker_process(
        settings,
        address,
        tmp_path / "worker1.log",
        MADO_FAULT_HOLD=point,
        MADO_FAULT_MARKER=str(marker),
    )
    processes.append(first)

    visit_id = await gateway.start(**factories.HOME)
    await walk_to_confirm(gateway, settings, visit_id)
    signed = await gateway.act(visit_id, Action.CONFIRM, factories.CONFIRM)
    assert signed.step == Step.PRINT  # the clerk has their answer; the documents follow
    await _wait_for(marker, 30)  # the activity wrote its file and is now frozen

    first.send_signal(signal.SIGKILL)
    first.wait()
    processes.append(_worker_process(settings, address, tmp_path / "worker2.log"))

    state = await factories.settled(gateway, visit_id, 60)
    assert state.step == Step.AWAIT_RPA
    store = LocalDirectoryStore(settings.objects_root)
    # One PDF, one outbox record per procedure: the retry rewrote the same objects.
    assert store.list(f"visits/{visit_id}/") == [
        f"visits/{visit_id}/{name}" for name in ("forms.pdf", "signature.json", "signature.png")
    ]
    with session_scope(settings.sqlalchemy_url) as session:
        queued = sorted(r.record_id for r in outbox.visit_records(session, visit_id))
    assert queued == sorted(r.record_id for r in state.records)
    assert len(state.records) == 2
    # The step history has each step once: nothing was repeated in effect.
    steps = [e.step for e in state.history]
    assert steps.count(Step.PRINT) == 1 and steps.count(Step.HANDOFF) == 1


async def test_temporal_server_restart_on_the_same_database_keeps_open_visits(
    settings: Settings, tmp_path: Path
) -> None:
    db_file = tmp_path / "temporal.db"
    port = free_port()
    server = DevServer(db_file, port=port, ui_port=None, log_file=tmp_path / "temporal.log")
    server.start()
    try:
        client = await connect(server.address, "default", payload_key(settings))
        gw = VisitGateway(
            client, settings.task_queue, rpa_timeout_seconds=3600, heartbeat_seconds=3
        )
        with ThreadPoolExecutor(max_workers=16) as executor:
            async with build_worker(client, settings, executor):
                visit_id = await gw.start(**factories.HOME)
                state = await walk_to_confirm(gw, settings, visit_id)
                assert state.step == Step.CONFIRM
        server.stop()
        assert server.process is not None and server.process.returncode is not None

        server.start()
        client = await connect(server.address, "default", payload_key(settings))
        gw = VisitGateway(
            client, settings.task_queue, rpa_timeout_seconds=3600, heartbeat_seconds=3
        )
        with ThreadPoolExecutor(max_workers=16) as executor:
            async with build_worker(client, settings, executor):
                state = await gw.state(visit_id)
                assert state.step == Step.CONFIRM and len(state.forms) == 2
                state = await factories.sign(gw, visit_id)
                for record in state.records:
                    state = await gw.act(
                        visit_id,
                        Action.RPA_RESULT,
                        RpaResultInput(record.record_id, RpaOutcome.DONE),
                    )
        assert state.step == Step.DONE
    finally:
        server.stop()
