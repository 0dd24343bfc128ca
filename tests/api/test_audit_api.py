"""Auditors search and export who touched which visit; reading the log is itself audited."""

from __future__ import annotations

import csv
import io

import httpx

from tests.api.conftest import bearer


async def test_auditor_finds_every_access_to_a_visit_and_exports_csv(
    anon: httpx.AsyncClient,
) -> None:
    staff = await bearer(anon, "staff01")
    auditor = await bearer(anon, "kantoku01")
    vid = (await anon.post("/api/visits", headers=staff)).json()["visit_id"]
    await anon.get(f"/api/visits/{vid}", headers=staff)
    await anon.get(f"/api/visits/{vid}", headers=await bearer(anon, "staff02"))  # out of scope

    rows = (await anon.get("/api/audit", params={"visit_id": vid}, headers=auditor)).json()
    assert [(r["actor"], r["action"], r["result"]) for r in rows] == [
        ("staff01", "http.get_visit", "ok"),
        ("staff02", "http.get_visit", "VisitNotFound"),
    ]
    assert all(r["row_hash"] and r["terminal"] for r in rows)

    exported = await anon.get(
        "/api/audit", params={"visit_id": vid, "format": "csv"}, headers=auditor
    )
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["actor"] for r in table] == ["staff01", "staff02"]

    chain = (await anon.get("/api/audit/verify", headers=auditor)).json()
    assert chain["ok"] is True and chain["rows"] > 5
    searches = (
        await anon.get("/api/audit", params={"action": "audit.search"}, headers=auditor)
    ).json()
    assert {r["actor"] for r in searches} == {"kantoku01"}

    refused = await anon.get("/api/audit", headers=staff)
    assert refused.status_code == 403
    bad = await anon.get("/api/audit", params={"actor": "x' or 1=1 --"}, headers=auditor)
    assert bad.status_code == 422
