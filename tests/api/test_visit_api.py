"""A whole visit through the HTTP API, and the errors a client gets when it goes wrong."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from pypdf import PdfReader
from sqlmodel import select
from temporalio.client import Client

from adapters.db import session_scope
from adapters.tables import AuditRow
from api.app import create_app
from madoguchi.settings import Settings
from madoguchi.worker import build_worker
from tests import factories
from tests.api.conftest import BASE_URL, after_signing, bearer


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_whole_visit_through_http(
    http: httpx.AsyncClient, rpa: dict[str, str], settings: Settings, client: Client
) -> None:
    r = factories.resident(settings.sqlalchemy_url, name_contains="")
    visit = ok(await http.post("/api/visits"), 201)
    vid = visit["visit_id"]
    assert visit["step"] == "reception" and visit["ticket_no"] >= 1

    state = ok(await http.post(f"/api/visits/{vid}/call", json={"counter": "C02"}))
    assert state["staff"] == "staff01"  # who called is the logged-in clerk, not a form field
    state = ok(
        await http.post(
            f"/api/visits/{vid}/identify",
            json={"source": "driver_license", "name": r.name, "birth_date": r.birth_date},
        )
    )
    assert state["step"] == "lookup"
    assert state["candidates"][0]["atena_no"] == r.atena_no
    ok(await http.post(f"/api/visits/{vid}/resident", json={"atena_no": r.atena_no}))
    state = ok(
        await http.post(
            f"/api/visits/{vid}/procedures",
            json={"procedures": ["juminhyo"], "answers": {"copies": "3"}},
        )
    )
    assert state["step"] == "confirm"
    form = state["forms"][0]
    assert form["title"] == "住民票の写し等交付請求書"
    assert {f["key"]: f["value"] for f in form["fields"]}["fee"] == "300円"

    state = ok(
        await http.post(
            f"/api/visits/{vid}/confirm",
            json={
                "signature": {"strokes": [[[0.1, 0.1], [0.9, 0.9]]]},
                "confirmed_form_codes": ["juminhyo_seikyu"],
            },
        )
    )
    assert state["step"] == "print" and state["signed"]  # the documents follow by themselves
    state = ok(await after_signing(http, f"/api/visits/{vid}"))
    assert state["step"] == "await_rpa"

    pdf = await http.get(f"/api/visits/{vid}/documents/forms.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "住民票の写し等交付請求書" in text and "300円" in text

    # The record waits in the outbox until a batch run; then the robot takes it.
    record = state["records"][0]
    assert record["status"] == "queued"
    await factories.run_batch(client, settings.task_queue)
    batches = ok(await http.get("/api/rpa/batches", headers=rpa))
    assert [b["layout"] for b in batches] == ["shomei@2"] and batches[0]["record_count"] == 1
    batch_id = batches[0]["batch_id"]
    lease = ok(await http.post(f"/api/rpa/batches/{batch_id}/claim", headers=rpa))
    leased = {**rpa, "X-Lease-Id": lease["lease_id"]}
    data = (await http.get(lease["csv_url"], headers=leased)).content
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert (
        rows
        == [
            {
                "受付番号": record["record_id"],
                "宛名番号": r.atena_no,
                "手続コード": "101",  # from the code table
                "請求年月日": state["step_entered_at"][:10].replace("-", ""),
                "通数": "3",
                "手数料": "300",
                "請求者氏名": r.name,
            }
        ]
    )
    manifest = ok(await http.get(lease["manifest_url"], headers=leased))
    assert manifest["record_ids"] == [record["record_id"]]
    assert manifest["layout_version"] == "2" and len(manifest["sha256"]) == 64

    url = f"/api/rpa/batches/{batch_id}/records/{record['record_id']}"
    done = ok(
        await http.post(url, json={"lease_id": lease["lease_id"], "outcome": "done"}, headers=rpa)
    )
    assert done == {
        "record_id": record["record_id"], "outcome": "done", "repeated": False,
        "visit_informed": True,
    }  # fmt: skip
    again = ok(
        await http.post(url, json={"lease_id": lease["lease_id"], "outcome": "done"}, headers=rpa)
    )
    assert again["repeated"]  # a repeated report has one effect
    with session_scope(settings.sqlalchemy_url) as session:
        actions = [r.action for r in session.exec(select(AuditRow).where(AuditRow.visit_id == vid))]
    for expected in ("resident.search", "resident.read", "forms.render", "handoff.enqueue"):
        assert expected in actions
    assert ok(await http.get(f"/api/visits/{vid}"))["step"] == "done"


async def test_errors_are_json_with_the_field_and_the_reason(http: httpx.AsyncClient) -> None:
    vid = ok(await http.post("/api/visits"), 201)["visit_id"]

    wrong_step = await http.post(f"/api/visits/{vid}/resident", json={"atena_no": "0000000001"})
    assert wrong_step.status_code == 409
    assert wrong_step.json()["error"]["code"] == "WrongStep"
    assert "住民選択" in wrong_step.json()["error"]["message"]

    missing = await http.post(f"/api/visits/{vid}/call", json={})
    assert missing.status_code == 422
    assert missing.json()["error"]["problems"] == [
        {"field": "counter", "message": "Field required"}
    ]

    invalid = await http.post(f"/api/visits/{vid}/call", json={"counter": "窓口1"})
    assert invalid.status_code == 422
    assert invalid.json()["error"]["code"] == "InvalidInput"
    assert invalid.json()["error"]["problems"][0]["field"] == "counter"

    ok(await http.post(f"/api/visits/{vid}/call", json={"counter": "C01"}))
    bad_source = await http.post(
        f"/api/visits/{vid}/identify",
        json={"source": "passport", "name": "試験", "birth_date": "1990-01-01"},
    )
    assert bad_source.status_code == 422
    assert bad_source.json()["error"]["problems"][0]["field"] == "source"

    bad_date = await http.post(
        f"/api/visits/{vid}/identify",
        json={"source": "manual", "name": "試験　花子", "birth_date": "1990-02-30"},
    )
    assert bad_date.status_code == 422
    problem = bad_date.json()["error"]["problems"][0]
    assert problem == {"field": "birth_date", "message": "存在しない日付です / no such date"}
    # Personal data is never echoed back in an error.
    assert "試験" not in bad_date.text

    assert ok(await http.get(f"/api/visits/{vid}"))["step"] == "identify"

    unknown = await http.get("/api/visits/0123456789abcdef0123456789abcdef")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "VisitNotFound"
    malformed = await http.get("/api/visits/not-a-visit")
    assert malformed.status_code == 422
    no_doc = await http.get(f"/api/visits/{vid}/documents/forms.pdf")
    assert no_doc.status_code == 404


async def test_list_visits_by_step(http: httpx.AsyncClient) -> None:
    vid = ok(await http.post("/api/visits"), 201)["visit_id"]
    for _ in range(50):
        listed = ok(await http.get("/api/visits", params={"step": "reception"}))
        if any(v["visit_id"] == vid for v in listed):
            break
    assert any(v["visit_id"] == vid and v["step"] == "reception" for v in listed)
    bad = await http.get("/api/visits", params={"step": "nowhere"})
    assert bad.status_code == 422 and bad.json()["error"]["problems"][0]["field"] == "step"


async def test_openapi_documents_every_step(http: httpx.AsyncClient) -> None:
    spec = ok(await http.get("/openapi.json"))
    paths = set(spec["paths"])
    for step in (
        "call",
        "identify",
        "resident",
        "navi",
        "procedures",
        "confirm",
        "reprint",
        "cancel",
    ):
        assert f"/api/visits/{{visit_id}}/{step}" in paths
    for path in ("batches", "batches/{batch_id}/claim", "batches/{batch_id}/csv",
                 "batches/{batch_id}/records/{record_id}"):  # fmt: skip
        assert f"/api/rpa/{path}" in paths
    for path in ("records", "records/{record_id}/requeue", "records/{record_id}/done", "run"):
        assert f"/api/handoff/{path}" in paths


async def test_every_access_to_a_visit_is_audited(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    vid = ok(await http.post("/api/visits"), 201)["visit_id"]
    ok(await http.get(f"/api/visits/{vid}"))
    await http.post(
        f"/api/visits/{vid}/resident", json={"atena_no": "1"}
    )  # rejected, still audited
    with session_scope(settings.sqlalchemy_url) as session:
        rows = session.exec(select(AuditRow).where(AuditRow.visit_id == vid)).all()
    assert [r.action for r in rows] == ["http.get_visit", "http.choose_resident"]
    assert {(r.actor, r.role) for r in rows} == {("staff01", "madoguchi_shokuin")}
    assert all(r.terminal for r in rows)


async def test_tickets_are_issued_without_a_worker_and_a_step_retried_after_503_takes_effect_once(
    client: Client, settings: Settings
) -> None:
    quick = settings.model_copy(update={"answer_within_seconds": 1.0})
    app = create_app(quick, client=client)
    ticket_key = {"Idempotency-Key": "ticket-1"}
    call_key = {"Idempotency-Key": "call-1"}
    body = {"counter": "C01"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            http.headers.update(await bearer(http, "staff01"))
            # No worker polls this task queue: the reception desk still issues the ticket
            # (the API issues it and Temporal keeps the started visit) ...
            opened = ok(await http.post("/api/visits", headers=ticket_key), 201)
            assert (opened["ticket_no"], opened["step"]) == (1, "reception")
            vid = opened["visit_id"]
            # ... but a staff step needs the visit's worker: it times out with 503 ...
            down = await http.post(f"/api/visits/{vid}/call", json=body, headers=call_key)
            assert down.status_code == 503
            assert down.json()["error"]["code"] == "WorkerUnavailable"
            with ThreadPoolExecutor(max_workers=16) as executor:
                async with build_worker(client, settings, executor):
                    # ... and retrying with the same key takes effect once. (The fresh worker
                    # first picks the visit up, which may take longer than the 1 s answer
                    # budget here: a retry may itself get 503, and is repeated.)
                    for _ in range(20):
                        again = await http.post(
                            f"/api/visits/{vid}/call", json=body, headers=call_key
                        )
                        if again.status_code != 503:
                            break
                    assert again.status_code == 200 and again.json()["step"] == "identify"
                    # The ticket pressed again is the same visit, as it now stands.
                    repeated = ok(await http.post("/api/visits", headers=ticket_key), 201)
                    assert (repeated["visit_id"], repeated["step"]) == (vid, "identify")
                    state = ok(await http.get(f"/api/visits/{vid}"))
    assert [e["step"] for e in state["history"]] == ["reception", "identify"]
    assert state["ticket_no"] == 1


async def test_a_ticket_key_names_one_visit_even_after_it_finished(
    http: httpx.AsyncClient,
) -> None:
    key = {"Idempotency-Key": "ticket-once"}
    first = ok(await http.post("/api/visits", headers=key), 201)
    assert first["ticket_no"] is not None and first["step"] == "reception"
    again = ok(await http.post("/api/visits", headers=key), 201)
    assert again["visit_id"] == first["visit_id"]
    ok(await http.post(f"/api/visits/{first['visit_id']}/cancel", json={"reason": "取下げ"}))
    after = ok(await http.post("/api/visits", headers=key), 201)
    assert (after["visit_id"], after["step"]) == (first["visit_id"], "cancelled")
