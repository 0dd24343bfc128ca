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

And the step against a plain HTTP endpoint that makes the same write (the re-statement the
steering group may choose): our API in a second process with one extra route
(bench/plain_step_app.py) — the same login, CSRF and audit, then the INSERT + COMMIT,
no Temporal. Its ratio is what durability costs a clerk's click over a plain CRUD system
built on the same API.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from adapters.temporal_client import connect, workflow_id
from adapters.temporal_server import wait_for_port
from bench.plain_step_app import PATH, write_step
from bench.stack import Running, embedded_stack, login, machine, pct, start_module
from domain.steps import Action
from domain.visit import ChooseResidentInput, VisitState
from madoguchi.crypto import payload_key
from madoguchi.load import residents
from madoguchi.settings import Settings

PLAIN_ADDRESS = "MADO_BENCH_PLAIN_ADDRESS"


def _bare_write(url: str, visit_id: str, body: dict[str, str]) -> float:
    start = time.perf_counter()
    write_step(url, visit_id, "staff01", body)
    return _since(start)


def _plain_server(stack: Running, database_url: str) -> subprocess.Popen[bytes]:
    """bench/plain_step_app on the port chosen with the stack's, on the stack's settings."""
    port = stack.addresses[PLAIN_ADDRESS].rsplit(":", 1)[1]
    env = {
        **os.environ,
        "MADO_DATA_DIR": str(stack.data),
        "MADO_TEMPORAL_ADDRESS": stack.temporal,
        "MADO_API_PORT": port,
        "MADO_LOG_LEVEL": "WARNING",
        **({"MADO_DATABASE_URL": database_url} if database_url else {}),
    }
    log = Path(stack.data) / "plain.log"
    server = start_module("bench.plain_step_app", env, log)
    try:
        wait_for_port("127.0.0.1", int(port), 60)
    except TimeoutError:
        server.terminate()
        raise SystemExit(f"the plain endpoint did not start; see {log}") from None
    return server


WARM_UP = 6
LABELS = {
    "step": "staff step through the stack",
    "login": "  of it: HTTP + login check alone",
    "update": "  of it: the update straight to Temporal",
    "write": "bare INSERT + COMMIT",
    "plain": "plain HTTP endpoint: login + audit + INSERT",
}


def _since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _measure(
    stack: Running,
    settings: Settings,
    visits: int,
    figures: dict[str, list[float]],
    loop: asyncio.AbstractEventLoop,
) -> None:
    url = settings.sqlalchemy_url
    client = loop.run_until_complete(
        connect(stack.temporal, settings.temporal_namespace, payload_key(settings))
    )
    people = residents(settings, limit=2 * visits + WARM_UP)
    plain_url = f"http://{stack.addresses[PLAIN_ADDRESS]}"
    with (
        httpx.Client(base_url=stack.url, timeout=60) as http,
        httpx.Client(base_url=plain_url, timeout=60) as plain,
    ):
        http.headers.update(login(http, "staff01"))
        plain.headers.update(login(plain, "staff01"))
        for i, (name, birth, atena) in enumerate(people):
            vid = http.post("/api/visits").json()["visit_id"]
            http.post(f"/api/visits/{vid}/call", json={"counter": "C01"}).raise_for_status()
            http.post(f"/api/visits/{vid}/identify", json={
                "source": "mynumber_card", "name": name, "birth_date": birth,
            }).raise_for_status()  # fmt: skip
            body = {"atena_no": atena}
            timed = {"write": _bare_write(url, vid, body)}
            start = time.perf_counter()
            plain.post(PATH.format(visit_id=vid), json=body).raise_for_status()
            timed["plain"] = _since(start)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=60, help="steps measured each way")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    env = {"MADO_DATABASE_URL": args.database_url} if args.database_url else {}
    figures: dict[str, list[float]] = {label: [] for label in LABELS}
    loop = asyncio.new_event_loop()
    with embedded_stack(PLAIN_ADDRESS, **env) as stack:
        settings = Settings(data_dir=stack.data, database_url=args.database_url)
        plain = _plain_server(stack, args.database_url)
        try:
            _measure(stack, settings, args.visits, figures, loop)
        finally:
            plain.terminate()
            plain.wait(30)
    loop.close()
    db = "PostgreSQL" if args.database_url else "SQLite"
    steps, writes, plains = figures["step"], figures["write"], figures["plain"]
    print(f"price of durability ({db}), {len(steps)} steps, {machine()}")
    print(f"{'':44}{'p50 ms':>9}{'p95 ms':>9}")
    for key, label in LABELS.items():
        print(f"{label:44}{pct(figures[key], 50):9.1f}{pct(figures[key], 95):9.1f}")
    print(
        f"ratio: {pct(steps, 50) / pct(writes, 50):.1f}x at p50, "
        f"{pct(steps, 95) / pct(writes, 95):.1f}x at p95 (target < 3x)"
    )
    print(
        f"ratio to the plain HTTP endpoint: {pct(steps, 50) / pct(plains, 50):.1f}x at p50, "
        f"{pct(steps, 95) / pct(plains, 95):.1f}x at p95"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
