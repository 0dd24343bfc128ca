"""A 転入 for a family with children, end to end on a real Temporal server: 手続ナビ proposes
the related procedures, staff accept or reject each, and the printed PDF holds the 住民異動届,
the related forms and a guidance sheet whose QR code opens this visit."""

from __future__ import annotations

import pytest
from temporalio.worker import Worker

from adapters.temporal_client import VisitGateway, VisitRejected
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
from madoguchi.storage import object_store
from tests import factories
from tests.pdf_pages import page_texts, qr_codes

ACCEPT, REJECT = Decision.ACCEPT, Decision.REJECT


async def test_tennyu_with_children_prints_related_forms_and_a_guidance_sheet(
    worker: Worker, gateway: VisitGateway, settings: Settings
) -> None:
    family = factories.moving_in_family(settings.sqlalchemy_url)
    head = family[0]
    visit_id = await gateway.start(**factories.HOME)
    await gateway.wait_for_ticket(visit_id)
    await gateway.act(visit_id, Action.CALL, factories.CALL)
    state = await gateway.act(visit_id, Action.IDENTIFY, factories.card_for(head))
    assert state.candidates[0].atena_no == head.atena_no
    assert state.candidates[0].status == "転入予定"
    # The household is shown with the candidate, so namesakes can be told apart.
    assert state.candidates[0].household == [f"{m.name}（{m.relationship}）" for m in family[1:]]
    await gateway.act(visit_id, Action.CHOOSE_RESIDENT, ChooseResidentInput(head.atena_no))

    # A 転居 is not for someone who has not moved in yet.
    with pytest.raises(VisitRejected, match="転入予定"):
        await gateway.act(
            visit_id,
            Action.CHOOSE_PROCEDURES,
            ChooseProceduresInput(["tenkyo"], {"new_address": "x", "moved_on": "2026-11-20"}),
        )

    facts = {"mynumber_card": "yes", "kokuho": "no", "pregnant": "", "nenkin_1go": "no",
             "single_parent": "no", "disability": "no", "dog": "yes"}  # fmt: skip
    # If only the parents moved in, nothing follows for children.
    parents = ",".join(m.atena_no for m in family[:2])
    state = await gateway.act(visit_id, Action.NAVI, NaviInput(["tennyu"], facts, parents))
    got = {p.code: p for p in state.proposals}
    for code in ("jidou_teate", "kodomo_iryo", "tenko", "hoiku"):
        assert got[code].status == ProposalStatus.DROP, code
    with pytest.raises(VisitRejected, match="movers"):  # not one of this household
        await gateway.act(visit_id, Action.NAVI, NaviInput(["tennyu"], facts, "0000000001"))

    state = await gateway.act(visit_id, Action.NAVI, NaviInput(["tennyu"], facts))
    assert state.step == Step.INTERVIEW
    got = {p.code: p for p in state.proposals}
    for code in ("jidou_teate", "kodomo_iryo", "tenko", "hoiku", "mynumber_henko"):
        assert got[code].status == ProposalStatus.PROPOSE, code
    assert got["tenko"].place == "学校教育課（本館9階）" and "在学証明書" in got["tenko"].bring
    # Three-valued: unknown keeps the item and says what to ask; false drops it with why.
    assert got["ninpu"].status == ProposalStatus.ASK
    assert got["ninpu"].ask == ["妊娠中の人はいますか"]
    assert got["kokuho"].status == ProposalStatus.DROP
    assert got["kokuho"].reasons == ["勤務先などの健康保険に加入している"]
    assert got["kaigo"].status == ProposalStatus.DROP
    assert got["kaigo"].reasons == ["65歳以上の人はいない"]

    decisions = {"jidou_teate": ACCEPT, "kodomo_iryo": ACCEPT, "tenko": ACCEPT,
                 "hoiku": ACCEPT, "mynumber_henko": ACCEPT, "inu": ACCEPT}  # fmt: skip
    with pytest.raises(VisitRejected, match=r"decisions\.ninpu"):
        await gateway.act(
            visit_id,
            Action.CHOOSE_PROCEDURES,
            ChooseProceduresInput(["tennyu"], {"moved_on": "2026-11-20"}, decisions),
        )
    state = await gateway.act(
        visit_id,
        Action.CHOOSE_PROCEDURES,
        ChooseProceduresInput(
            ["tennyu"], {"moved_on": "2026-11-20"}, decisions | {"ninpu": REJECT}
        ),
    )
    assert state.step == Step.CONFIRM
    assert state.procedures == ["tennyu", "mynumber_henko", "jidou_teate", "kodomo_iryo"]
    codes = [f.form_code for f in state.forms]
    assert codes == [
        "idou", "mynumber_henko_todoke", "jidou_teate_seikyu", "kodomo_iryo_shinsei",
        "tetsuzuki_annai",
    ]  # fmt: skip
    idou = state.forms[0]
    values = {f.key: f.value for f in idou.fields}
    assert values["kind"] == "転入"
    assert values["old_address"] == "東京都千代田区千代田1番1号"
    assert values["new_address"] == "香川県高松市茜町1番2号 メゾン高松101号"
    assert [row[0] for row in idou.tables[0].rows] == [m.name for m in family]
    children = state.forms[2].tables[0].rows
    assert [row[0] for row in children] == [family[2].name, family[3].name]

    state = await factories.sign(gateway, visit_id, ConfirmInput(factories.SIGNATURE, codes))
    assert state.step == Step.AWAIT_RPA
    pdf = object_store(settings).get(state.documents[0].key)
    assert len(pdf) < 300 * 1024 * len(codes)
    pages = page_texts(pdf)
    assert len(pages) == len(codes)
    assert "住民異動届" in pages[0] and family[1].name in pages[0]  # IVS kept in the PDF text
    assert "児童手当 認定請求書" in pages[2] and family[3].name in pages[2]
    guidance = pages[-1]
    assert "手続案内書" in guidance and "小・中学校の転校手続" in guidance
    assert "学校教育課（本館9階）" in guidance and "犬の鑑札" in guidance
    assert "マイナンバーカード" not in guidance  # done at this counter, not another
    assert qr_codes(pdf, len(pages)) == [f"{settings.public_url}/ui/visits/{visit_id}"]
