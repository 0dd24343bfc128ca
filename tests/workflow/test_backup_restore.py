"""Restore drill: back up a running stack, go on working, restore, and the visits that were
in flight at backup time continue from there."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from adapters import audit
from adapters.db import session_scope
from adapters.temporal_client import VisitGateway, connect
from adapters.temporal_server import DevServer, free_port
from domain.steps import Action, Step
from domain.visit import CancelInput, ChooseResidentInput, RpaOutcome, RpaResultInput
from madoguchi import backup
from madoguchi.crypto import payload_key
from madoguchi.settings import Settings
from madoguchi.worker import build_worker
from tests import factories

pytestmark = pytest.mark.slow


async def test_restore_drill(settings: Settings, tmp_path: Path) -> None:
    server = DevServer(settings.data_dir / "temporal.db", port=free_port(), ui_port=None)
    r = factories.resident(settings.sqlalchemy_url)

    async def gateway() -> VisitGateway:
        client = await connect(server.address, "default", payload_key(settings))
        return VisitGateway(
            client, settings.task_queue, rpa_timeout_seconds=3600, heartbeat_seconds=3
        )

    server.start()
    try:
        gw = await gateway()
        with ThreadPoolExecutor(max_workers=16) as executor:
            async with build_worker(gw.client, settings, executor):
                a = await gw.start(**factories.HOME)
                b = await gw.start(**factories.HOME)
                await gw.act(a, Action.CALL, factories.CALL)
                await gw.act(a, Action.IDENTIFY, factories.card_for(r))
                await gw.act(a, Action.CHOOSE_RESIDENT, ChooseResidentInput(r.atena_no))
                await gw.wait_for_ticket(b)

                taken = backup.backup(settings, tmp_path / "backups")  # while running

                # Work goes on after the backup ...
                await gw.act(a, Action.CHOOSE_PROCEDURES, factories.PROCEDURES)
                await gw.act(b, Action.CANCEL, CancelInput("帰宅"))
        server.stop()
    finally:
        server.stop()
    assert set(taken.files) >= {"madoguchi.db", "temporal.db", "objects.tar", "payload.key"}

    # ... then the machine is lost: restore the backup and start again.
    for path in (
        settings.data_dir / "temporal.db",
        Path(settings.sqlalchemy_url.removeprefix("sqlite:///")),
    ):
        path.unlink()
    restored = backup.restore(settings, taken.directory)
    assert "Temporal persistence" in restored and "application database" in restored

    server.start()
    try:
        gw = await gateway()
        with ThreadPoolExecutor(max_workers=16) as executor:
            async with build_worker(gw.client, settings, executor):
                state_a, state_b = await gw.state(a), await gw.state(b)
                assert state_a.step == Step.INTERVIEW  # as at backup time
                assert state_b.step == Step.RECEPTION  # the cancel came after the backup
                await gw.act(a, Action.CHOOSE_PROCEDURES, factories.PROCEDURES)
                state = await factories.sign(gw, a, factories.CONFIRM)
                for record in state.records:
                    state = await gw.act(
                        a, Action.RPA_RESULT, RpaResultInput(record.record_id, RpaOutcome.DONE)
                    )
                assert state.step == Step.DONE
    finally:
        server.stop()
    with session_scope(settings.sqlalchemy_url) as session:
        assert audit.verify(session).ok  # the restored audit chain is intact and continues


def test_a_tampered_backup_is_refused(settings: Settings, tmp_path: Path) -> None:
    taken = backup.backup(settings, tmp_path)
    (taken.directory / "madoguchi.db").write_bytes(b"not a database")
    with pytest.raises(backup.BackupError, match=r"madoguchi\.db"):
        backup.restore(settings, taken.directory)
