"""Supervisors and the outbox: what is held or failed, re-queue a record, mark one done by
hand (typed into the core system by staff), and start a batch now. All audited."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from adapters import outbox
from adapters.db import session_scope
from adapters.schedules import trigger_handoff
from adapters.tables import HandoffRecordRow
from adapters.users import as_utc
from api.auth import require
from api.deps import Gateway
from api.deps import settings as get_settings
from api.rpa import RecordId
from domain.security import Permission, Principal
from madoguchi import handoff_admin

router = APIRouter(prefix="/api/handoff", tags=["handoff 基幹連携"])
Supervisor = Annotated[Principal, Depends(require(Permission.HANDOFF_REQUEUE))]
Status = Literal["pending", "held", "batched", "done", "error"]


@dataclass
class RecordInfo:
    """A record without its values: those are personal data and stay in the outbox."""

    record_id: str
    visit_id: str
    procedure_code: str
    layout: str
    status: str
    batch_id: str | None
    attempt: int
    message: str
    reported_by: str
    reported_at: datetime | None
    problems: list[str] = field(default_factory=list)
    degraded: list[str] = field(default_factory=list)


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")


def _info(r: HandoffRecordRow) -> RecordInfo:
    return RecordInfo(
        r.record_id, r.visit_id, r.procedure_code, r.layout, r.status, r.batch_id, r.attempt,
        r.outcome_message, r.reported_by, as_utc(r.reported_at), json.loads(r.problems),
        json.loads(r.degraded),
    )  # fmt: skip


@router.get("/records", response_model=list[RecordInfo])
async def list_records(
    request: Request,
    p: Supervisor,
    status: Annotated[list[Status] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[RecordInfo]:
    """Records by status (default: those that need a person — held and error)."""
    wanted = list(status or ["held", "error"])

    def run() -> list[RecordInfo]:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            return [_info(r) for r in outbox.records_by_status(session, wanted, limit)]

    return await run_in_threadpool(run)


@router.get("/summary")
async def summary(request: Request, p: Supervisor) -> dict[str, int]:
    """How many records are in each status."""

    def run() -> dict[str, int]:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            return outbox.counts(session)

    return await run_in_threadpool(run)


@router.post("/run", status_code=202)
async def run_now(request: Request, p: Supervisor) -> dict[str, str]:
    """Batch the pending records now instead of at the next interval."""
    s = get_settings(request)
    await trigger_handoff(request.app.state.gateway.client, s.task_queue, s.handoff_batch_limit)
    return {"status": "started"}


@router.post("/records/{record_id}/requeue", response_model=RecordInfo)
async def requeue(
    request: Request, record_id: RecordId, body: Reason, gw: Gateway, p: Supervisor
) -> RecordInfo:
    """Into the next batch: a record the robot failed, or a held one that the current
    縮退 table now lets through. A record still in a batch is refused (the robot may yet
    type it in)."""
    return _info(await handoff_admin.requeue(get_settings(request), gw, p, record_id, body.reason))


@router.post("/records/{record_id}/done", response_model=RecordInfo)
async def mark_done(
    request: Request, record_id: RecordId, body: Reason, gw: Gateway, p: Supervisor
) -> RecordInfo:
    """Staff typed it into the core system themselves: the record is done, with the reason
    and who did it; the visit is told as if the robot had reported."""
    row = await handoff_admin.mark_done(get_settings(request), gw, p, record_id, body.reason)
    return _info(row)
