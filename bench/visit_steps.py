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
import sqlite3
import statistics
import sys
import time

import httpx

from bench.stack import embedded_stack, login, pct

STEPS = ["ticket", "call", "identify", "resident", "procedures", "confirm"]


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
    with embedded_stack() as stack:
        with sqlite3.connect(stack.data / "madoguchi.db") as db:
            people = db.execute(
                "select name, birth_date, atena_no from residents where status = '住民'"
                " order by atena_no"
            ).fetchall()
        times: dict[str, list[float]] = {s: [] for s in STEPS}
        with httpx.Client(base_url=stack.url, timeout=60) as http:
            http.headers.update(login(http, "staff01"))
            _visit(http, people[0], {s: [] for s in STEPS})  # warm-up, not counted
            started = time.perf_counter()
            for i in range(args.visits):
                _visit(http, people[(i + 1) % len(people)], times)
            elapsed = time.perf_counter() - started
    print(f"madoguchi visit steps, {args.visits} sequential visits, {os.cpu_count()} cores")
    print(f"{'step':<12}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'n':>6}")
    for step in STEPS:
        v = times[step]
        print(f"{step:<12}{statistics.median(v):9.1f}{pct(v, 95):9.1f}{max(v):9.1f}{len(v):6d}")
    print(f"whole visit: {elapsed / args.visits * 1000:.0f} ms mean, one at a time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
