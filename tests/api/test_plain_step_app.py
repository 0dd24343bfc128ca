"""The price-of-durability bench compares the 住民を選択 step with a plain endpoint doing the
same write (bench/plain_step_app.py): that yardstick must be an honest one — the same login
and audit as the real step, and the write really made."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import text
from sqlmodel import select
from temporalio.client import Client

from adapters.db import engine_for, session_scope
from adapters.tables import AuditRow
from bench.plain_step_app import CREATE, PATH, plain_app
from madoguchi.settings import Settings
from tests.api.conftest import BASE_URL, bearer


async def test_the_plain_endpoint_checks_the_login_writes_the_step_and_audits_it(
    client: Client, settings: Settings
) -> None:
    with engine_for(settings.sqlalchemy_url).begin() as conn:
        conn.execute(text(CREATE))
    app = plain_app(settings, client)
    visit_id = uuid.uuid4().hex
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            body = {"atena_no": "000000000001"}
            refused = await http.post(PATH.format(visit_id=visit_id), json=body)
            assert refused.status_code == 401
            assert refused.json()["error"]["code"] == "NotAuthenticated"

            http.headers.update(await bearer(http, "staff01"))
            bad = await http.post(PATH.format(visit_id="not-a-visit"), json=body)
            assert bad.status_code == 422

            r = await http.post(PATH.format(visit_id=visit_id), json=body)
            assert r.status_code == 200, r.text
            assert r.json()["visit_id"] == visit_id

    with engine_for(settings.sqlalchemy_url).connect() as conn:
        rows = conn.execute(
            text("SELECT staff, payload FROM bench_step_writes WHERE visit_id = :v"),
            {"v": visit_id},
        ).all()
    assert [(staff, payload) for staff, payload in rows] == [
        ("staff01", '{"atena_no": "000000000001"}')
    ]
    with session_scope(settings.sqlalchemy_url) as session:
        audited = session.exec(select(AuditRow).where(AuditRow.visit_id == visit_id)).all()
    assert [(a.actor, a.action, a.result) for a in audited] == [
        ("staff01", "http.plain_step", "ok")
    ]
