"""RPA terminal API: the robot reports per application record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.auth import require
from api.deps import Gateway, IdempotencyKey
from api.staff import VisitId
from domain.security import Permission, Principal
from domain.steps import Action
from domain.visit import RpaOutcome, RpaResultInput, VisitState

router = APIRouter(prefix="/api/rpa", tags=["rpa RPA端末"])
Robot = Annotated[Principal, Depends(require(Permission.RPA_REPORT))]


@router.post("/visits/{visit_id}/results", response_model=VisitState)
async def report_result(
    visit_id: VisitId, body: RpaResultInput, gw: Gateway, p: Robot, key: IdempotencyKey = None
) -> VisitState:
    """Report one record: done, or error with the core system's message.

    A repeated "done" report for a record takes effect once, key or not; for errors send
    the same Idempotency-Key when repeating a report.
    """
    if key is None and body.outcome == RpaOutcome.DONE:
        key = f"{body.record_id}-done"
    return await gw.act(visit_id, Action.RPA_RESULT, body, key, p)
