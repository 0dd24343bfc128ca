"""The robot's side of the handoff over HTTP: leases, reports that count once, and the
refusals a robot gets (unknown record, a record of another batch, a lease that moved on);
then a day of visits through batches to the RPA simulator and back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlmodel import select
from temporalio.client import Client

from adapters import outbox
from adapters.db import session_scope
from adapters.tables import AuditRow, HandoffBatchRow
from adapters.temporal_client import VisitGateway
from bench.stack import robot_accounts
from domain.steps import Action, Step
from domain.visit import ChooseProceduresInput, ChooseResidentInput, ConfirmInput
from madoguchi.rpa_sim import RpaSimulator, SimConfig, SimReport
from madoguchi.seed import demo_password
from madoguchi.settings import Settings
from tests import factories
from tests.api.conftest import bearer
from tests.workflow.test_counter_visit import walk_to_confirm


async def _confirmed_visit(gateway: VisitGateway, settings: Settings) -> str:
    visit_id = await gateway.start(**factories.HOME)
    await walk_to_confirm(gateway, settings, visit_id)
    await factories.sign(gateway, visit_id, factories.CONFIRM)
    return visit_id


def err(r: httpx.Response, status: int) -> str:
    assert r.status_code == status, r.text
    return str(r.json()["error"]["message"])


async def test_leases_repeated_reports_and_every_refusal(
    anon: httpx.AsyncClient, gateway: VisitGateway, client: Client, settings: Settings
) -> None:
    robot_accounts(settings.sqlalchemy_url, 2)  # rpa02 beside the seeded rpa01
    a, b = await bearer(anon, "rpa01"), await bearer(anon, "rpa02")
    visit_id = await _confirmed_visit(gateway, settings)
    await factories.run_batch(client, settings.task_queue)
    listed = (await anon.get("/api/rpa/batches", headers=a)).json()
    by_layout = {x["layout"]: x["batch_id"] for x in listed}
    assert sorted(by_layout) == ["idou@4", "shomei@2"]
    idou, shomei = by_layout["idou@4"], by_layout["shomei@2"]
    # 住民異動 is written per 異動者 (the whole household: none were named), certificates
    # per procedure.
    records = (await gateway.state(visit_id)).records
    movers = [r.record_id for r in records if r.procedure_code == "tenkyo"]
    tenkyo, juminhyo = movers[0], f"{visit_id}-juminhyo"
    assert sorted(r.record_id for r in records) == sorted([*movers, juminhyo])
    assert all(m.startswith(f"{visit_id}-tenkyo-") for m in movers)

    lease_a = (await anon.post(f"/api/rpa/batches/{idou}/claim", headers=a)).json()["lease_id"]
    assert "他の端末" in err(await anon.post(f"/api/rpa/batches/{idou}/claim", headers=b), 409)
    no_lease = await anon.get(f"/api/rpa/batches/{idou}/csv", headers={**b, "X-Lease-Id": "x"})
    assert "リース" in err(no_lease, 409)
    assert [x["batch_id"] for x in (await anon.get("/api/rpa/batches", headers=a)).json()] == [
        shomei
    ]  # a leased batch is not offered to others

    def report(batch: str, record: str, lease: str, outcome: str = "done", msg: str = "") -> Any:
        body = {"lease_id": lease, "outcome": outcome, "message": msg}
        return anon.post(f"/api/rpa/batches/{batch}/records/{record}", json=body, headers=a)

    assert "unknown record" in err(await report(idou, "nope", lease_a), 404)
    assert "unknown batch" in err(await report("nope", tenkyo, lease_a), 404)
    assert "not in this batch" in err(await report(idou, juminhyo, lease_a), 409)
    assert "message" in err(await report(idou, tenkyo, lease_a, "error"), 422)
    assert err(await report(idou, tenkyo, lease_a, "error", "E1\x07"), 422)

    first = await report(idou, tenkyo, lease_a)
    assert first.status_code == 200 and first.json()["repeated"] is False
    again = await report(idou, tenkyo, lease_a)
    assert again.status_code == 200 and again.json()["repeated"] is True
    assert "already" in err(await report(idou, tenkyo, lease_a, "error", "E9 later"), 409)
    for other in movers[1:]:
        assert (await report(idou, other, lease_a)).status_code == 200

    # Robot A dies holding the shomei batch; its lease runs out and robot B takes it over.
    lease_a2 = (await anon.post(f"/api/rpa/batches/{shomei}/claim", headers=a)).json()["lease_id"]
    with session_scope(settings.sqlalchemy_url) as session:
        row = session.get(HandoffBatchRow, shomei)
        assert row is not None
        row.lease_until = datetime.now(UTC) - timedelta(seconds=1)
        session.add(row)
        session.commit()
    assert "期限" in err(await report(shomei, juminhyo, lease_a2), 409)
    lease_b = (await anon.post(f"/api/rpa/batches/{shomei}/claim", headers=b)).json()["lease_id"]
    assert "moved on" in err(await report(shomei, juminhyo, lease_a2), 409)
    body = {"lease_id": lease_b, "outcome": "done"}
    done = await anon.post(f"/api/rpa/batches/{shomei}/records/{juminhyo}", json=body, headers=b)
    assert done.status_code == 200 and done.json()["visit_informed"]

    state = await gateway.state(visit_id)
    assert state.step == Step.DONE  # every record confirmed, each once
    assert sorted(state.rpa_results) == sorted([*movers, juminhyo])
    assert (await anon.get("/api/rpa/batches", headers=a)).json() == []
    with session_scope(settings.sqlalchemy_url) as session:
        reports = session.exec(select(AuditRow).where(AuditRow.action == "rpa.report")).all()
        assert sorted(r.subject for r in reports) == sorted([*movers, juminhyo])
        assert outbox.counts(session) == {"done": len(movers) + 1}


async def _tennyu_with_child_benefit(gateway: VisitGateway, settings: Settings) -> str:
    """A family moving in whose names carry IVS: 児童手当 goes to a CP932 layout."""
    head = factories.moving_in_family(settings.sqlalchemy_url)[0]
    visit_id = await gateway.start(**factories.HOME)
    await gateway.act(visit_id, Action.CALL, factories.CALL)
    await gateway.act(visit_id, Action.IDENTIFY, factories.card_for(head))
    await gateway.act(visit_id, Action.CHOOSE_RESIDENT, ChooseResidentInput(head.atena_no))
    state = await gateway.act(
        visit_id,
        Action.CHOOSE_PROCEDURES,
        ChooseProceduresInput(["tennyu", "jidou_teate"], {"moved_on": "2026-11-20"}),
    )
    codes = [f.form_code for f in state.forms]
    await factories.sign(gateway, visit_id, ConfirmInput(factories.SIGNATURE, codes))
    return visit_id


async def test_a_day_of_visits_through_batches_to_the_simulator_and_back(
    anon: httpx.AsyncClient, gateway: VisitGateway, client: Client, settings: Settings
) -> None:
    visits = [await _confirmed_visit(gateway, settings) for _ in range(5)]
    tennyu = await _tennyu_with_child_benefit(gateway, settings)
    state = await gateway.state(tennyu)
    held = next(r for r in state.records if r.procedure_code == "jidou_teate")
    assert held.status == "held" and state.needs_attention
    assert "U+E0110(IVS)" in held.problems[0] and "基幹連携データを保留" in state.attention_reason
    family = [r for r in state.records if r.procedure_code == "tennyu"]
    assert len(family) == 4  # one 住民異動 record per 異動者: the whole family moves in
    assert all(r.status == "queued" for r in family)  # UTF-8: the IVS goes as it is
    queued = len(family)
    for v in visits:  # 転居 per 異動者, 住民票の写し once
        queued += len((await gateway.state(v)).records)

    sim = RpaSimulator(
        SimConfig(url="", password=demo_password("rpa01"), fail_rate=0.3, seed=7), client=anon
    )
    await factories.run_batch(client, settings.task_queue)
    first = await sim.once()
    assert first.refused == [] and first.errors > 0 and first.done > 0
    assert first.done + first.errors == queued  # every queued record, the held one not

    supervisor = await bearer(anon, "kantoku01")
    failed = (await anon.get("/api/handoff/records?status=error", headers=supervisor)).json()
    assert len(failed) == first.errors and all(r["message"].startswith("E") for r in failed)
    for r in failed:
        state = await gateway.state(r["visit_id"])
        assert state.needs_attention and "RPAエラー" in state.attention_reason
        assert r["record_id"] not in state.attention_reason  # by message; the table says which
        requeued = await anon.post(
            f"/api/handoff/records/{r['record_id']}/requeue",
            json={"reason": "基幹の住所コード修正後に再送"},
            headers=supervisor,
        )
        assert requeued.status_code == 200 and requeued.json()["status"] == "pending"
    for visit_id in {r["visit_id"] for r in failed} - {tennyu}:
        assert not (await gateway.state(visit_id)).needs_attention  # waiting for the robot again

    # The held record cannot go as it is; staff type it in themselves and say so.
    refused = await anon.post(
        f"/api/handoff/records/{held.record_id}/requeue",
        json={"reason": "再送"},
        headers=supervisor,
    )
    assert "U+E0110(IVS)" in err(refused, 409)
    manual = await anon.post(
        f"/api/handoff/records/{held.record_id}/done",
        json={"reason": "外字のため職員が基幹に直接入力"},
        headers=supervisor,
    )
    assert manual.status_code == 200 and manual.json()["status"] == "done"

    sim.config.fail_rate = 0.0
    await factories.run_batch(client, settings.task_queue)
    second = await sim.once()
    assert second.done == first.errors and second.errors == 0
    for visit_id in [*visits, tennyu]:
        state = await gateway.state(visit_id)
        assert state.step == Step.DONE and not state.needs_attention, visit_id
    with session_scope(settings.sqlalchemy_url) as session:
        assert outbox.counts(session) == {"done": queued + 1}
        actions = {a.action for a in session.exec(select(AuditRow)).all()}
    assert {"handoff.requeue", "handoff.manual_done", "rpa.claim", "rpa.download"} <= actions


async def test_a_robot_whose_lease_moved_on_leaves_the_batch_to_the_new_holder(
    anon: httpx.AsyncClient, gateway: VisitGateway, client: Client, settings: Settings
) -> None:
    """Two robots on one account: the second claim takes the batch over (an account may
    claim its own batch again, as a restarted robot does), and the first robot, finding its
    lease gone, types nothing in and does not fail; the new holder types the batch in."""
    await _confirmed_visit(gateway, settings)
    await factories.run_batch(client, settings.task_queue)
    first, second = (
        RpaSimulator(SimConfig(url="", password=demo_password("rpa01")), client=anon)
        for _ in range(2)
    )
    await first.login()
    second.token = first.token
    batch = (await anon.get("/api/rpa/batches", headers=first._headers())).json()[0]
    claim = f"/api/rpa/batches/{batch['batch_id']}/claim"
    old = (await anon.post(claim, headers=first._headers())).json()["lease_id"]
    new = (await anon.post(claim, headers=second._headers())).json()["lease_id"]

    lost, typed = SimReport(), SimReport()
    await first._type_in(batch["batch_id"], old, lost)
    assert lost.batches == [] and lost.done == 0 and lost.refused == []
    await second._type_in(batch["batch_id"], new, typed)
    assert typed.batches == [batch["batch_id"]] and typed.refused == []
    assert typed.done == batch["record_count"] > 0
