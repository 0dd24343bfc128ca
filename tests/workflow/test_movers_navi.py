"""The 世帯主 moves out and others stay: 手続ナビ proposes the staying household's 世帯変更届,
and the visit's forms are each about their own people — the 転出届 about the one who
leaves, the 世帯変更届 about those who stay, each with its own new 世帯主 — and so are the
records the core system gets."""

from __future__ import annotations

from temporalio.worker import Worker

from adapters import residents
from adapters.db import session_scope
from adapters.temporal_client import VisitGateway
from domain.steps import Action, Step
from domain.visit import (
    ChooseProceduresInput,
    ChooseResidentInput,
    ConfirmInput,
    Decision,
    NaviInput,
    ProposalStatus,
)
from madoguchi.settings import Settings
from tests import factories


async def test_the_head_moving_out_alone_brings_the_staying_households_change_of_head(
    worker: Worker, gateway: VisitGateway, settings: Settings
) -> None:
    head = factories.resident(settings.sqlalchemy_url)
    with session_scope(settings.sqlalchemy_url) as session:
        household = residents.households(session, [head.household_no])[head.household_no]
    assert head.relationship == "世帯主" and len(household) > 1
    staying = [m for m in household if m.atena_no != head.atena_no]
    visit_id = await gateway.start(**factories.HOME)
    await gateway.act(visit_id, Action.CALL, factories.CALL)
    await gateway.act(visit_id, Action.IDENTIFY, factories.card_for(head))
    await gateway.act(visit_id, Action.CHOOSE_RESIDENT, ChooseResidentInput(head.atena_no))

    everyone = await gateway.act(visit_id, Action.NAVI, NaviInput(["tenshutsu"], {}))
    dropped = next(p for p in everyone.proposals if p.code == "setai_henko")
    assert dropped.status == ProposalStatus.DROP  # the whole household moves
    state = await gateway.act(visit_id, Action.NAVI, NaviInput(["tenshutsu"], {}, head.atena_no))
    proposal = next(p for p in state.proposals if p.code == "setai_henko")
    assert proposal.status == ProposalStatus.PROPOSE and proposal.procedure == "setai_henko"
    assert "残る世帯の新しい世帯主" in proposal.reasons[0]

    decisions = {
        p.code: Decision.ACCEPT if p.code == "setai_henko" else Decision.REJECT
        for p in state.proposals
        if p.status != ProposalStatus.DROP
    }
    answers = {
        "new_address": "東京都千代田区千代田1番1号", "moved_on": "2026-11-20",
        "movers": head.atena_no, "change_kind": "世帯主変更", "new_head": staying[0].name,
    }  # fmt: skip
    state = await gateway.act(
        visit_id,
        Action.CHOOSE_PROCEDURES,
        ChooseProceduresInput(["tenshutsu"], answers, decisions),
    )
    assert state.step == Step.CONFIRM and state.procedures == ["tenshutsu", "setai_henko"]
    tenshutsu, setai_henko = (f for f in state.forms if f.form_code == "idou")
    for form, people, new_head in (
        (tenshutsu, [head.name], head.name),  # leaves alone: heads their own household
        (setai_henko, [m.name for m in staying], staying[0].name),
    ):
        assert [row[0] for row in form.tables[0].rows] == people
        assert {f.key: f.value for f in form.fields}["new_head"] == new_head

    # To the core system: the 転出 for the one who leaves, the 世帯変更 for each who stays —
    # the leaving 世帯主's 宛名番号 is not on the household change.
    codes = [f.form_code for f in state.forms]
    state = await factories.sign(gateway, visit_id, ConfirmInput(factories.SIGNATURE, codes))
    assert {(r.procedure_code, r.record_id.rsplit("-", 1)[1]) for r in state.records} == {
        ("tenshutsu", head.atena_no),
        *(("setai_henko", m.atena_no) for m in staying),
    }
    assert all(r.status == "queued" for r in state.records)
