"""RPA terminal API: the robot reports per application record."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.audit_trail import audit_visit_access
from api.deps import Gateway, IdempotencyKey
from api.staff import VisitId
from domain.steps import Action
from domain.visit import RpaOutcome, RpaResultInput, VisitState

router = APIRouter(
    prefix="/api/rpa", tags=["rpa RPA端末"], dependencies=[Depends(audit_visit_access)]
)


@router.post("/visits/{visit_id}/results", response_model=VisitState)
async def report_result(
    visit_id: VisitId, body: RpaResultInput, gw: Gateway, key: IdempotencyKey = None
) -> VisitState:
    """Report one record: done, or error with the core system's message.

    A repeated "done" report for a record takes effect once, key or not; for errors send
    the same Idempotency-Key when repeating a report.
    """
    if key is None and body.outcome == RpaOutcome.DONE:
        key = f"{body.record_id}-done"
    return await gw.act(visit_id, Action.RPA_RESULT, body, key)
