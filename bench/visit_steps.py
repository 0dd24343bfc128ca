"""Per-step latency of a counter visit through the whole embedded stack, over HTTP.

Starts ``mado run`` on free ports with a throwaway data folder, walks N visits one after the
other (ticket → call → identify → resident → procedures → confirm), and prints p50 / p95 /
max per step. A staff step includes everything it causes: the Temporal update, the
activities behind it (register search, form filling, PDF, queueing the CSV record) and the
answer. The robot's side is measured by ``bench.handoff``.

    .venv/bin/python -m bench.visit_steps --visits 50
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from adapters.temporal_server import free_port, wait_for_port
from madoguchi.seed import demo_password
from madoguchi.settings import REPO_ROOT

STEPS = ["ticket", "call", "identify", "resident", "procedures", "confirm"]


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _login(http: httpx.Client, staff_id: str) -> dict[str, str]:
    r = http.post(
        "/api/auth/login", json={"staff_id": staff_id, "password": demo_password(staff_id)}
    )
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _visit(http: httpx.Client, person: tuple[str, str, str], times: dict[str, list[float]]) -> None:
    name, birth, atena = person

    def timed(step: str, method: str, url: str, body: object = None) -> dict[str, object]:
        start = time.perf_counter()
        r = http.request(method, url, json=body)
        times[step].append((time.perf_counter() - start) * 1000)
        r.raise_for_status()
        result: dict[str, object] = r.json()
        return result

    vid = timed("ticket", "POST", "/api/visits")["visit_id"]
    timed("call", "POST", f"/api/visits/{vid}/call", {"counter": "C01"})
    timed("identify", "POST", f"/api/visits/{vid}/identify",
          {"source": "mynumber_card", "name": name, "birth_date": birth})  # fmt: skip
    timed("resident", "POST", f"/api/visits/{vid}/resident", {"atena_no": atena})
    timed("procedures", "POST", f"/api/visits/{vid}/procedures",
          {"procedures": ["juminhyo"], "answers": {"copies": "1"}})  # fmt: skip
    timed("confirm", "POST", f"/api/visits/{vid}/confirm",
          {"signature": {"strokes": [[[0.1, 0.1], [0.5, 0.6], [0.9, 0.2]]]},
           "confirmed_form_codes": ["juminhyo_seikyu"]})  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=30)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="mado-bench-"))
    api_port, temporal_port = free_port(), free_port()
    env = {
        **os.environ,
        "MADO_DATA_DIR": str(data),
        "MADO_API_PORT": str(api_port),
        "MADO_TEMPORAL_ADDRESS": f"127.0.0.1:{temporal_port}",
        "MADO_TEMPORAL_UI_PORT": str(free_port()),
        "MADO_LOG_LEVEL": "WARNING",
    }
    stack = subprocess.Popen(
        [sys.executable, "-m", "madoguchi.cli", "run"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port("127.0.0.1", api_port, 90)
        with sqlite3.connect(data / "madoguchi.db") as db:
            people = db.execute(
                "select name, birth_date, atena_no from residents where status = '住民'"
                " order by atena_no"
            ).fetchall()
        times: dict[str, list[float]] = {s: [] for s in STEPS}
        with httpx.Client(base_url=f"http://127.0.0.1:{api_port}", timeout=60) as http:
            http.headers.update(_login(http, "staff01"))
            _visit(http, people[0], {s: [] for s in STEPS})  # warm-up, not counted
            started = time.perf_counter()
            for i in range(args.visits):
                _visit(http, people[(i + 1) % len(people)], times)
            elapsed = time.perf_counter() - started
        print(f"madoguchi visit steps, {args.visits} sequential visits, {os.cpu_count()} cores")
        print(f"{'step':<12}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'n':>6}")
        for step in STEPS:
            v = times[step]
            print(
                f"{step:<12}{statistics.median(v):9.1f}{_pct(v, 95):9.1f}{max(v):9.1f}{len(v):6d}"
            )
        print(f"whole visit: {elapsed / args.visits * 1000:.0f} ms mean, one at a time")
    finally:
        stack.send_signal(signal.SIGINT)
        stack.wait(60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
