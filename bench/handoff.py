"""Handoff figures: exporting records into batches, and confirmation → RPA "done".

``export``: N records (three layouts, one of them CP932) built from the demo city as visits
build them, queued, then moved into batches by the batch activities (reserve, write CSV and
manifest, publish) on SQLite or PostgreSQL — no Temporal round trips.

``e2e``: ``mado run`` on free ports; each visit is confirmed over HTTP, a batch is started
on demand (as after a schedule tick), and an RPA simulator polling every 0.1 s claims,
downloads, checks and reports; the figure is confirmation → the visit's step is done.
Add the batch interval (MADO_HANDOFF_INTERVAL_SECONDS) for records that wait for a tick.

    .venv/bin/python -m bench.handoff export --records 10000
    .venv/bin/python -m bench.handoff e2e --visits 30
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from temporalio.testing import ActivityEnvironment

from activities.handoff_activities import HandoffActivities, ReserveInput
from adapters import outbox
from adapters.catalog_files import load_layouts
from adapters.db import engine_for, session_scope
from adapters.object_store import LocalDirectoryStore
from bench.stack import embedded_stack, login, pct, signed_visit
from domain.binding import BindingContext
from domain.handoff import build_row, record_id
from domain.visit import IdCardData, IdSource
from madoguchi import demo_city
from madoguchi.rpa_sim import RpaSimulator, SimConfig
from madoguchi.seed import demo_password
from madoguchi.settings import REPO_ROOT

PROCEDURES = [("juminhyo", "shomei"), ("tenkyo", "idou"), ("jidou_teate", "fukushi")]


def export(records: int, database_url: str) -> None:
    layouts = load_layouts(REPO_ROOT / "catalog")
    people = demo_city.generate(records)
    engine_for(database_url)
    start = time.perf_counter()
    new = []
    for i, person in enumerate(people):
        code, layout_code = PROCEDURES[i % len(PROCEDURES)]
        visit = uuid.uuid4().hex
        ctx = BindingContext(
            visit_id=visit, ticket_no=i, today="2026-11-25", resident=person,
            applicant=IdCardData(IdSource.MYNUMBER_CARD, person.name, person.birth_date),
            procedure_code=code, procedure_name=code, fee_yen=300,
            answers={"copies": "1", "new_address": "香川県高松市番町1丁目8番15号",
                     "moved_on": "2026-11-20"},
            record_id=record_id(visit, code), visit_procedures=[code],
        )  # fmt: skip
        row = build_row(layouts[layout_code], ctx)
        new.append(
            outbox.NewRecord(ctx.record_id, visit, code, layouts[layout_code], row.values,
                             row.problems, row.degraded)
        )  # fmt: skip
    built = time.perf_counter() - start
    start = time.perf_counter()
    with session_scope(database_url) as session:
        for i in range(0, len(new), 500):  # a visit queues 1–5; this is many visits at once
            outbox.enqueue(session, new[i : i + 500])
    queued = time.perf_counter() - start

    store = LocalDirectoryStore(Path(tempfile.mkdtemp(prefix="mado-bench-objects-")))
    acts = HandoffActivities(database_url=database_url, store=store, client=None, task_queue="")
    env = ActivityEnvironment()  # the activities themselves, without a worker around them
    start = time.perf_counter()
    work = env.run(acts.list_handoff_work)
    batches = []
    for layout in work.pending_layouts:
        n = 5000
        while n == 5000:
            batch_id = f"bench-{uuid.uuid4().hex[:8]}"
            n = env.run(acts.reserve_batch, ReserveInput(batch_id, layout, 5000))
            if n:
                batches.append(batch_id)
    reserved = time.perf_counter() - start
    sizes = []
    for batch_id in batches:
        f = env.run(acts.write_batch_file, batch_id)
        env.run(acts.publish_batch, f)
        sizes.append(len(store.get(f.object_key)))
    exported = time.perf_counter() - start
    with session_scope(database_url) as session:
        counts = outbox.counts(session)
    kind = database_url.split(":")[0]
    print(f"handoff export, {records} records, {kind}, {os.cpu_count()} cores")
    print(f"  build rows (per visit, in fill/handoff activities): {built:6.2f} s")
    print(f"  queue into the outbox:                              {queued:6.2f} s")
    print(f"  into batches (reserve):                             {reserved:6.2f} s")
    print(f"  into batches, files written and ready (target < 5 s): {exported:6.2f} s")
    print(f"  batches: {len(batches)}, CSV bytes: {sum(sizes):,}, records by status: {counts}")


async def _robot(url: str, stop: asyncio.Event) -> None:
    sim = RpaSimulator(SimConfig(url=url, password=demo_password("rpa01"), interval=0.1))
    while not stop.is_set():
        await sim.once()
        await asyncio.sleep(0.1)


def e2e(visits: int) -> None:
    # Batches on demand only (as after a schedule tick): the interval is added on top.
    with embedded_stack(MADO_HANDOFF_INTERVAL_SECONDS="3600") as stack:
        url = stack.url
        with sqlite3.connect(stack.data / "madoguchi.db") as db:
            people = db.execute(
                "select name, birth_date, atena_no from residents where status = '住民'"
                " order by atena_no"
            ).fetchall()
        stop = asyncio.Event()
        loop = asyncio.new_event_loop()
        robot = loop.run_in_executor(None, lambda: asyncio.run(_robot(url, stop)))
        latencies: list[float] = []
        with httpx.Client(base_url=url, timeout=60) as http:
            http.headers.update(login(http, "staff01"))
            boss = login(http, "kantoku01")
            for i in range(visits + 1):  # the first is a warm-up
                vid = signed_visit(http, people[i % len(people)])
                start = time.perf_counter()
                http.post("/api/handoff/run", headers=boss).raise_for_status()
                while http.get(f"/api/visits/{vid}").json()["step"] != "done":
                    time.sleep(0.05)
                if i:
                    latencies.append(time.perf_counter() - start)
        stop.set()
        loop.run_until_complete(robot)
    print(f"confirmation → RPA done, {visits} visits one after another, {os.cpu_count()} cores")
    print(
        f"  p50 {statistics.median(latencies):.2f} s, p95 {pct(latencies, 95):.2f} s,"
        f" max {max(latencies):.2f} s (+ the batch interval when waiting for a tick)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    ex = sub.add_parser("export")
    ex.add_argument("--records", type=int, default=10_000)
    ex.add_argument("--database-url", default="")
    e2 = sub.add_parser("e2e")
    e2.add_argument("--visits", type=int, default=30)
    args = parser.parse_args()
    if args.what == "export":
        url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='mado-bench-')}/b.db"
        export(args.records, url)
    else:
        e2e(args.visits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
