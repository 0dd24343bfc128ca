"""Taking the robot's report on a record to the record's visit, exactly once in effect.

The outbox keeps every report with a sequence number; the visit is told with an update id
made of the record and that number, so telling it twice (the API, then the batch run's
sweep for reports the API could not deliver) has one effect.
"""

from __future__ import annotations

import asyncio

from adapters import outbox
from adapters.db import session_scope
from adapters.temporal_client import VisitGateway, VisitNotFound, VisitRejected
from domain.steps import Action
from domain.visit import RpaOutcome, RpaResultInput
from madoguchi.logging import get_logger
from workflows.errors import WRONG_STEP

log = get_logger(__name__)


def _mark(database_url: str, record_id: str, seq: int) -> None:
    with session_scope(database_url) as session:
        outbox.mark_delivered(session, record_id, seq)


async def deliver(
    gw: VisitGateway,
    database_url: str,
    *,
    visit_id: str,
    record_id: str,
    outcome: str,
    message: str,
    seq: int,
) -> None:
    """Tell the visit; afterwards it has the report, or has nothing left to learn from it
    (cancelled, or the record already done). A visit that does not answer raises, and the
    report stays undelivered for the next sweep."""
    payload = RpaResultInput(record_id, RpaOutcome(outcome), message)
    try:
        await gw.act(visit_id, Action.RPA_RESULT, payload, f"{record_id}-{seq}")
    except VisitRejected as e:
        if e.kind != WRONG_STEP and "already" not in e.message:
            log.warning("report refused by the visit", visit_id=visit_id, kind=e.kind)
    except VisitNotFound:
        log.warning("report for a visit that does not exist", visit_id=visit_id)
    await asyncio.to_thread(_mark, database_url, record_id, seq)


async def deliver_pending(gw: VisitGateway, database_url: str, limit: int = 500) -> int:
    """Reports the visits have not received yet: sent again, oldest first."""

    def rows() -> list[tuple[str, str, str, str, int]]:
        with session_scope(database_url) as session:
            return [
                (r.visit_id, r.record_id, r.status, r.outcome_message, r.report_seq)
                for r in outbox.undelivered(session, limit)
            ]

    done = 0
    for visit_id, record_id, outcome, message, seq in await asyncio.to_thread(rows):
        if outcome not in (outbox.DONE, outbox.ERROR):
            # Re-queued since: that report is stale, the next one will be delivered.
            await asyncio.to_thread(_mark, database_url, record_id, seq)
            continue
        await deliver(
            gw, database_url, visit_id=visit_id, record_id=record_id, outcome=outcome,
            message=message, seq=seq,
        )  # fmt: skip
        done += 1
    return done
