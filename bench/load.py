"""Simulated counter staff against the embedded stack (`mado run` on free ports).

    .venv/bin/python -m bench.load --staff 135 --duration 300            # think times on
    .venv/bin/python -m bench.load --staff 20 --duration 60 --think-scale 0  # flat out
    .venv/bin/python -m bench.load --staff 135 --peak      # a March-peak day in one hour

Prints per-step p50 / p95 / p99, complete visits per second, errors and lost visits
(madoguchi/load.py). `--database-url` runs the application database on PostgreSQL.

A visit is complete when the robot's report reaches it (完了). `--robots` RPA terminals
(default 2; rpa02… are added to the bench's database) type the batches in, one record at a
time each: flat out, a single robot falls behind the counters. The figure counts from the
first ticket to the moment the last visit's workflow reached 完了.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time

from bench import cpu_share
from bench.stack import embedded_stack, machine, robot_accounts
from madoguchi.load import LoadConfig, peak_day_visits, procedure_mix, residents, run
from madoguchi.logging import configure_logging
from madoguchi.seed import demo_password
from madoguchi.settings import Settings


def _cpu_now(stack_pid: int, postgres: bool) -> tuple[float, cpu_share.Snapshot]:
    return time.monotonic(), cpu_share.snapshot([stack_pid], postgres=postgres)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=10)
    parser.add_argument("--duration", type=float, default=0)
    parser.add_argument("--think-scale", type=float, default=1.0)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--handoff-interval", default="5")
    parser.add_argument(
        "--robots", type=int, default=2,
        help="RPA terminals typing the handoff in (one record at a time each)",
    )  # fmt: skip
    parser.add_argument(
        "--peak", action="store_true",
        help="a March-peak day (3 x the average day's visits) within --duration (default 1 h)",
    )  # fmt: skip
    args = parser.parse_args()
    # The simulated robots log each batch they type in; the report is what a bench prints.
    configure_logging("WARNING", json=False)
    if args.robots < 1:
        parser.error("--robots: at least one robot, or no visit ever reaches 完了")
    duration = args.duration or (3600.0 if args.peak else 60.0)
    env = {"MADO_HANDOFF_INTERVAL_SECONDS": args.handoff_interval}
    if args.database_url:
        env["MADO_DATABASE_URL"] = args.database_url
    with embedded_stack("MADO_WORKER_METRICS_ADDRESS", **env) as stack:
        metrics = stack.addresses["MADO_WORKER_METRICS_ADDRESS"]
        settings = Settings(data_dir=stack.data, database_url=args.database_url)
        cfg = LoadConfig(
            url=stack.url, staff=args.staff, duration=duration,
            visits=peak_day_visits(settings.catalog_dir) if args.peak else 0,
            supervisor_password=demo_password("kantoku01"),
            think_scale=args.think_scale, password=demo_password("staff01"),
            robots=robot_accounts(settings.sqlalchemy_url, args.robots),
            mix=procedure_mix(settings.catalog_dir),
            worker_metrics_url=f"http://{metrics}/metrics",
        )  # fmt: skip
        people = residents(settings)
        # CPU over the clerks' working window, not the wait for the last visits after it.
        pg = bool(args.database_url)
        before = _cpu_now(stack.pid, pg)
        taken: list[tuple[float, cpu_share.Snapshot]] = []
        timer = threading.Timer(duration, lambda: taken.append(_cpu_now(stack.pid, pg)))
        timer.daemon = True  # a failed run must not wait out the duration before it exits
        timer.start()
        try:
            report = asyncio.run(run(cfg, people))
        finally:
            timer.cancel()
        after = taken[0] if taken else _cpu_now(stack.pid, pg)
        settled = _cpu_now(stack.pid, pg)
    sandbox = "" if settings.workflow_sandbox else ", workflows unsandboxed"
    print(f"load on the embedded stack ({'PostgreSQL' if args.database_url else 'SQLite'}"
          f"{sandbox}), {machine()}")  # fmt: skip
    if args.peak:
        print(f"March-peak day: {cfg.visits} visits (3 x the average day) within {duration:.0f} s")
    print("\n".join(report.lines()))
    if cpu := cpu_share.describe(cpu_share.shares(before[1], after[1], after[0] - before[0])):
        print(cpu)
    per_visit = cpu_share.per_visit(before[1], settled[1], report.done)
    if line := cpu_share.describe_per_visit(per_visit):
        print(line)
    return 1 if report.errors or report.lost or report.stalled else 0


if __name__ == "__main__":
    sys.exit(main())
