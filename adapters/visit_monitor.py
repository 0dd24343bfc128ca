"""What a supervisor's dashboard asks Temporal: the open visits from visibility (search
attributes only, no workflow is queried for the list), and, for the few visits in an
automatic step, whether an activity behind them keeps failing."""

from __future__ import annotations

import asyncio

from temporalio.client import Client

from adapters.temporal_client import VisitGateway, workflow_id
from domain.security import Principal
from domain.stalls import FailingActivity, OpenVisit
from domain.steps import AUTOMATIC_STEPS

# A counter has at most a few hundred visits open at once; more is a runaway and is cut.
MAX_OPEN = 5000


async def open_visits(gw: VisitGateway, viewer: Principal | None) -> list[OpenVisit]:
    return [
        OpenVisit(
            v.visit_id,
            v.step,
            v.step_entered_at,
            v.counter,
            v.staff,
            v.procedures,
            v.needs_attention,
        )
        for v in await gw.list(open_only=True, limit=MAX_OPEN, viewer=viewer)
    ]


async def _failing(client: Client, visit_id: str, min_attempts: int) -> list[FailingActivity]:
    described = await client.get_workflow_handle(workflow_id(visit_id)).describe()
    return [
        FailingActivity(
            visit_id,
            a.activity_type.name,
            a.attempt,
            a.last_failure.message if a.HasField("last_failure") else "",
        )
        for a in described.raw_description.pending_activities
        if a.attempt >= min_attempts
    ]


async def failing_activities(
    client: Client, visits: list[OpenVisit], min_attempts: int
) -> list[FailingActivity]:
    """Activities retried ``min_attempts`` times or more. Only visits in an automatic step
    (or flagged) can have one that matters, so only those are described."""
    suspects = [
        v.visit_id
        for v in visits
        if v.step in {s.value for s in AUTOMATIC_STEPS} or v.needs_attention
    ]
    found = await asyncio.gather(*(_failing(client, vid, min_attempts) for vid in suspects))
    return [f for group in found for f in group]
