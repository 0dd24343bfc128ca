"""Supervisors (監督者): the live dashboard — counts and stalled visits — and the actions
that unstick a visit: reassign, retry, cancel. Each action is audited with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from api.auth import require
from api.deps import Gateway, IdempotencyKey
from api.deps import settings as get_settings
from api.staff import VisitId
from domain.security import Permission, Principal
from domain.visit import CancelInput, ReassignInput, VisitState
from madoguchi import supervision
from madoguchi.supervision import Dashboard

router = APIRouter(prefix="/api/supervisor", tags=["supervisor 監督者"])
Supervisor = Annotated[Principal, Depends(require(Permission.VISIT_SUPERVISE))]


@dataclass
class RetryRequest:
    reason: str


@router.get("/dashboard", response_model=Dashboard)
async def dashboard(request: Request, gw: Gateway, p: Supervisor) -> Dashboard:
    """Open visits by step, counter and procedure, and the stalled ones with their reason
    and age (thresholds per step: ``MADO_STALL_MINUTES``), oldest first."""
    return await supervision.dashboard(get_settings(request), gw, p)


@router.post("/visits/{visit_id}/retry", response_model=VisitState)
async def retry(
    visit_id: VisitId,
    body: RetryRequest,
    request: Request,
    gw: Gateway,
    p: Supervisor,
    key: IdempotencyKey = None,
) -> VisitState:
    """再試行 at RPA結果待ち: failed records back into the queue, a batch now, a fresh wait."""
    return await supervision.retry(get_settings(request), gw, p, visit_id, body.reason, key)


@router.post("/visits/{visit_id}/reassign", response_model=VisitState)
async def reassign(
    visit_id: VisitId,
    body: ReassignInput,
    request: Request,
    gw: Gateway,
    p: Supervisor,
    key: IdempotencyKey = None,
) -> VisitState:
    """担当変更: another counter and/or clerk takes the visit over where it stands."""
    return await supervision.reassign(get_settings(request), gw, p, visit_id, body, key)


@router.post("/visits/{visit_id}/cancel", response_model=VisitState)
async def cancel(
    visit_id: VisitId,
    body: CancelInput,
    request: Request,
    gw: Gateway,
    p: Supervisor,
    key: IdempotencyKey = None,
) -> VisitState:
    """取消 with a reason (only before the data has gone to the core system)."""
    return await supervision.cancel(get_settings(request), gw, p, visit_id, body.reason, key)
