"""RPA terminal API: the robot lists ready batches, claims one under a lease, downloads its
CSV and manifest, and reports each record: done, or error with the core system's message.

A lease runs out (``MADO_RPA_LEASE_SECONDS``) so a crashed robot's batch returns to the
queue; a report under a lease that moved on is refused. The same report twice has one
effect. Each report reaches its visit at once, or through the next batch run's sweep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, field_validator
from starlette.concurrency import run_in_threadpool

from adapters import audit, outbox
from adapters.db import session_scope
from adapters.object_store import ObjectStore
from adapters.tables import HandoffBatchRow
from adapters.users import as_utc
from api.auth import require
from api.deps import Gateway, Store
from api.deps import settings as get_settings
from domain.security import Permission, Principal
from domain.visit import RpaOutcome
from madoguchi import rpa_delivery

router = APIRouter(prefix="/api/rpa", tags=["rpa RPA端末"])
Robot = Annotated[Principal, Depends(require(Permission.RPA_REPORT))]
BatchId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_\-]{1,120}$")]
RecordId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_\-]{1,120}$")]
LeaseHeader = Annotated[
    str, Header(alias="X-Lease-Id", max_length=64, description="The lease from the claim")
]
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class BatchInfo:
    batch_id: str
    layout: str
    status: str
    record_count: int
    sha256: str
    ready_at: datetime | None
    lease_holder: str
    lease_until: datetime | None


@dataclass
class LeaseInfo:
    batch_id: str
    lease_id: str
    lease_until: datetime
    csv_url: str
    manifest_url: str


class RecordReport(BaseModel):
    lease_id: str = Field(min_length=1, max_length=64)
    outcome: RpaOutcome
    message: str = Field(default="", max_length=1000, description="The core system's message")

    @field_validator("message")
    @classmethod
    def _no_control(cls, v: str) -> str:
        if _CONTROL.search(v):
            raise ValueError("制御文字は使えません / control characters are not allowed")
        return v


@dataclass
class ReportResult:
    record_id: str
    outcome: str
    repeated: bool  # the same report as before: nothing new happened
    visit_informed: bool


def _info(b: HandoffBatchRow) -> BatchInfo:
    return BatchInfo(
        b.batch_id, b.layout, b.status, b.record_count, b.sha256, as_utc(b.ready_at),
        b.lease_holder, as_utc(b.lease_until),
    )  # fmt: skip


def _url(request: Request) -> str:
    return get_settings(request).sqlalchemy_url


@router.get("/batches", response_model=list[BatchInfo])
async def list_batches(request: Request, p: Robot) -> list[BatchInfo]:
    """Batches ready to be typed in: never claimed, or their lease ran out."""

    def run() -> list[BatchInfo]:
        with session_scope(_url(request)) as session:
            return [_info(b) for b in outbox.claimable(session)]

    return await run_in_threadpool(run)


@router.post("/batches/{batch_id}/claim", response_model=LeaseInfo)
async def claim(request: Request, batch_id: BatchId, p: Robot) -> LeaseInfo:
    """Take the batch for ``MADO_RPA_LEASE_SECONDS``; claiming again while holding it
    extends the lease. Held by another robot → 409."""
    seconds = get_settings(request).rpa_lease_seconds

    def run() -> LeaseInfo:
        with session_scope(_url(request)) as session:
            lease = outbox.claim(session, batch_id, p.staff_id, seconds)
        with session_scope(_url(request)) as session:
            audit.record_by(session, p, action="rpa.claim", subject=batch_id)
        base = f"/api/rpa/batches/{batch_id}"
        until = lease.until.replace(tzinfo=UTC)
        return LeaseInfo(batch_id, lease.lease_id, until, f"{base}/csv", f"{base}/manifest")

    return await run_in_threadpool(run)


def _leased_object(
    request: Request, store: ObjectStore, p: Principal, batch_id: str, lease: str, csv: bool
) -> bytes:
    with session_scope(_url(request)) as session:
        b = outbox.check_lease(session, batch_id, lease)
        key = b.object_key if csv else b.manifest_key
    if csv:  # the file holds names and addresses: every read is audited
        with session_scope(_url(request)) as session:
            audit.record_by(session, p, action="rpa.download", subject=batch_id)
    return store.get(key)


@router.get("/batches/{batch_id}/csv", response_class=Response)
async def download_csv(
    request: Request, batch_id: BatchId, p: Robot, store: Store, lease: LeaseHeader
) -> Response:
    """The batch's CSV, in its layout's encoding (see the manifest), under a valid lease."""

    def run() -> tuple[bytes, str]:
        data = _leased_object(request, store, p, batch_id, lease, csv=True)
        with session_scope(_url(request)) as session:
            ref = outbox.batch(session, batch_id).layout
            encoding = outbox.layout(session, ref).encoding
        return data, encoding

    data, encoding = await run_in_threadpool(run)
    charset = "Shift_JIS" if encoding == "cp932" else "utf-8"
    return Response(
        data,
        media_type=f"text/csv; charset={charset}",
        headers={"Content-Disposition": f'attachment; filename="{batch_id}.csv"'},
    )


@router.get("/batches/{batch_id}/manifest", response_class=Response)
async def download_manifest(
    request: Request, batch_id: BatchId, p: Robot, store: Store, lease: LeaseHeader
) -> Response:
    """Record count, record ids, sha256 and layout version of the CSV."""
    data = await run_in_threadpool(_leased_object, request, store, p, batch_id, lease, False)
    return Response(data, media_type="application/json")


@router.post("/batches/{batch_id}/records/{record_id}", response_model=ReportResult)
async def report(
    request: Request,
    batch_id: BatchId,
    record_id: RecordId,
    body: RecordReport,
    gw: Gateway,
    p: Robot,
) -> ReportResult:
    """One record typed in (done) or refused by the core system (error, with its message).
    The same report again answers as before; a record of another batch, an unknown one,
    or a lease that has moved on is refused with the reason."""
    if body.outcome == RpaOutcome.ERROR and not body.message.strip():
        raise outbox.OutboxError(
            422, "エラー報告には基幹システムのメッセージが必要です / error needs a message"
        )

    def run() -> outbox.Report:
        with session_scope(_url(request)) as session:
            r = outbox.report(
                session, batch_id, body.lease_id, record_id, body.outcome, body.message,
                p.staff_id,
            )  # fmt: skip
        if r.changed:
            with session_scope(_url(request)) as session:
                audit.record_by(
                    session, p, action="rpa.report", visit_id=r.visit_id, subject=record_id,
                    result=r.outcome,
                )  # fmt: skip
        return r

    r = await run_in_threadpool(run)
    if not r.delivered:  # a visit that does not answer makes this a 503: report again
        await rpa_delivery.deliver(
            gw, _url(request), visit_id=r.visit_id, record_id=record_id, outcome=r.outcome,
            message=r.message, seq=r.seq,
        )  # fmt: skip
    return ReportResult(record_id, r.outcome, not r.changed, visit_informed=True)
