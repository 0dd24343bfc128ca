"""Searching the register over the API: results with households; audited without the text."""

from __future__ import annotations

import httpx
from sqlmodel import col, select

from adapters.db import session_scope
from adapters.tables import AuditRow
from madoguchi.settings import Settings
from tests import factories


async def test_search_and_match_over_the_api(http: httpx.AsyncClient, settings: Settings) -> None:
    r = factories.resident(settings.sqlalchemy_url)
    hits = (await http.get("/api/residents", params={"kind": "kana", "q": r.kana})).json()
    hit = next(h for h in hits if h["atena_no"] == r.atena_no)
    assert any(m["atena_no"] == r.atena_no for m in hit["household"])
    exact = (await http.get("/api/residents", params={"kind": "atena_no", "q": r.atena_no})).json()
    assert [h["atena_no"] for h in exact] == [r.atena_no]
    matched = (
        await http.post(
            "/api/residents/match",
            json={
                "source": "mynumber_card",
                "name": r.name,
                "birth_date": r.birth_date,
                "address": r.full_address,
                "sex": r.sex,
            },
        )
    ).json()
    assert matched["status"] == "one" and matched["person"]["atena_no"] == r.atena_no
    bad = await http.get("/api/residents", params={"kind": "shoe_size", "q": "x"})
    assert bad.status_code == 422
    with session_scope(settings.sqlalchemy_url) as session:
        logged = session.exec(
            select(AuditRow).where(col(AuditRow.action).in_(["resident.search", "resident.match"]))
        ).all()
    assert len(logged) == 3 and all(
        r.name not in row.detail and r.kana not in row.detail for row in logged
    )
