"""Resident register imports for the city's administrators: what came in, what became of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import col, func, select
from starlette.concurrency import run_in_threadpool

from adapters.db import session_scope
from adapters.tables import ImportRow, QuarantineRow
from api.auth import require
from api.deps import settings as get_settings
from domain.security import Permission, Principal

router = APIRouter(prefix="/api/admin/imports", tags=["admin 住民記録取込"])
RegisterAdmin = Annotated[Principal, Depends(require(Permission.REGISTER_ADMIN))]


@dataclass
class ImportSummary:
    file_key: str
    kind: str
    rows: int
    status: str
    reason: str
    applied: int
    quarantined: int
    started_at: datetime
    finished_at: datetime | None


@dataclass
class ImportsAnswer:
    counts: dict[str, int]
    imports: list[ImportSummary]


@router.get("", response_model=ImportsAnswer)
async def list_imports(
    request: Request, p: RegisterAdmin, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> ImportsAnswer:
    """Every inbound file, newest first, with counts by status (done, rejected, duplicate …)."""

    def run() -> ImportsAnswer:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            counts = dict(
                session.exec(
                    select(ImportRow.status, func.count()).group_by(ImportRow.status)
                ).all()
            )
            rows = session.exec(
                select(ImportRow).order_by(col(ImportRow.started_at).desc()).limit(limit)
            ).all()
            return ImportsAnswer(
                counts={str(k): int(v) for k, v in counts.items()},
                imports=[
                    ImportSummary(
                        r.file_key,
                        r.kind,
                        r.rows,
                        r.status,
                        r.reason,
                        r.applied,
                        r.quarantined,
                        r.started_at,
                        r.finished_at,
                    )
                    for r in rows
                ],
            )

    return await run_in_threadpool(run)


@dataclass
class QuarantinedRow:
    file_key: str
    row: int
    item: str
    reason: str


@router.get("/quarantine", response_model=list[QuarantinedRow])
async def quarantine(
    request: Request,
    p: RegisterAdmin,
    file_key: Annotated[str, Query(min_length=1, max_length=300)],
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[QuarantinedRow]:
    """The rows of one file that were held back: row number, item and reason (no values)."""

    def run() -> list[QuarantinedRow]:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            rows = session.exec(
                select(QuarantineRow)
                .where(QuarantineRow.file_key == file_key)
                .order_by(col(QuarantineRow.row))
                .limit(limit)
            ).all()
            return [QuarantinedRow(r.file_key, r.row, r.item, r.reason) for r in rows]

    return await run_in_threadpool(run)
