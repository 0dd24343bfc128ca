"""ResidentImport against a real Temporal server, a real database and a real object store."""

from __future__ import annotations

import asyncio
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from sqlmodel import select
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import ActivityEnvironment
from temporalio.worker import Worker

from activities.import_activities import ApplyInput, PollInput
from adapters import residents
from adapters.catalog_files import load_juki_layout
from adapters.db import session_scope
from adapters.schedules import ensure_inbound_poller, poller_schedule_id
from adapters.tables import ImportChunkRow, ImportRow, QuarantineRow, ResidentHistoryRow
from domain.resident import ResidentRecord
from madoguchi import demo_city
from madoguchi.juki_export import drop_file, juki_csv
from madoguchi.settings import Settings
from madoguchi.storage import object_store
from madoguchi.synth_city import drop_city
from madoguchi.worker import build_worker, import_activities
from workflows.inbound_poller import InboundPoller, import_workflow_id
from workflows.resident_import import ImportInput, ImportOutcome, ResidentImport


async def run_import(
    client: Client, settings: Settings, manifest_key: str, chunk: int = 50
) -> ImportOutcome:
    return await client.execute_workflow(
        ResidentImport.run,
        ImportInput(manifest_key, chunk_size=chunk),
        id=f"import-{uuid.uuid4().hex}",
        task_queue=settings.task_queue,
    )


def city(settings: Settings, n: int = 180) -> list[ResidentRecord]:
    people = demo_city.generate(n, seed=99)
    # Atena numbers of their own, beside the demo residents the fixture seeded.
    return [replace(p, atena_no=f"9{p.atena_no[1:]}") for p in people]


async def test_full_import_then_duplicate_then_delta_with_history(
    worker: Worker, client: Client, settings: Settings
) -> None:
    store = object_store(settings)
    layout = load_juki_layout(settings.catalog_dir)
    people = city(settings)
    data = juki_csv(people, layout)
    full = await run_import(
        client, settings, drop_file(store, "full-20261101", data, kind="full", rows=len(people))
    )
    assert (full.status, full.applied, full.quarantined) == ("done", 180, 0)
    with session_scope(settings.sqlalchemy_url) as session:
        stored = residents.get(session, people[0].atena_no)
        assert stored is not None and stored.name == people[0].name
        ivs = [p for p in people if any("\U000e0100" <= c <= "\U000e01ef" for c in p.name)]
        if ivs:
            again = residents.get(session, ivs[0].atena_no)
            assert again is not None and again.name == ivs[0].name  # IVS survive the import

    # The same content again, under another name: recorded as a duplicate, nothing applied.
    dup = await run_import(
        client, settings, drop_file(store, "full-copy", data, kind="full", rows=len(people))
    )
    assert dup.status == "duplicate" and "full-20261101" in dup.reason

    # A delta: one move, one death (消除), one birth.
    moved = replace(
        people[0], address="香川県高松市番町一丁目8番15号", idou_jiyu="転居", idou_on="2026-11-20"
    )
    died = replace(people[1], status="消除", idou_jiyu="死亡", idou_on="2026-11-21")
    born = replace(
        people[2],
        atena_no="9999999999",
        name="高松　はるか",
        kana="タカマツ　ハルカ",
        birth_date="2026-11-22",
        relationship="子",
        idou_jiyu="出生",
        idou_on="2026-11-22",
    )
    delta = juki_csv([moved, died, born], layout)
    result = await run_import(
        client, settings, drop_file(store, "delta-20261122", delta, kind="delta", rows=3)
    )
    assert (result.status, result.applied) == ("done", 3)
    with session_scope(settings.sqlalchemy_url) as session:
        assert residents.get(session, moved.atena_no).address.startswith("香川県高松市番町")  # type: ignore[union-attr]
        assert residents.get(session, died.atena_no).status == "消除"  # type: ignore[union-attr]
        assert residents.get(session, "9999999999") is not None
        history = session.exec(
            select(ResidentHistoryRow).where(ResidentHistoryRow.atena_no == moved.atena_no)
        ).all()
    assert [h.idou_jiyu for h in history] == ["", "転居"]
    assert json.loads(history[1].before)["address"] == people[0].address
    assert json.loads(history[1].after)["address"] == moved.address


async def test_bad_files_are_rejected_whole_and_bad_rows_quarantined(
    worker: Worker, client: Client, settings: Settings
) -> None:
    store = object_store(settings)
    layout = load_juki_layout(settings.catalog_dir)
    people = city(settings, 20)
    data = juki_csv(people, layout)

    lying = await run_import(
        client, settings, drop_file(store, "lying", data, kind="full", rows=21)
    )
    assert lying.status == "rejected" and "row count" in lying.reason
    sjis_data = data.decode().encode("cp932", errors="replace")
    sjis = await run_import(
        client, settings, drop_file(store, "sjis", sjis_data, kind="full", rows=20)
    )
    assert sjis.status == "rejected" and "UTF-8" in sjis.reason
    with session_scope(settings.sqlalchemy_url) as session:
        assert residents.get(session, people[0].atena_no) is None  # nothing of them applied

    bad = list(people)
    bad[3] = replace(bad[3], birth_date="1990-13-01")
    bad[7] = replace(bad[7], juminhyo_code="12345678901")
    mixed = await run_import(
        client, settings, drop_file(store, "mixed", juki_csv(bad, layout), kind="full", rows=20)
    )
    assert (mixed.status, mixed.applied, mixed.quarantined) == ("done", 18, 2)
    with session_scope(settings.sqlalchemy_url) as session:
        q = session.exec(
            select(QuarantineRow).where(QuarantineRow.file_key == mixed.file_key)
        ).all()
        imports = {i.file_key: i.status for i in session.exec(select(ImportRow)).all()}
    assert sorted((x.row, x.item) for x in q) == [(5, "birth_date"), (9, "juminhyo_code")]
    assert imports["inbound/juki/lying.csv"] == "rejected" and imports[mixed.file_key] == "done"


def test_a_retried_apply_skips_the_chunks_already_applied(settings: Settings) -> None:
    store = object_store(settings)
    layout = load_juki_layout(settings.catalog_dir)
    people = city(settings, 30)
    drop_file(store, "retry", juki_csv(people, layout), kind="full", rows=30)
    acts = import_activities(settings)
    env = ActivityEnvironment()
    first = env.run(acts.apply_inbound, ApplyInput("inbound/juki/retry.csv", chunk_size=10))
    second = env.run(acts.apply_inbound, ApplyInput("inbound/juki/retry.csv", chunk_size=10))
    assert (first.applied, second.applied) == (30, 30)  # the same totals, nothing twice
    with session_scope(settings.sqlalchemy_url) as session:
        chunks = session.exec(
            select(ImportChunkRow).where(ImportChunkRow.file_key == "inbound/juki/retry.csv")
        ).all()
        history = session.exec(
            select(ResidentHistoryRow).where(
                ResidentHistoryRow.file_key == "inbound/juki/retry.csv"
            )
        ).all()
    assert len(chunks) == 3 and len(history) == 30


async def test_the_schedule_polls_the_inbound_prefix_and_imports_each_file_once(
    worker: Worker, client: Client, settings: Settings
) -> None:
    store = object_store(settings)
    layout = load_juki_layout(settings.catalog_dir)
    people = city(settings, 12)
    key = drop_file(store, "polled", juki_csv(people, layout), kind="full", rows=12)

    await ensure_inbound_poller(client, settings.task_queue, every_seconds=3600)
    await ensure_inbound_poller(client, settings.task_queue, every_seconds=3600)  # idempotent
    handle = client.get_schedule_handle(poller_schedule_id(settings.task_queue))
    try:
        await handle.trigger()
        imported = client.get_workflow_handle_for(ResidentImport.run, import_workflow_id(key))
        for _ in range(100):
            try:
                outcome = await imported.result()
                break
            except RPCError:  # not started yet
                await asyncio.sleep(0.1)
        assert (outcome.status, outcome.applied) == ("done", 12)
        # A second poll finds nothing new.
        again = await client.execute_workflow(
            InboundPoller.run,
            PollInput(),
            id=f"poll-{uuid.uuid4().hex}",
            task_queue=settings.task_queue,
        )
        assert again == []
    finally:
        await handle.delete()


async def test_a_synthetic_city_and_its_deltas_import_in_order(
    worker: Worker, client: Client, settings: Settings
) -> None:
    store = object_store(settings)
    keys = drop_city(
        store, load_juki_layout(settings.catalog_dir), seed=7, residents=600, households=290,
        foreign=12, months=2,
    )  # fmt: skip
    imported = await client.execute_workflow(
        InboundPoller.run,
        PollInput(),
        id=f"poll-{uuid.uuid4().hex}",
        task_queue=settings.task_queue,
    )
    assert imported == keys  # the snapshot first, then the deltas in order
    with session_scope(settings.sqlalchemy_url) as session:
        states = {
            i.file_key: (i.status, i.quarantined) for i in session.exec(select(ImportRow)).all()
        }
        synth = [
            r for r in session.exec(select(ResidentHistoryRow)).all() if "synth-7" in r.file_key
        ]
    assert all(states[k.replace(".manifest.json", ".csv")] == ("done", 0) for k in keys)
    reasons = {h.idou_jiyu for h in synth}
    assert {"初期", "転居", "転入", "転出", "出生", "死亡"} <= reasons


async def test_an_import_from_s3(client: Client, settings: Settings, moto_endpoint: str) -> None:
    import boto3

    boto3.client("s3", region_name="ap-northeast-1", endpoint_url=moto_endpoint).create_bucket(
        Bucket="mado-inbound", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
    )
    on_s3 = settings.model_copy(
        update={"object_store": "s3", "s3_bucket": "mado-inbound", "s3_endpoint_url": moto_endpoint}
    )
    store = object_store(on_s3)
    people = city(on_s3, 40)
    key = drop_file(
        store,
        "s3-full",
        juki_csv(people, load_juki_layout(on_s3.catalog_dir)),
        kind="full",
        rows=40,
    )
    with ThreadPoolExecutor(max_workers=16) as executor:
        async with build_worker(client, on_s3, executor):
            outcome = await run_import(client, on_s3, key)
    assert (outcome.status, outcome.applied) == ("done", 40)
    with session_scope(on_s3.sqlalchemy_url) as session:
        assert residents.get(session, people[0].atena_no) is not None
