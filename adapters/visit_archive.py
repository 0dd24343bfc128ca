"""Finished visits for analysis: closed CounterVisit workflows in a period, within the
viewer's department — from the memo visibility lists with them (the event log a visit
keeps when it finishes), or, for visits older than that, from their results."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from adapters.temporal_client import VisitGateway
from domain.event_log import state_from_memo
from domain.security import Principal
from domain.visit import VisitState

# A month of a large city's counter is ~15,000 visits; more in one export is refused.
MAX_VISITS = 50_000
_PARALLEL = 16


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def finished_visits(
    gw: VisitGateway, since: datetime, until: datetime, viewer: Principal | None
) -> list[VisitState]:
    clauses = [
        *gw.visits_of(viewer),
        "ExecutionStatus = 'Completed'",
        f"CloseTime >= '{_iso(since)}'",
        f"CloseTime < '{_iso(until)}'",
    ]
    from_memo: list[VisitState] = []
    without: list[str] = []
    async for wf in gw.client.list_workflows(" AND ".join(clauses), limit=MAX_VISITS):
        memo = await wf.memo()
        if isinstance(memo.get("event_log"), dict):
            from_memo.append(state_from_memo(wf.id.removeprefix("visit-"), memo["event_log"]))
        else:
            without.append(wf.id)  # finished before visits kept their log in the memo
    gate = asyncio.Semaphore(_PARALLEL)

    async def result(wid: str) -> VisitState:
        async with gate:
            handle = gw.client.get_workflow_handle(wid, result_type=VisitState)
            state: VisitState = await handle.result()
            return state

    states = from_memo + list(await asyncio.gather(*(result(wid) for wid in without)))
    return sorted(states, key=lambda s: s.history[0].entered_at if s.history else "")
