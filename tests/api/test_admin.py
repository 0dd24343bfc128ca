"""The yearly personnel update and role editing, as the city's administrator does them."""

from __future__ import annotations

import re

import httpx
from sqlmodel import select

from adapters.db import session_scope
from adapters.tables import AuditRow
from madoguchi.seed import demo_password
from madoguchi.settings import Settings
from tests.api.conftest import bearer

ROSTER = (
    "staff_id,display_name,roles,department,counter_group,active,card_id\n"
    "staff01,窓口 一郎,kantokusha,shimin,honcho,1,\n"  # promoted
    "staff02,支所 花子,madoguchi_shokuin,shimin,honcho,1,\n"  # moved to the main office
    "kakunin01,確認 次郎,kakuninsha,shimin,honcho,1,\n"
    "kantoku01,監督 三郎,kantokusha,shimin,honcho,1,\n"
    "admin01,管理 四郎,system_kanrisha,shimin,honcho,1,\n"
    "rpa01,RPA端末1,rpa_tanmatsu,shimin,honcho,1,\n"
    "new01,新人 六子,madoguchi_shokuin,shimin,honcho,1,AABBCCDD11223344\n"
    # bpr01 is not on the roster: deactivated
)


async def test_dry_run_then_apply_the_roster(anon: httpx.AsyncClient, settings: Settings) -> None:
    admin = await bearer(anon, "admin01")
    bpr = await bearer(anon, "bpr01")
    headers = {**admin, "content-type": "text/csv"}
    dry = await anon.post("/api/admin/users/import", content=ROSTER.encode(), headers=headers)
    assert dry.status_code == 200
    assert dry.json()["applied"] is False
    changes = {(c["staff_id"], c["what"]) for c in dry.json()["changes"]}
    assert changes == {
        ("staff01", "roles"),
        ("staff02", "placement"),
        ("new01", "add"),
        ("bpr01", "deactivate"),
    }
    assert (await anon.get("/api/auth/me", headers=bpr)).status_code == 200  # nothing changed yet

    applied = await anon.post(
        "/api/admin/users/import",
        params={"apply": "true"},
        content=ROSTER.encode(),
        headers=headers,
    )
    assert applied.json()["applied"] is True
    me = (await anon.get("/api/auth/me", headers=await bearer(anon, "staff01"))).json()
    assert me["roles"] == ["kantokusha"] and me["scope"] == "department"
    # The deactivated user is logged out everywhere and cannot log in; their history stays.
    assert (await anon.get("/api/auth/me", headers=bpr)).status_code == 401
    refused = await anon.post(
        "/api/auth/login", json={"staff_id": "bpr01", "password": demo_password("bpr01")}
    )
    assert refused.status_code == 401
    with session_scope(settings.sqlalchemy_url) as session:
        history = session.exec(select(AuditRow).where(AuditRow.actor == "bpr01")).all()
        changes_logged = session.exec(select(AuditRow).where(AuditRow.actor == "admin01")).all()
    assert any(r.action == "login.password" and r.result == "ok" for r in history)
    assert {r.action for r in changes_logged} >= {"user.add", "user.roles", "user.deactivate"}


async def test_a_bad_roster_changes_nothing_and_names_the_rows(anon: httpx.AsyncClient) -> None:
    admin = {**await bearer(anon, "admin01"), "content-type": "text/csv"}
    bad = ROSTER + "x y,名前,nosuch,shimin,honcho,1,\n"
    r = await anon.post(
        "/api/admin/users/import", params={"apply": "true"}, content=bad.encode(), headers=admin
    )
    assert r.status_code == 422
    assert "9行目 staff_id" in r.json()["error"]["message"]
    assert "9行目 roles" in r.json()["error"]["message"]
    users = (await anon.get("/api/admin/users", headers=admin)).json()
    assert "new01" not in {u["staff_id"] for u in users}
    sjis = await anon.post("/api/admin/users/import", content=ROSTER.encode("cp932"), headers=admin)
    assert sjis.status_code == 422 and "UTF-8" in sjis.json()["error"]["message"]


async def test_admin_edits_a_role_and_it_takes_effect_at_once(anon: httpx.AsyncClient) -> None:
    admin = await bearer(anon, "admin01")
    staff = await bearer(anon, "staff01")
    assert (await anon.get("/api/catalog", headers=staff)).status_code == 200
    role = {
        "name": "窓口職員",
        "scope": "counter_group",
        "permissions": ["visit.create", "visit.read", "visit.step"],
    }
    saved = await anon.put("/api/admin/roles/madoguchi_shokuin", json=role, headers=admin)
    assert saved.status_code == 200
    assert (await anon.get("/api/catalog", headers=staff)).status_code == 403
    bad = {**role, "permissions": ["visit.fly"]}
    refused = await anon.put("/api/admin/roles/madoguchi_shokuin", json=bad, headers=admin)
    assert refused.status_code == 422 and "visit.fly" in refused.json()["error"]["message"]
    assert (await anon.put("/api/admin/roles/x", json=role, headers=staff)).status_code == 403


async def test_admin_screens_edit_a_role_and_dry_run_a_roster(anon: httpx.AsyncClient) -> None:
    r = await anon.post(
        "/login", data={"staff_id": "admin01", "password": demo_password("admin01"), "next": "/"}
    )
    home = await anon.get(r.headers["location"], follow_redirects=True)
    assert home.url.path == "/admin/users" and "職員名簿の取込" in home.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert csrf is not None
    token = csrf.group(1)

    files = {"file": ("roster.csv", ROSTER.encode(), "text/csv")}
    dry = await anon.post("/admin/users/import", data={"csrf_token": token}, files=files)
    assert dry.status_code == 200 and "ドライラン" in dry.text and "bpr01" in dry.text

    roles_page = await anon.get("/admin/roles")
    assert "madoguchi_shokuin" in roles_page.text
    saved = await anon.post(
        "/admin/roles/bpr_bunsekisha",
        data={
            "csrf_token": token,
            "name": "BPR分析者",
            "scope": "department",
            "permissions": ["bpr.export"],
        },
    )
    assert saved.status_code == 303
    forged = await anon.post(
        "/admin/roles/bpr_bunsekisha",
        data={"name": "x", "scope": "all", "permissions": ["audit.read"]},
    )
    assert forged.status_code == 403  # no CSRF token
    bad = await anon.post(
        "/admin/roles/bpr_bunsekisha",
        data={"csrf_token": token, "name": "x", "scope": "galaxy", "permissions": []},
    )
    assert bad.status_code == 422 and "galaxy" in bad.text
