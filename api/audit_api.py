"""The audit log for the city's auditors: search, CSV export, chain check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from adapters import audit
from adapters.db import session_scope
from adapters.tables import AuditRow
from api.auth import require
from api.deps import settings as get_settings
from domain.security import Permission, Principal
from madoguchi.audit_cli import to_csv

router = APIRouter(prefix="/api/audit", tags=["audit 監査"])
Auditor = Annotated[Principal, Depends(require(Permission.AUDIT_READ))]
Code = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.@:\-]+$")]


@dataclass
class ChainStatus:
    ok: bool
    rows: int
    problem: str
    row_id: int | None


def _search(url: str, q: audit.AuditQuery, auditor: Principal) -> list[AuditRow]:
    with session_scope(url) as session:
        rows = audit.search(session, q)
        # Reading the audit log is itself audited.
        audit.record_by(session, auditor, action="audit.search", detail=f"rows={len(rows)}")
        return rows


@router.get("", response_model=list[AuditRow])
async def search_audit(
    request: Request,
    p: Auditor,
    actor: Code = None,
    action: Code = None,
    visit_id: Code = None,
    subject: Code = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> list[AuditRow] | Response:
    """Who did what, when, from which terminal, on which visit or resident; CSV with format=csv."""
    q = audit.AuditQuery(actor, action, visit_id, subject, since, until, limit)
    rows = await run_in_threadpool(_search, get_settings(request).sqlalchemy_url, q, p)
    if format == "csv":
        return Response(
            to_csv(rows).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
        )
    return rows


@router.get("/verify", response_model=ChainStatus)
async def verify_chain(request: Request, p: Auditor) -> ChainStatus:
    def run() -> audit.ChainReport:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            return audit.verify(session)

    report = await run_in_threadpool(run)
    return ChainStatus(report.ok, report.rows, report.problem, report.row_id)
