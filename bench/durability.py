"""The price of durability: one staff step through the whole embedded stack against the
bare database write the step amounts to, side by side in the same run.

    .venv/bin/python -m bench.durability --visits 60
    .venv/bin/python -m bench.durability --visits 60 --database-url postgresql+psycopg://…

The step is 住民を選択 (choose the resident): an Update that changes the visit's state and
runs no activity, so what it costs beyond the write is the durability machinery itself —
HTTP, login and scope check, the Temporal update, a workflow task on the worker, the
history events and search attributes written by the server. The bare write is what a
plain CRUD system would do for the same click: one INSERT of the step (visit, step, who,
the clerk's input as JSON) and a COMMIT, on the application database with its own
settings (SQLite WAL, or PostgreSQL), measured alternately with the steps.

Where the step's time goes, measured in the same run: HTTP and the login check alone (an
authenticated GET of /api/auth/me), and the same update sent straight to Temporal by a
client in this process (no HTTP, no login) on every other visit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid

import httpx
from sqlalchemy import text

from adapters.db import engine_for
from adapters.temporal_client import connect, workflow_id
from bench.stack import embedded_stack, login, machine, pct
from domain.steps import Action
from domain.visit import ChooseResidentInput, VisitState
from madoguchi.crypto import payload_key
from madoguchi.load import residents
from madoguchi.settings import Settings

CREATE = (
    "CREATE TABLE IF NOT EXISTS bench_step_writes (id VARCHAR(32) PRIMARY KEY, "
    "visit_id VARCHAR(32), step VARCHAR(40), staff VARCHAR(40), payload TEXT, at TIMESTAMP)"
)
INSERT = (
    "INSERT INTO bench_step_writes (id, visit_id, step, staff, payload, at) "
    "VALUES (:id, :visit_id, 'choose_resident', 'staff01', :payload, CURRENT_TIMESTAMP)"
)


def _bare_write(url: str, visit_id: str, body: dict[str, str]) -> float:
    engine = engine_for(url)
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            text(INSERT),
            {"id": uuid.uuid4().hex, "visit_id": visit_id, "payload": json.dumps(body)},
        )
    return _since(start)


WARM_UP = 6
LABELS = {
    "step": "staff step through the stack",
    "login": "  of it: HTTP + login check alone",
    "update": "  of it: the update straight to Temporal",
    "write": "bare INSERT + COMMIT",
}


def _since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=60, help="steps measured each way")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    env = {"MADO_DATABASE_URL": args.database_url} if args.database_url else {}
    figures: dict[str, list[float]] = {label: [] for label in LABELS}
    loop = asyncio.new_event_loop()
    with embedded_stack(**env) as stack:
        settings = Settings(data_dir=stack.data, database_url=args.database_url)
        url = settings.sqlalchemy_url
        with engine_for(url).begin() as conn:
            conn.execute(text(CREATE))
        client = loop.run_until_complete(
            connect(stack.temporal, settings.temporal_namespace, payload_key(settings))
        )
        people = residents(settings, limit=2 * args.visits + WARM_UP)
        with httpx.Client(base_url=stack.url, timeout=60) as http:
            http.headers.update(login(http, "staff01"))
            for i, (name, birth, atena) in enumerate(people):
                vid = http.post("/api/visits").json()["visit_id"]
                http.post(f"/api/visits/{vid}/call", json={"counter": "C01"}).raise_for_status()
                http.post(f"/api/visits/{vid}/identify", json={
                    "source": "mynumber_card", "name": name, "birth_date": birth,
                }).raise_for_status()  # fmt: skip
                body = {"atena_no": atena}
                timed = {"write": _bare_write(url, vid, body)}
                start = time.perf_counter()
                http.get("/api/auth/me").raise_for_status()
                timed["login"] = _since(start)
                start = time.perf_counter()
                if i % 2:
                    handle = client.get_workflow_handle(workflow_id(vid))
                    loop.run_until_complete(handle.execute_update(
                        str(Action.CHOOSE_RESIDENT), ChooseResidentInput(atena),
                        result_type=VisitState,
                    ))  # fmt: skip
                    timed["update"] = _since(start)
                else:
                    http.post(f"/api/visits/{vid}/resident", json=body).raise_for_status()
                    timed["step"] = _since(start)
                if i >= WARM_UP:  # the first few warm caches and connections
                    for key, ms in timed.items():
                        figures[key].append(ms)
    loop.close()
    db = "PostgreSQL" if args.database_url else "SQLite"
    steps, writes = figures["step"], figures["write"]
    print(f"price of durability ({db}), {len(steps)} steps, {machine()}")
    print(f"{'':44}{'p50 ms':>9}{'p95 ms':>9}")
    for key, label in LABELS.items():
        print(f"{label:44}{pct(figures[key], 50):9.1f}{pct(figures[key], 95):9.1f}")
    print(
        f"ratio: {pct(steps, 50) / pct(writes, 50):.1f}x at p50, "
        f"{pct(steps, 95) / pct(writes, 95):.1f}x at p95 (target < 3x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
