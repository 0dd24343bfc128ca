"""BPR analysis cost over finished visits, through the whole embedded stack.

Runs N visits (住民票の写し) to done with the RPA simulator, then times the analytics and
the XES / OCEL exports over them, and prints the cost per visit (to size a month's export).

    .venv/bin/python -m bench.bpr --visits 200
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from bench.stack import embedded_stack, login, machine, signed_visit


def _visit(url: str, headers: dict[str, str], person: tuple[str, str, str]) -> str:
    with httpx.Client(base_url=url, timeout=60, headers=headers) as http:
        return signed_visit(http, person)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=200)
    args = parser.parse_args()
    env = {"MADO_RPA_SIMULATOR": "true", "MADO_HANDOFF_INTERVAL_SECONDS": "2"}
    with embedded_stack(**env) as stack:
        with sqlite3.connect(stack.data / "madoguchi.db") as db:
            people = db.execute(
                "select name, birth_date, atena_no from residents where status = '住民'"
                " order by atena_no"
            ).fetchall()
        with httpx.Client(base_url=stack.url, timeout=600) as http:
            staff, analyst = login(http, "staff01"), login(http, "bpr01")
            start = time.perf_counter()
            with ThreadPoolExecutor(4) as pool:
                ids = list(pool.map(
                    lambda i: _visit(stack.url, staff, people[i % len(people)]),
                    range(args.visits),
                ))  # fmt: skip
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                done = http.get("/api/bpr/analytics", headers=analyst).json()["cases"]
                if done >= len(ids) * 0.9:  # the simulator refuses a few records on purpose
                    break
                time.sleep(2)
            made = time.perf_counter() - start
            timings = {}
            for what, path, params in (
                ("analytics", "/api/bpr/analytics", {}),
                ("XES export", "/api/bpr/event-log", {"format": "xes"}),
                ("OCEL export", "/api/bpr/event-log", {"format": "ocel"}),
            ):
                t = time.perf_counter()
                r = http.get(path, params=params, headers=analyst)
                r.raise_for_status()
                timings[what] = (time.perf_counter() - t, len(r.content))
    print(f"BPR over {done} finished visits ({made:.0f} s to make them), {machine()}")
    for what, (seconds, size) in timings.items():
        per = seconds / max(done, 1) * 1000
        print(f"  {what:<12} {seconds:6.2f} s  {per:5.1f} ms/visit  {size:,} bytes"
              f"  → 15,000 visits ≈ {per * 15:.0f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
