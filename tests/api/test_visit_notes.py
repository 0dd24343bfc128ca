"""What printing and the handoff changed is on the staff screen, not only in the visit's
data: a name degraded for the core system's CP932 layout (縮退) is shown with the visit."""

from __future__ import annotations

from dataclasses import replace

import httpx

from adapters import residents
from adapters.db import session_scope
from adapters.temporal_client import VisitGateway
from domain.steps import Action
from domain.visit import ChooseProceduresInput, ChooseResidentInput, ConfirmInput
from madoguchi.settings import Settings
from tests import factories
from tests.api.conftest import after_signing
from tests.api.test_staff_screen import cookie_login


async def test_a_degraded_name_is_shown_on_the_visit(
    anon: httpx.AsyncClient, gateway: VisitGateway, settings: Settings
) -> None:
    family = [
        replace(m, atena_no=f"99800000{i}", household_no="09980001", name=f"𠮷田　{m.name[-2:]}",
                head_name="𠮷田　一郎", juminhyo_code=f"1000000002{i}")
        for i, m in enumerate(factories.moving_in_family(settings.sqlalchemy_url), 1)
    ]  # fmt: skip
    with session_scope(settings.sqlalchemy_url) as session:
        residents.add_all(session, family)
    head = family[0]
    visit_id = await gateway.start(**factories.HOME)
    await gateway.act(visit_id, Action.CALL, factories.CALL)
    await gateway.act(visit_id, Action.IDENTIFY, factories.card_for(head))
    await gateway.act(visit_id, Action.CHOOSE_RESIDENT, ChooseResidentInput(head.atena_no))
    # 児童手当 goes to the CP932 layout with 縮退: 𠮷 → 吉 there, kept in the forms.
    state = await gateway.act(
        visit_id, Action.CHOOSE_PROCEDURES,
        ChooseProceduresInput(["tennyu", "jidou_teate"], {"moved_on": "2026-11-20"}),
    )  # fmt: skip
    await factories.sign(
        gateway, visit_id, ConfirmInput(factories.SIGNATURE, [f.form_code for f in state.forms])
    )
    await cookie_login(anon, "staff01")
    page = await after_signing(anon, f"/ui/visits/{visit_id}")
    notes = page.text.split('id="warnings"', 1)[1].split("</div>", 1)[0]
    assert "縮退 jidou_teate: 氏名: 𠮷→吉" in notes
