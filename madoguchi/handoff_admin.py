"""What a supervisor does with the outbox — re-queue a record, mark one done by hand —
shared by the API and the screen. Each is audited and told to the record's visit."""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool

from adapters import audit, outbox
from adapters.catalog_files import load_layouts
from adapters.db import session_scope
from adapters.tables import HandoffRecordRow
from adapters.temporal_client import VisitGateway
from domain.handoff import PreparedRow, encode_check
from domain.security import Principal
from domain.steps import Action
from domain.visit import RequeueInput
from madoguchi import rpa_delivery
from madoguchi.settings import Settings


def _row(s: Settings, record_id: str) -> HandoffRecordRow:
    with session_scope(s.sqlalchemy_url) as session:
        return outbox.record(session, record_id)


def _recheck(s: Settings, row: HandoffRecordRow) -> list[str]:
    """A held record's values against the current 縮退 table: the row it can go as."""
    with session_scope(s.sqlalchemy_url) as session:
        layout = outbox.layout(session, row.layout)
    current = load_layouts(s.catalog_dir).get(layout.code)
    if layout.degrade and current is not None:
        layout.degradation = current.degradation
    checked = encode_check(layout, PreparedRow(json.loads(row.values_json)))
    if checked.held:
        why = "; ".join(checked.problems)
        raise outbox.OutboxError(409, f"まだ基幹システムに送れません / still cannot go: {why}")
    return checked.values


async def requeue(
    s: Settings, gw: VisitGateway, p: Principal, record_id: str, reason: str
) -> HandoffRecordRow:
    """Into the next batch: a record the robot failed, or a held one the current 縮退
    table now lets through. A record still in a batch is refused (the robot may yet type
    it in). A visit outside the supervisor's scope is not found, and nothing changes."""
    visit_id = (await run_in_threadpool(_row, s, record_id)).visit_id
    await gw.state(visit_id, p)

    def run() -> HandoffRecordRow:
        row = _row(s, record_id)
        values = _recheck(s, row) if row.status == outbox.HELD else None
        with session_scope(s.sqlalchemy_url) as session:
            outbox.requeue(session, record_id, values)
        with session_scope(s.sqlalchemy_url) as session:
            audit.record_by(
                session, p, action="handoff.requeue", visit_id=visit_id, subject=record_id,
                detail=reason[:200],
            )  # fmt: skip
        return _row(s, record_id)

    row = await run_in_threadpool(run)
    await gw.act(
        visit_id, Action.REQUEUE, RequeueInput(record_id, reason), f"{record_id}-{row.attempt}"
    )
    return row


async def mark_done(
    s: Settings, gw: VisitGateway, p: Principal, record_id: str, reason: str
) -> HandoffRecordRow:
    """Staff typed it into the core system themselves: done, with who and why; the visit
    is told as if the robot had reported."""
    visit_id = (await run_in_threadpool(_row, s, record_id)).visit_id
    await gw.state(visit_id, p)

    def run() -> outbox.Report:
        with session_scope(s.sqlalchemy_url) as session:
            r = outbox.mark_done_by_hand(session, record_id, p.staff_id, reason)
        with session_scope(s.sqlalchemy_url) as session:
            audit.record_by(
                session, p, action="handoff.manual_done", visit_id=visit_id, subject=record_id,
                detail=reason[:200],
            )  # fmt: skip
        return r

    r = await run_in_threadpool(run)
    await rpa_delivery.deliver(
        gw, s.sqlalchemy_url, visit_id=visit_id, record_id=record_id, outcome=r.outcome,
        message=r.message, seq=r.seq,
    )  # fmt: skip
    return await run_in_threadpool(_row, s, record_id)
