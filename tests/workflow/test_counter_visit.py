"""CounterVisit against a real Temporal dev server, a real database and real files."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from google.protobuf.message import Message
from temporalio import activity
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.inputs import (
    FillInput,
    FillResult,
    HandoffInput,
    HandoffResult,
    PrintInput,
    PrintResult,
)
from adapters.object_store import LocalDirectoryStore
from adapters.temporal_client import (
    ANSWER_FRESH_SECONDS,
    VisitGateway,
    VisitNotFound,
    VisitRejected,
    workflow_id,
)
from domain.security import Principal, Scope
from domain.steps import Action, Step
from domain.visit import (
    CancelInput,
    ChooseProceduresInput,
    ChooseResidentInput,
    ConfirmInput,
    CorrectAnswersInput,
    IdCardData,
    IdSource,
    RpaOutcome,
    RpaResultInput,
    SearchInput,
    VisitState,
)
from madoguchi.settings import Settings
from madoguchi.storage import object_store
from madoguchi.worker import build_worker, visit_activities
from tests import factories
from workflows.counter_visit import CounterVisit


async def walk_to_confirm(gw: VisitGateway, settings: Settings, visit_id: str) -> VisitState:
    r = factories.resident(settings.sqlalchemy_url)
    await gw.act(visit_id, Action.CALL, factories.CALL)
    state = await gw.act(visit_id, Action.IDENTIFY, factories.card_for(r))
    assert state.step == Step.LOOKUP
    assert state.candidates[0].atena_no == r.atena_no
    await gw.act(visit_id, Action.CHOOSE_RESIDENT, ChooseResidentInput(r.atena_no))
    return await gw.act(visit_id, Action.CHOOSE_PROCEDURES, factories.moving_alone(r))


async def update_events(client: Client, visit_id: str) -> int:
    handle: WorkflowHandle[CounterVisit, VisitState] = client.get_workflow_handle(
        workflow_id(visit_id)
    )
    history = await handle.fetch_history()
    return sum(
        1
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    )


@pytest.mark.parametrize("worker", [True, False], ids=["sandboxed", "unsandboxed"], indirect=True)
async def test_whole_visit_from_ticket_to_done(
    worker: Worker, gateway: VisitGateway, settings: Settings
) -> None:
    clerk = Principal("c", "c", ("r",), frozenset(), Scope.COUNTER_GROUP, **factories.HOME)
    # Opened as the reception desk does: the gateway issues the 整理券 and starts the visit
    # with it; the answer is the visit as it opens, the same as the workflow's own.
    opened = await gateway.open_visit(**factories.HOME, viewer=clerk)
    visit_id = opened.visit_id
    state = await gateway.state(visit_id)
    assert state.step == opened.step == Step.RECEPTION
    assert state.ticket_no == opened.ticket_no and opened.ticket_no is not None
    assert gateway.answered(visit_id, clerk) == opened  # the reception screen draws it
    following = await gateway.open_visit(**factories.HOME, viewer=clerk)
    assert following.ticket_no == opened.ticket_no + 1
    await gateway.act(following.visit_id, Action.CANCEL, CancelInput("番号の確認のみ"))

    state = await walk_to_confirm(gateway, settings, visit_id)
    assert state.step == Step.CONFIRM
    # Pinned just after the ticket: the whole visit is filled with one catalog version.
    assert state.catalog_version == "2026.11-6"
    assert [f.form_code for f in state.forms] == ["idou", "juminhyo_seikyu"]
    tenkyo = {f.key: f.value for f in state.forms[0].fields}
    assert tenkyo["new_address"] == "香川県高松市番町一丁目8番15号"
    assert tenkyo["moved_on"] == "令和8年11月20日"

    state = await factories.sign(gateway, visit_id, factories.CONFIRM)
    assert state.step == Step.AWAIT_RPA
    assert state.signed
    store = LocalDirectoryStore(settings.objects_root)
    assert store.list(f"visits/{visit_id}/") == [
        f"visits/{visit_id}/{name}" for name in ("forms.pdf", "signature.json", "signature.png")
    ]
    assert store.get(state.documents[0].key).startswith(b"%PDF")
    signed = json.loads(store.get(f"visits/{visit_id}/signature.json"))
    assert signed["forms"] == [f"{f.form_code}@{f.version}" for f in state.forms]
    assert signed["strokes"] == factories.SIGNATURE.strokes
    assert signed["pdf_sha256"] == state.documents[0].sha256
    assert store.get(f"visits/{visit_id}/signature.png").startswith(b"\x89PNG")
    assert len(state.records) == 2
    assert {r.status for r in state.records} == {"queued"}
    # The records wait in the outbox; a batch run puts them in one CSV per layout.
    batches = await factories.run_batch(gateway.client, settings.task_queue)
    assert len(batches.batches) == 2  # 転居 (idou) and 住民票 (shomei)
    csv_keys = [k for k in store.list("outbound/batches/") if k.endswith(".csv")]
    rows = [
        row for key in csv_keys for row in csv.reader(io.StringIO(store.get(key).decode("utf-8")))
    ]
    ids = sorted(row[0] for row in rows if row[0] != "受付番号")
    assert ids == sorted(r.record_id for r in state.records)

    for record in state.records:
        state = await gateway.act(
            visit_id, Action.RPA_RESULT, RpaResultInput(record.record_id, RpaOutcome.DONE)
        )
    assert state.step == Step.DONE
    assert [e.step for e in state.history] == [
        Step.RECEPTION, Step.IDENTIFY, Step.LOOKUP, Step.INTERVIEW, Step.FILL,
        Step.CONFIRM, Step.PRINT, Step.HANDOFF, Step.AWAIT_RPA, Step.DONE,
    ]  # fmt: skip
    handle = gateway.client.get_workflow_handle_for(CounterVisit.run, workflow_id(visit_id))
    assert (await handle.result()).step == Step.DONE

    # The visit is findable by its search attributes.
    for _ in range(50):
        listed = await gateway.list(step=Step.DONE, counter="C01")
        if any(v.visit_id == visit_id for v in listed):
            break
        await asyncio.sleep(0.1)
    summary = next(v for v in listed if v.visit_id == visit_id)
    assert summary.staff == "staff01" and summary.procedures == ["tenkyo", "juminhyo"]
    assert summary.step_entered_at is not None and summary.needs_attention is False


async def test_out_of_order_and_invalid_input_is_rejected_without_touching_history(
    worker: Worker, gateway: VisitGateway, settings: Settings
) -> None:
    visit_id = await gateway.start(**factories.HOME)
    await gateway.wait_for_ticket(visit_id)
    before = await gateway.state(visit_id)

    with pytest.raises(VisitRejected) as wrong:
        await factories.sign(gateway, visit_id, factories.CONFIRM)
    assert wrong.value.kind == "WrongStep"
    assert "内容確認・署名" in wrong.value.message or "confirm" in wrong.value.message

    with pytest.raises(VisitRejected) as bad:
        await gateway.act(visit_id, Action.CALL, factories.CALL.__class__(counter="", staff="s 1"))
    assert bad.value.kind == "InvalidInput"
    assert {p["field"] for p in bad.value.problems} == {"counter", "staff"}

    await gateway.act(visit_id, Action.CALL, factories.CALL)
    future = IdCardData(source=IdSource.MANUAL, name="試験　太郎", birth_date="2999-01-01")
    with pytest.raises(VisitRejected) as bad_date:
        await gateway.act(visit_id, Action.IDENTIFY, future)
    assert bad_date.value.problems == [
        {"field": "birth_date", "message": "未来の日付です / date is in the future"}
    ]
    with pytest.raises(VisitRejected) as not_candidate:
        await gateway.act(visit_id, Action.CHOOSE_RESIDENT, ChooseResidentInput("9999999999"))
    assert not_candidate.value.kind == "WrongStep"

    after = await gateway.state(visit_id)
    assert after.step == Step.IDENTIFY and after.id_card is None
    assert after.ticket_no == before.ticket_no
    # Only the one accepted update (call) is in the history; rejections left no trace.
    assert await update_events(gateway.client, visit_id) == 1


async def test_unknown_procedure_and_missing_answers_are_named(
    worker: Worker, gateway: VisitGateway, settings: Settings
) -> None:
    visit_id = await gateway.start(**factories.HOME)
    r = factories.resident(settings.sqlalchemy_url)
    await gateway.act(visit_id, Action.CALL, factories.CALL)
    await gateway.act(visit_id, Action.IDENTIFY, factories.card_for(r))
    await gateway.act(visit_id, Action.CHOOSE_RESIDENT, ChooseResidentInput(r.atena_no))
    with pytest.raises(VisitRejected) as e:
        await gateway.act(
            visit_id,
            Action.CHOOSE_PROCEDURES,
            ChooseProceduresInput(["tenkyo", "nosuch"], {"copies": "99"}),
        )
    problems = {p["field"]: p["message"] for p in e.value.problems}
    assert sorted(problems) == [
        "answers.copies", "answers.moved_on", "answers.new_address", "procedures"
    ]  # fmt: skip
    assert "nosuch" in problems["procedures"]
    assert "not a question of these procedures" in problems["answers.copies"]
    assert (await gateway.state(visit_id)).step == Step.INTERVIEW


async def test_cancel_with_reason_and_not_after_handoff(
    worker: Worker, gateway: VisitGateway, settings: Settings
) -> None:
    visit_id = await gateway.start(**factories.HOME)
    with pytest.raises(VisitRejected) as no_reason:
        await gateway.act(visit_id, Action.CANCEL, CancelInput(reason="  "))
    assert no_reason.value.problems[0]["field"] == "reason"
    state = await gateway.act(visit_id, Action.CANCEL, CancelInput(reason="来庁者が帰宅"))
    assert state.step == Step.CANCELLED

    other = await gateway.start(**factories.HOME)
    await walk_to_confirm(gateway, settings, other)
    await factories.sign(gateway, other, factories.CONFIRM)
    with pytest.raises(VisitRejected) as late:
        await gateway.act(other, Action.CANCEL, CancelInput(reason="too late"))
    assert late.value.kind == "WrongStep"


async def test_rpa_error_marks_the_visit_for_attention_until_done(
    worker: Worker, gateway: VisitGateway, settings: Settings
) -> None:
    visit_id = await gateway.start(**factories.HOME)
    await walk_to_confirm(gateway, settings, visit_id)
    state = await factories.sign(gateway, visit_id, factories.CONFIRM)
    first, second = (r.record_id for r in state.records)
    state = await gateway.act(
        visit_id,
        Action.RPA_RESULT,
        RpaResultInput(first, RpaOutcome.ERROR, "E102 住所コード不一致"),
    )
    assert state.needs_attention
    assert state.attention_reason == "RPAエラー 1件 / RPA errors: 転居届: E102 住所コード不一致"
    assert state.step == Step.AWAIT_RPA
    # The same "done" twice has one effect (same update id).
    for _ in range(2):
        state = await gateway.act(
            visit_id, Action.RPA_RESULT, RpaResultInput(second, RpaOutcome.DONE), "rpa-2"
        )
    assert state.step == Step.AWAIT_RPA
    state = await gateway.act(visit_id, Action.RPA_RESULT, RpaResultInput(first, RpaOutcome.DONE))
    assert state.step == Step.DONE and not state.needs_attention


async def test_no_rpa_report_in_time_marks_the_visit_for_attention(
    worker: Worker, client: Client, settings: Settings
) -> None:
    gw = VisitGateway(client, settings.task_queue, rpa_timeout_seconds=1.0, heartbeat_seconds=3.0)
    visit_id = await gw.start(**factories.HOME)
    await walk_to_confirm(gw, settings, visit_id)
    await factories.sign(gw, visit_id, factories.CONFIRM)
    for _ in range(60):
        state = await gw.state(visit_id)
        if state.needs_attention:
            break
        await asyncio.sleep(0.1)
    assert state.needs_attention and "RPA" in state.attention_reason


async def test_an_activity_that_fails_twice_then_succeeds(
    client: Client, gateway: VisitGateway, settings: Settings
) -> None:
    real = visit_activities(settings)
    attempts: list[int] = []

    @activity.defn(name="print_forms")
    def flaky_print(inp: PrintInput) -> PrintResult:
        attempts.append(activity.info().attempt)
        if activity.info().attempt <= 2:
            raise RuntimeError("printer spooler not ready")
        return real.print_forms(inp)

    activities = factories.activities_with(real, {real.print_forms: flaky_print})
    with ThreadPoolExecutor(max_workers=16) as executor:
        async with build_worker(client, settings, executor, activities):
            visit_id = await gateway.start(**factories.HOME)
            await walk_to_confirm(gateway, settings, visit_id)
            state = await factories.sign(gateway, visit_id, factories.CONFIRM)
    assert attempts == [1, 2, 3]
    assert state.step == Step.AWAIT_RPA
    store = LocalDirectoryStore(settings.objects_root)
    assert store.list(f"visits/{visit_id}/") == [
        f"visits/{visit_id}/{name}" for name in ("forms.pdf", "signature.json", "signature.png")
    ]


async def test_form_filling_that_fails_for_good_flags_the_visit_and_goes_back_to_the_interview(
    client: Client, gateway: VisitGateway, settings: Settings
) -> None:
    real = visit_activities(settings)
    calls: list[int] = []

    @activity.defn(name="fill_forms")
    def gone_once(inp: FillInput) -> FillResult:
        calls.append(activity.info().attempt)
        if len(calls) == 1:  # removed from the register between choosing and filling
            raise ApplicationError(
                "選択した住民が住民記録にありません / resident no longer in the register",
                type="ResidentNotFound",
                non_retryable=True,
            )
        return real.fill_forms(inp)

    activities = factories.activities_with(real, {real.fill_forms: gone_once})
    with ThreadPoolExecutor(max_workers=16) as executor:
        async with build_worker(client, settings, executor, activities):
            visit_id = await gateway.start(**factories.HOME)
            with pytest.raises(VisitRejected) as refused:
                await walk_to_confirm(gateway, settings, visit_id)
            state = await gateway.state(visit_id)
            # Not left at 帳票作成, where nothing is allowed: back at the interview, flagged,
            # and the clerk can choose again.
            assert "住民記録にありません" in refused.value.message
            assert state.step == Step.INTERVIEW and state.needs_attention
            assert state.attention_reason.startswith("帳票作成に失敗しました")
            assert "住民記録にありません" in state.attention_reason
            r = factories.resident(settings.sqlalchemy_url)
            again = await gateway.act(visit_id, Action.CHOOSE_PROCEDURES, factories.moving_alone(r))
    assert calls == [1, 1]
    assert again.step == Step.CONFIRM and again.forms
    assert not again.needs_attention  # filled this time: nobody needs to look at it now


async def _scheduled_activities(client: Client, visit_id: str) -> list[str]:
    history = await client.get_workflow_handle(workflow_id(visit_id)).fetch_history()
    return [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]


async def test_a_handoff_that_fails_its_quick_tries_goes_on_as_an_ordinary_activity(
    client: Client, gateway: VisitGateway, settings: Settings
) -> None:
    real = visit_activities(settings)
    failing: set[str] = set()
    local_tries: list[int] = []

    @activity.defn(name="write_handoff")
    def flaky_handoff(inp: HandoffInput) -> HandoffResult:
        # The core system's share is down for the local tries of one visit only.
        if inp.context.visit_id in failing and activity.info().is_local:
            local_tries.append(activity.info().attempt)
            raise RuntimeError("handoff share not mounted")
        return real.write_handoff(inp)

    activities = factories.activities_with(real, {real.write_handoff: flaky_handoff})
    with ThreadPoolExecutor(max_workers=16) as executor:
        async with build_worker(client, settings, executor, activities):
            smooth = await gateway.start(**factories.HOME)
            await walk_to_confirm(gateway, settings, smooth)
            await factories.sign(gateway, smooth, factories.CONFIRM)
            rough = await gateway.start(**factories.HOME)
            failing.add(rough)
            await walk_to_confirm(gateway, settings, rough)
            await gateway.act(rough, Action.CONFIRM, factories.CONFIRM)
            state = await factories.settled(gateway, rough, 60)
    assert state.step == Step.AWAIT_RPA and len(state.records) == 2
    assert local_tries == [1, 2, 3, 4, 5]
    # A visit's printer and handoff run inside the worker's workflow task; only the catalog
    # and the PDF go through the task queue — and the handoff once its quick tries failed,
    # where the supervisor sees it failing repeatedly if it keeps on.
    assert await _scheduled_activities(client, smooth) == ["pin_catalog", "print_forms"]
    assert await _scheduled_activities(client, rough) == [
        "pin_catalog", "print_forms", "write_handoff",
    ]  # fmt: skip


async def test_same_idempotency_key_takes_effect_once(
    worker: Worker, gateway: VisitGateway, settings: Settings
) -> None:
    first = await gateway.start(idempotency_key="ticket-press-1", **factories.HOME)
    again = await gateway.start(idempotency_key="ticket-press-1", **factories.HOME)
    assert first == again
    # Even once that visit is over, the key still names it (found by schemathesis: was a 500).
    done = await gateway.start(idempotency_key="ticket-press-0", **factories.HOME)
    await gateway.act(done, Action.CANCEL, CancelInput("test"))
    await gateway.client.get_workflow_handle(workflow_id(done)).result()
    assert await gateway.start(idempotency_key="ticket-press-0", **factories.HOME) == done
    r = factories.resident(settings.sqlalchemy_url)
    await gateway.act(first, Action.CALL, factories.CALL, "k-call")
    # A double click: the same call twice, concurrently, is one step.
    a, b = await asyncio.gather(
        gateway.act(first, Action.IDENTIFY, factories.card_for(r), "k-id"),
        gateway.act(first, Action.IDENTIFY, factories.card_for(r), "k-id"),
    )
    assert a.step == b.step == Step.LOOKUP
    assert await update_events(gateway.client, first) == 2


async def test_the_screen_after_a_step_uses_its_answer_once_and_never_a_repeated_old_one(
    worker: Worker, gateway: VisitGateway, settings: Settings
) -> None:
    clerk = Principal("c", "c", ("r",), frozenset(), Scope.COUNTER_GROUP, "shimin", "honcho")
    elsewhere = replace(clerk, counter_group="shisho")
    visit_id = await gateway.start(**factories.HOME)
    await gateway.wait_for_ticket(visit_id)
    called = await gateway.act(visit_id, Action.CALL, factories.CALL, "k-call")
    assert called.answered_at and not (await gateway.state(visit_id)).answered_at
    assert gateway.answered(visit_id, clerk) == called
    assert gateway.answered(visit_id, clerk) is None  # once: a reload asks the visit
    await gateway.act(visit_id, Action.CANCEL, CancelInput("窓口を間違えた"), "k-cancel")
    with pytest.raises(VisitNotFound):  # another counter group sees no visit
        gateway.answered(visit_id, elsewhere)
    # A form sent again later (back button, resend): Temporal repeats the old answer, from
    # before the cancel, which must not be drawn as the visit's state.
    await asyncio.sleep(ANSWER_FRESH_SECONDS + 0.5)
    repeated = await gateway.act(visit_id, Action.CALL, factories.CALL, "k-call")
    assert repeated.step == Step.IDENTIFY and repeated.answered_at == called.answered_at
    assert gateway.answered(visit_id, clerk) is None


def _payloads(message: Message) -> Iterator[Payload]:
    """Every Payload anywhere inside a protobuf message."""
    if isinstance(message, Payload):
        yield message
        return
    for _field, value in message.ListFields():
        if isinstance(value, Message):
            yield from _payloads(value)
        elif isinstance(value, Iterable) and not isinstance(value, str | bytes):
            items = value.values() if isinstance(value, Mapping) else value
            for item in items:
                if isinstance(item, Message):
                    yield from _payloads(item)


LOCAL_ACTIVITIES = {
    "issue_ticket", "lookup_residents", "search_residents",
    "propose_procedures", "fill_forms",
}  # fmt: skip


async def test_temporal_history_holds_no_personal_data_in_the_clear(
    worker: Worker, gateway: VisitGateway, settings: Settings, temporal_env: WorkflowEnvironment
) -> None:
    visit_id = await gateway.start(**factories.HOME)
    state = await walk_to_confirm(gateway, settings, visit_id)
    assert state.resident is not None
    # Read the raw history as the Temporal server (and its web UI) has it: no codec.
    raw = await Client.connect(temporal_env.client.service_client.config.target_host)
    history = await raw.get_workflow_handle(workflow_id(visit_id)).fetch_history()
    secrets = [s.encode() for s in (state.resident.name, state.resident.birth_date)]
    encrypted = 0
    for p in (p for e in history.events for p in _payloads(e)):
        assert not any(s in p.data for s in secrets)
        if p.metadata.get("encoding") == b"binary/encrypted":
            encrypted += 1
        elif b'"deprecated"' in p.data:
            # A workflow.patched marker: the patch's name only.
            assert set(json.loads(p.data)) == {"id", "deprecated"}
        elif b'"activity_type"' in p.data:
            # The SDK's own record of a local activity (type, attempt, times); its result is
            # a separate, encrypted payload.
            assert json.loads(p.data)["activity_type"] in LOCAL_ACTIVITIES
        else:
            # Only search attribute values (step, counter, staff id, procedure codes) are plain.
            assert "type" in p.metadata, p
    assert encrypted >= 10  # start input, update inputs and results, activity inputs/results


async def test_whole_visit_with_s3_as_the_object_store(
    client: Client, settings: Settings, moto_endpoint: str
) -> None:
    import boto3

    boto3.client("s3", region_name="ap-northeast-1", endpoint_url=moto_endpoint).create_bucket(
        Bucket="mado-visits", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
    )
    on_s3 = settings.model_copy(
        update={"object_store": "s3", "s3_bucket": "mado-visits", "s3_endpoint_url": moto_endpoint}
    )
    gw = VisitGateway(client, on_s3.task_queue, rpa_timeout_seconds=3600, heartbeat_seconds=3)
    with ThreadPoolExecutor(max_workers=16) as executor:
        async with build_worker(client, on_s3, executor):
            visit_id = await gw.start(**factories.HOME)
            await walk_to_confirm(gw, on_s3, visit_id)
            state = await factories.sign(gw, visit_id, factories.CONFIRM)
            result = await factories.run_batch(client, on_s3.task_queue)
    store = object_store(on_s3)
    assert store.list(f"visits/{visit_id}/") == [
        f"visits/{visit_id}/{name}" for name in ("forms.pdf", "signature.json", "signature.png")
    ]
    assert store.get(state.documents[0].key).startswith(b"%PDF")
    keys = [k for k in store.list("outbound/batches/") if k.endswith(".csv")]
    assert len(keys) == len(result.batches) == 2
    assert all(store.get(k).decode("utf-8").startswith("受付番号,") for k in keys)


async def test_staff_can_search_the_register_inside_a_visit(
    worker: Worker, gateway: VisitGateway, settings: Settings
) -> None:
    r = factories.resident(settings.sqlalchemy_url)
    visit_id = await gateway.start(**factories.HOME)
    await gateway.act(visit_id, Action.CALL, factories.CALL)
    state = await gateway.act(visit_id, Action.SEARCH, SearchInput("kana", r.kana.split("　")[0]))
    assert state.step == Step.LOOKUP
    assert r.atena_no in {c.atena_no for c in state.candidates}
    state = await gateway.act(visit_id, Action.SEARCH, SearchInput("atena_no", r.atena_no))
    assert [c.atena_no for c in state.candidates] == [r.atena_no]
    await gateway.act(visit_id, Action.CHOOSE_RESIDENT, ChooseResidentInput(r.atena_no))
    with pytest.raises(VisitRejected) as bad:
        await gateway.act(visit_id, Action.SEARCH, SearchInput("shoe_size", "x"))
    assert bad.value.kind == "WrongStep"  # the interview has begun
    other = await gateway.start(**factories.HOME)
    await gateway.act(other, Action.CALL, factories.CALL)
    with pytest.raises(VisitRejected) as unknown:
        await gateway.act(other, Action.SEARCH, SearchInput("shoe_size", "x"))
    assert unknown.value.problems == [
        {"field": "kind", "message": "検索の種類が不明です / unknown kind of search"}
    ]


async def test_a_corrected_answer_at_review_refills_the_forms_and_the_application_data(
    worker: Worker, gateway: VisitGateway, settings: Settings
) -> None:
    visit_id = await gateway.start(**factories.HOME)
    state = await walk_to_confirm(gateway, settings, visit_id)
    assert {f.key: f.value for f in state.forms[0].fields}["moved_on"] == "令和8年11月20日"
    fix = CorrectAnswersInput({"moved_on": "2026-11-18"}, "転居日の聞き違い")
    state = await gateway.act(visit_id, Action.CORRECT, fix)
    assert state.step == Step.CONFIRM and state.answers["moved_on"] == "2026-11-18"
    assert {f.key: f.value for f in state.forms[0].fields}["moved_on"] == "令和8年11月18日"
    assert [e.step for e in state.history].count(Step.FILL) == 2
    for wrong, field_name in (
        (CorrectAnswersInput({"moved_on": "2026-11-18"}, "同じ"), "answers"),  # no change
        (CorrectAnswersInput({"shoe_size": "27"}, "x"), "answers.shoe_size"),
        (CorrectAnswersInput({"moved_on": "2026-13-40"}, "x"), "answers.moved_on"),
        (CorrectAnswersInput({"moved_on": "2026-11-17"}, ""), "reason"),
    ):
        with pytest.raises(VisitRejected) as e:
            await gateway.act(visit_id, Action.CORRECT, wrong)
        assert e.value.problems[0]["field"] == field_name
    codes = [f.form_code for f in state.forms]
    state = await factories.sign(gateway, visit_id, ConfirmInput(factories.SIGNATURE, codes))
    await factories.run_batch(gateway.client, settings.task_queue)
    store = LocalDirectoryStore(settings.objects_root)
    idou = next(k for k in store.list("outbound/batches/idou/") if k.endswith(".csv"))
    row = next(csv.DictReader(io.StringIO(store.get(idou).decode("utf-8"))))
    assert row["異動年月日"] == "20261118"  # the CSV says what the signed form says
    with pytest.raises(VisitRejected) as late:
        await gateway.act(visit_id, Action.CORRECT, CorrectAnswersInput({"copies": "1"}, "x"))
    assert late.value.kind == "WrongStep"
