"""Records the replay corpus (not collected by the suite; run it by hand when a workflow
change is meant to break old histories, e.g. before go-live or behind a new version):

    MADO_RECORD_REPLAY=1 .venv/bin/pytest tests/replay/record_corpus.py

It drives real visits on the real test worker — done, cancelled, 手続ナビ with a
correction, reassigned, a robot error retried — and a handoff batch; then, on a worker whose
activities fail on purpose, a form filling that fails for good and is done again, and a
handoff whose quick tries fail and goes on as an ordinary activity. It writes each
closed workflow's history to ``tests/replay/histories/`` encrypted with the corpus's own
test-only key (``tests/replay/payload.key``; synthetic people only).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from activities.inputs import FillInput, FillResult, HandoffInput, HandoffResult
from adapters.temporal_client import VisitGateway
from domain.security import Principal, Scope
from domain.steps import Action, Step
from domain.visit import (
    CancelInput,
    ChooseProceduresInput,
    ChooseResidentInput,
    ConfirmInput,
    CorrectAnswersInput,
    Decision,
    NaviInput,
    ProposalStatus,
    ReassignInput,
    RetryInput,
    RpaOutcome,
    RpaResultInput,
)
from madoguchi import replay
from madoguchi.settings import REPO_ROOT, Settings
from madoguchi.worker import build_worker, visit_activities
from tests import factories
from tests.workflow.test_counter_visit import walk_to_confirm

CORPUS = REPO_ROOT / "tests" / "replay" / "histories"

pytestmark = pytest.mark.skipif(
    not os.environ.get("MADO_RECORD_REPLAY"), reason="records the corpus; see the docstring"
)


async def _report(gw: VisitGateway, visit_id: str, outcome: RpaOutcome) -> None:
    for r in (await gw.state(visit_id)).records:
        await gw.act(visit_id, Action.RPA_RESULT, RpaResultInput(r.record_id, outcome, "E-1"))


async def test_record_corpus(
    worker: Worker, gateway: VisitGateway, client: Client, settings: Settings
) -> None:
    gw = gateway
    # 1. A whole visit, ticket to done — opened as the API does (the ticket issued, then started).
    clerk = Principal(
        "staff01", "窓口", ("madoguchi",), frozenset(), Scope.COUNTER_GROUP, **factories.HOME
    )
    done = (await gw.open_visit(**factories.HOME, viewer=clerk)).visit_id
    await walk_to_confirm(gw, settings, done)
    await factories.sign(gw, done, factories.CONFIRM)
    await factories.run_batch(client, settings.task_queue)
    await _report(gw, done, RpaOutcome.DONE)

    # 2. Cancelled at the interview.
    cancelled = await gw.start(**factories.HOME)
    r = factories.resident(settings.sqlalchemy_url)
    await gw.act(cancelled, Action.CALL, factories.CALL)
    await gw.act(cancelled, Action.IDENTIFY, factories.card_for(r))
    await gw.act(cancelled, Action.CHOOSE_RESIDENT, ChooseResidentInput(r.atena_no))
    await gw.act(cancelled, Action.CANCEL, CancelInput("本人の都合"))

    # 3. 転入 with 手続ナビ, a correction at review, reassigned, a robot error retried.
    family = factories.moving_in_family(settings.sqlalchemy_url)
    navi = await gw.start(**factories.HOME)
    await gw.act(navi, Action.CALL, factories.CALL)
    await gw.act(navi, Action.IDENTIFY, factories.card_for(family[0]))
    await gw.act(navi, Action.CHOOSE_RESIDENT, ChooseResidentInput(family[0].atena_no))
    state = await gw.act(navi, Action.NAVI, NaviInput(["tennyu"], {"dog": "yes"}))
    decisions = {
        p.code: Decision.ACCEPT if p.code == "inu" else Decision.REJECT
        for p in state.proposals
        if p.status != ProposalStatus.DROP
    }
    await gw.act(navi, Action.REASSIGN, ReassignInput("C02", "staff02", "交代"))
    state = await gw.act(
        navi, Action.CHOOSE_PROCEDURES,
        ChooseProceduresInput(["tennyu"], {"moved_on": "2026-11-20"}, decisions),
    )  # fmt: skip
    state = await gw.act(
        navi, Action.CORRECT,
        CorrectAnswersInput({"moved_on": "2026-11-19"}, "転入日の聞き違い"),
    )  # fmt: skip
    codes = [f.form_code for f in state.forms]
    await factories.sign(gw, navi, ConfirmInput(factories.SIGNATURE, codes))
    await factories.run_batch(client, settings.task_queue)
    await _report(gw, navi, RpaOutcome.ERROR)
    failed = [r.record_id for r in (await gw.state(navi)).records]
    await gw.act(navi, Action.RETRY, RetryInput("RPA画面修正後", failed))
    await _report(gw, navi, RpaOutcome.DONE)
    assert (await gw.state(navi)).step == Step.DONE

    # Added beside the histories already there: older workflow code's histories stay, so
    # a change must keep replaying them too (workflow.patched).
    query = f"TaskQueue = '{settings.task_queue}' AND ExecutionStatus != 'Running'"
    written = await replay.export(client, CORPUS, query, 100)
    assert len(written) >= 5, written


async def test_record_failures(gateway: VisitGateway, client: Client, settings: Settings) -> None:
    gw = gateway
    real = visit_activities(settings)
    fills: list[int] = []

    @activity.defn(name="fill_forms")
    def fill_fails_once(inp: FillInput) -> FillResult:
        fills.append(1)
        if len(fills) == 1:
            raise ApplicationError("resident no longer in the register", non_retryable=True)
        return real.fill_forms(inp)

    @activity.defn(name="write_handoff")
    def handoff_not_local(inp: HandoffInput) -> HandoffResult:
        if activity.info().is_local:
            raise RuntimeError("handoff share not mounted")
        return real.write_handoff(inp)

    activities = factories.activities_with(
        real, {real.fill_forms: fill_fails_once, real.write_handoff: handoff_not_local}
    )
    with ThreadPoolExecutor(max_workers=16) as executor:
        async with build_worker(client, settings, executor, activities):
            # 4. A form filling that fails for good (flagged, back to the interview), done
            #    again (the flag goes); the handoff's quick tries fail, the ordinary one
            #    writes it; the robot reports done.
            visit = await gw.start(**factories.HOME)
            with pytest.raises(Exception, match="register"):
                await walk_to_confirm(gw, settings, visit)
            r = factories.resident(settings.sqlalchemy_url)
            await gw.act(visit, Action.CHOOSE_PROCEDURES, factories.moving_alone(r))
            state = await factories.sign(gw, visit, factories.CONFIRM)
            assert state.step == Step.AWAIT_RPA, state.step
            await factories.run_batch(client, settings.task_queue)
            await _report(gw, visit, RpaOutcome.DONE)
            assert (await gw.state(visit)).step == Step.DONE
    query = f"TaskQueue = '{settings.task_queue}' AND ExecutionStatus != 'Running'"
    written = await replay.export(client, CORPUS, query, 100)
    assert any(p.name.startswith("CounterVisit") for p in written), written
