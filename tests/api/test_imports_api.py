"""Administrators see every inbound file, its status and its quarantined rows, with counts."""

from __future__ import annotations

import httpx

from adapters.db import session_scope
from adapters.tables import ImportRow, QuarantineRow
from madoguchi.settings import Settings
from tests.api.conftest import bearer


async def test_imports_and_quarantine_with_counts(
    anon: httpx.AsyncClient, settings: Settings
) -> None:
    with session_scope(settings.sqlalchemy_url) as session:
        session.add(
            ImportRow(
                file_key="inbound/juki/a.csv", sha256="a", status="done", applied=9, quarantined=1
            )
        )
        session.add(
            ImportRow(
                file_key="inbound/juki/b.csv", sha256="b", status="rejected", reason="checksum"
            )
        )
        session.add(
            QuarantineRow(
                file_key="inbound/juki/a.csv", row=5, item="birth_date", reason="no such date"
            )
        )
        session.commit()
    admin = await bearer(anon, "admin01")
    answer = (await anon.get("/api/admin/imports", headers=admin)).json()
    assert answer["counts"] == {"done": 1, "rejected": 1}
    assert {i["file_key"]: i["status"] for i in answer["imports"]} == {
        "inbound/juki/a.csv": "done",
        "inbound/juki/b.csv": "rejected",
    }
    held = (
        await anon.get(
            "/api/admin/imports/quarantine",
            params={"file_key": "inbound/juki/a.csv"},
            headers=admin,
        )
    ).json()
    assert held == [
        {"file_key": "inbound/juki/a.csv", "row": 5, "item": "birth_date", "reason": "no such date"}
    ]
    staff = await bearer(anon, "staff01")
    assert (await anon.get("/api/admin/imports", headers=staff)).status_code == 403
