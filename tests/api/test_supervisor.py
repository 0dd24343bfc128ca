"""The supervisor's dashboard against the real Temporal server: stalled visits appear with
their reason, and reassign / retry move them on; every action is audited."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlmodel import select
from temporalio.client import Client

from adapters.db import session_scope
from adapters.tables import AuditRow
from adapters.temporal_client import VisitGateway
from domain.steps import Action, Step
from madoguchi.settings import Settings
from tests import factories
from tests.api.conftest import bearer
from tests.workflow.test_counter_visit import walk_to_confirm


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Waiting for the robot for more than a second is "too long" here.
    return settings.model_copy(update={"stall_minutes": {"await_rpa": 1 / 60}})


async def _stall_of(http: httpx.AsyncClient, h: dict[str, str], visit_id: str) -> dict[str, Any]:
    """The visit's line in the stalled list, once visibility and the clock show it."""
    for _ in range(100):
        board = (await http.get("/api/supervisor/dashboard", headers=h)).json()
        for s in board["stalled"]:
            if s["visit_id"] == visit_id:
                return dict(s)
        await asyncio.sleep(0.2)
    raise AssertionError(f"{visit_id} never showed as stalled: {board}")


async def _robot(
    http: httpx.AsyncClient, h: dict[str, str], records: int, outcome: dict[str, str]
) -> None:
    """Take ready batches until ``records`` records are reported, each as ``outcome`` says
    (default done). A batch run writes one batch per layout, one after another, so the
    first listing may hold only some of them — as a real robot does, look again."""
    reported = 0
    for _ in range(150):
        for b in (await http.get("/api/rpa/batches", headers=h)).json():
            lease = (await http.post(f"/api/rpa/batches/{b['batch_id']}/claim", headers=h)).json()
            manifest = (
                await http.get(
                    f"/api/rpa/batches/{b['batch_id']}/manifest",
                    headers={**h, "X-Lease-Id": lease["lease_id"]},
                )
            ).json()
            for rid in manifest["record_ids"]:
                kind = outcome.get(rid.split("-")[1], "done")  # visit-procedure[-person]
                body = {
                    "lease_id": lease["lease_id"],
                    "outcome": kind,
                    "message": "E-42 画面不一致",
                }
                r = await http.post(
                    f"/api/rpa/batches/{b['batch_id']}/records/{rid}", json=body, headers=h
                )
                assert r.status_code == 200, r.text
                reported += 1
        if reported >= records:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"the robot found {reported} of {records} records in batches")


async def test_a_visit_stuck_at_the_rpa_step_is_listed_and_retry_moves_it_on(
    anon: httpx.AsyncClient, gateway: VisitGateway, client: Client, settings: Settings
) -> None:
    boss, robot = await bearer(anon, "kantoku01"), await bearer(anon, "rpa01")
    visit_id = await gateway.start(**factories.HOME)
    await walk_to_confirm(gateway, settings, visit_id)
    state = await factories.sign(gateway, visit_id, factories.CONFIRM)
    assert state.step == Step.AWAIT_RPA  # its records wait in the outbox; no batch ran

    stall = await _stall_of(anon, boss, visit_id)
    assert stall["kind"] == "rpa_waiting"
    assert "RPA結果待ち" in stall["reason"] and "未送信 2件 (pending)" in stall["reason"]
    assert stall["actions"] == ["retry", "reassign"]
    board = (await anon.get("/api/supervisor/dashboard", headers=boss)).json()
    assert board["counts"]["by_step"] == {"await_rpa": 1}
    assert board["counts"]["by_procedure"] == {"tenkyo": 1, "juminhyo": 1}
    page = await anon.get("/ui/supervisor", headers=boss)
    assert visit_id in page.text and "未送信 2件" in page.text
    assert "<td>転居届</td>" in page.text and "<td>tenkyo</td>" not in page.text  # by name

    # 再試行: a batch runs now; the robot fails one record and types in the other.
    r = await anon.post(
        f"/api/supervisor/visits/{visit_id}/retry", json={"reason": "バッチ停止のため"},
        headers={**boss, "Idempotency-Key": "retry-1"},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    await _robot(anon, robot, 2, {"tenkyo": "error"})
    stall = await _stall_of(anon, boss, visit_id)
    assert stall["kind"] == "needs_attention" and "E-42" in stall["reason"]

    # 再試行 again: the failed record goes back into the queue and the robot finishes it.
    r = await anon.post(
        f"/api/supervisor/visits/{visit_id}/retry", json={"reason": "RPA画面修正後"},
        headers={**boss, "Idempotency-Key": "retry-2"},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert not r.json()["needs_attention"]
    await _robot(anon, robot, 1, {})
    for _ in range(50):
        state = await gateway.state(visit_id)
        if state.step == Step.DONE:
            break
        await asyncio.sleep(0.2)
    assert state.step == Step.DONE
    assert [e.step for e in state.history].count(Step.AWAIT_RPA) == 3  # entered, two retries
    with session_scope(settings.sqlalchemy_url) as session:
        retries = session.exec(
            select(AuditRow).where(AuditRow.action == "visit.retry").order_by(AuditRow.id)  # type: ignore[arg-type]
        ).all()
    assert [(a.actor, a.visit_id) for a in retries] == [("kantoku01", visit_id)] * 2
    assert "requeued=1" in retries[1].detail


async def test_reassign_hands_the_visit_over_and_clerks_cannot_supervise(
    http: httpx.AsyncClient, gateway: VisitGateway, settings: Settings
) -> None:
    boss = await bearer(http, "kantoku01")
    visit_id = await gateway.start(**factories.HOME)
    await gateway.act(visit_id, Action.CALL, factories.CALL)

    same = await http.post(
        f"/api/supervisor/visits/{visit_id}/reassign",
        json={"counter": "C01", "staff": "staff01", "reason": "交代"}, headers=boss,
    )  # fmt: skip
    assert same.status_code == 422
    assert same.json()["error"]["problems"][0]["field"] == "staff"

    r = await http.post(
        f"/api/supervisor/visits/{visit_id}/reassign",
        json={"counter": "C02", "staff": "staff02", "reason": "昼休みの交代"}, headers=boss,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    state = r.json()
    assert (state["counter"], state["staff"], state["step"]) == ("C02", "staff02", "identify")
    assert state["history"][-1] == {
        "step": "identify", "entered_at": state["history"][-1]["entered_at"],
        "staff": "staff02", "counter": "C02",
    }  # fmt: skip

    # The clerk (窓口職員) has no supervisor screen or actions.
    assert (await http.get("/api/supervisor/dashboard")).status_code == 403
    refused = await http.post(f"/api/supervisor/visits/{visit_id}/cancel", json={"reason": "x"})
    assert refused.status_code == 403
    # Cancelled by the supervisor, with the reason on the visit and in the audit log.
    r = await http.post(
        f"/api/supervisor/visits/{visit_id}/cancel", json={"reason": "本人離席"}, headers=boss
    )
    assert r.json()["step"] == "cancelled" and r.json()["cancel_reason"] == "本人離席"
    with session_scope(settings.sqlalchemy_url) as session:
        actions = session.exec(
            select(AuditRow.action).where(
                AuditRow.visit_id == visit_id, AuditRow.actor == "kantoku01"
            )
        ).all()
    assert {"visit.reassign", "visit.cancel"} <= set(actions)
