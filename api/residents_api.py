"""Searching the resident register from the counter, and matching an ID card to it.

Every search is audited — who, which kind of search, how many results — but not the
searched text itself, which is personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from adapters import audit, residents
from adapters.db import session_scope
from api.auth import require
from api.deps import settings as get_settings
from domain.resident import ResidentRecord
from domain.resident_search import CardMatch, SearchKind, match_card
from domain.security import Permission, Principal
from domain.visit import IdCardData

router = APIRouter(prefix="/api/residents", tags=["residents 住民検索"])
Searcher = Annotated[Principal, Depends(require(Permission.RESIDENT_SEARCH))]


@dataclass
class Member:
    atena_no: str
    name: str
    kana: str
    relationship: str
    birth_date: str


@dataclass
class ResidentHit:
    atena_no: str
    household_no: str
    name: str
    kana: str
    birth_date: str
    sex: str
    address: str
    relationship: str
    status: str
    resident_type: str
    household: list[Member] = field(default_factory=list)


def _hit(r: ResidentRecord, members: list[ResidentRecord]) -> ResidentHit:
    return ResidentHit(
        r.atena_no, r.household_no, r.name, r.kana, r.birth_date, r.sex, r.full_address,
        r.relationship, r.status, r.resident_type,
        [Member(m.atena_no, m.name, m.kana, m.relationship, m.birth_date) for m in members],
    )  # fmt: skip


def _audit(request: Request, p: Principal, action: str, detail: str) -> None:
    with session_scope(get_settings(request).sqlalchemy_url) as session:
        audit.record_by(session, p, action=action, detail=detail)


@router.get("", response_model=list[ResidentHit])
async def search_residents(
    request: Request,
    p: Searcher,
    kind: SearchKind,
    q: Annotated[str, Query(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")],
    limit: Annotated[int, Query(ge=1, le=200)] = 30,
) -> list[ResidentHit]:
    """By kana or name (prefix, variants folded), birth date, address (町字から), or exactly by
    宛名番号 / 住民票コード; current residents first, each with their household."""

    def run() -> list[ResidentHit]:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            found = residents.search(session, kind, q, limit)
            homes = residents.households(session, sorted({r.household_no for r in found}))
        _audit(request, p, "resident.search", f"kind={kind} results={len(found)}")
        return [_hit(r, homes.get(r.household_no, [])) for r in found]

    return await run_in_threadpool(run)


@router.post("/match", response_model=CardMatch)
async def match(request: Request, p: Searcher, card: IdCardData) -> CardMatch:
    """The ID card's four items against the register: one person, none, or several."""

    def run() -> CardMatch:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            result = match_card(card, residents.search_for_card(session, card))
        _audit(request, p, "resident.match", f"status={result.status}")
        return result

    return await run_in_threadpool(run)
