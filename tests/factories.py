"""Inputs a test visit needs, built from the seeded demo city."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from sqlmodel import select
from temporalio.client import Client

from activities.visit_activities import VisitActivities
from adapters import residents
from adapters.db import session_scope
from adapters.tables import ResidentRow
from adapters.temporal_client import VisitGateway
from domain.resident import ResidentRecord
from domain.steps import Action, Step
from domain.visit import (
    CallInput,
    ChooseProceduresInput,
    ConfirmInput,
    IdCardData,
    IdSource,
    Signature,
    VisitState,
)
from madoguchi.worker import activity_functions
from workflows.handoff_batch import BatchRunInput, BatchRunResult, HandoffBatch


def resident(database_url: str, *, name_contains: str = "") -> ResidentRecord:
    with session_scope(database_url) as session:
        stmt = (
            select(ResidentRow).where(ResidentRow.status == "住民").order_by(ResidentRow.atena_no)
        )
        for row in session.exec(stmt):
            if name_contains in row.name:
                return residents.to_record(row)
    raise LookupError(f"no demo resident with {name_contains!r}")


def card_for(r: ResidentRecord) -> IdCardData:
    return IdCardData(
        source=IdSource.MYNUMBER_CARD, name=r.name, birth_date=r.birth_date, sex=r.sex
    )


CALL = CallInput(counter="C01", staff="staff01")
PROCEDURES = ChooseProceduresInput(
    procedures=["tenkyo", "juminhyo"],
    answers={
        "new_address": "香川県高松市番町一丁目8番15号",
        "moved_on": "2026-11-20",
        "copies": "2",
    },
)
SIGNATURE = Signature(strokes=[[[0.1, 0.5], [0.2, 0.3], [0.35, 0.6]], [[0.5, 0.5], [0.8, 0.4]]])
CONFIRM = ConfirmInput(signature=SIGNATURE, confirmed_form_codes=["idou", "juminhyo_seikyu"])

# The department and counter group test visits and test staff belong to.
HOME = {"department": "shimin", "counter_group": "honcho"}


def moving_alone(r: ResidentRecord) -> ChooseProceduresInput:
    """PROCEDURES with the resident as the one 異動者 of the 転居 (the rest of the household
    stays), so the visit writes one record per procedure."""
    return replace(PROCEDURES, answers={**PROCEDURES.answers, "movers": r.atena_no})


def moving_in_family(database_url: str) -> list[ResidentRecord]:
    """A household whose 転入 was announced (状態 転入予定): parents and two children, one
    of school age and one under six, with MJ variant characters in their names."""
    head = "渡邉\U000e0110　一郎"

    def member(no: str, name: str, kana: str, born: str, sex: str, rel: str) -> ResidentRecord:
        return ResidentRecord(
            atena_no=f"999000000{no}", household_no="09990001", juminhyo_code=f"1000000001{no}",
            name=name, kana=kana, birth_date=born, sex=sex, relationship=rel, head_name=head,
            postal_code="7600002", address="香川県高松市茜町1番2号", katagaki="メゾン高松101号",
            status="転入予定", previous_address="東京都千代田区千代田1番1号",
        )  # fmt: skip

    family = [
        member("1", head, "ワタナベ　イチロウ", "1985-04-17", "1", "世帯主"),
        member("2", "渡邉\U000e0110　葛\U000e0103子", "ワタナベ　カツコ", "1987-09-02", "2", "妻"),
        member("3", "渡邉\U000e0110　翔太", "ワタナベ　ショウタ", "2016-06-30", "1", "子"),
        member("4", "渡邉\U000e0110　陽菜", "ワタナベ　ヒナ", "2022-01-12", "2", "子"),
    ]
    with session_scope(database_url) as session:
        if residents.get(session, family[0].atena_no) is None:
            residents.add_all(session, family)
    return family


async def run_batch(client: Client, task_queue: str, limit: int = 5000) -> BatchRunResult:
    """One handoff batch run on the test worker, as the schedule would start it."""
    return await client.execute_workflow(
        HandoffBatch.run,
        BatchRunInput(limit=limit),
        id=f"test-batch-{uuid.uuid4().hex}",
        task_queue=task_queue,
    )


async def settled(gw: VisitGateway, visit_id: str, seconds: float = 30.0) -> VisitState:
    """The visit once the work after signing (PDF, printer, handoff) is done: signing
    answers at 印刷 and the workflow goes on by itself."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    state = await gw.state(visit_id)
    while state.step in (Step.PRINT, Step.HANDOFF) and loop.time() < deadline:
        await asyncio.sleep(0.05)
        state = await gw.state(visit_id)
    return state


async def sign(gw: VisitGateway, visit_id: str, confirm: ConfirmInput = CONFIRM) -> VisitState:
    """Sign (確認・署名) and wait until the forms are printed and handed off."""
    state = await gw.act(visit_id, Action.CONFIRM, confirm)
    assert state.step == Step.PRINT and state.signed
    return await settled(gw, visit_id)


def activities_with(
    real: VisitActivities, fakes: Mapping[Callable[..., Any], Callable[..., Any]]
) -> list[Callable[..., Any]]:
    """The worker's visit activities, some replaced by a test double of the same name
    (``{real.fill_forms: failing_fill}``)."""
    return [fakes.get(fn, fn) for fn in activity_functions(real)]
