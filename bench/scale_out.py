"""Scale-out on one machine: 1 worker + 1 API process, then 2 + 2, against one Temporal
server and one application database, driven flat out by the same simulated clerks.

    .venv/bin/python -m bench.scale_out --staff 12 --duration 40
    .venv/bin/python -m bench.scale_out --staff 135 --duration 240 --think-scale 1

Flat out (the default) it counts throughput; with think times on (`--think-scale 1`) the
clerks make the counter's own demand, and what a second pair can change is the tail: a step
that lands while the one worker is busy with another visit's activity.
Workers share the task queue (Temporal hands each task to one of them); API processes
share the database (sessions, audit) and the Temporal server, and the clerks are spread
over them as a load balancer would. See docs/operations.md for the same settings on a
Temporal cluster.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from adapters.temporal_server import DevServer, free_ports, wait_for_port
from bench.stack import machine, robot_accounts, start_module
from madoguchi.load import LoadConfig, LoadReport, procedure_mix, residents, run
from madoguchi.logging import configure_logging
from madoguchi.seed import demo_password, seed_demo
from madoguchi.settings import Settings


def measure(
    processes: int,
    staff: int,
    duration: float,
    database_url: str,
    robots: int,
    think_scale: float = 0,
) -> LoadReport:
    data = Path(tempfile.mkdtemp(prefix=f"mado-scale{processes}-"))
    settings = Settings(data_dir=data, database_url=database_url)
    seed_demo(settings.sqlalchemy_url, settings.catalog_dir, settings.demo_residents)
    temporal_port, *ports = free_ports(1 + processes)
    server = DevServer(data / "temporal.db", port=temporal_port, ui_port=None,
                       log_file=data / "temporal.log")  # fmt: skip
    server.start()
    base = {
        **os.environ,
        "MADO_DATA_DIR": str(data),
        "MADO_DATABASE_URL": database_url,
        "MADO_TEMPORAL_ADDRESS": server.address,
        "MADO_HANDOFF_INTERVAL_SECONDS": "5",
        "MADO_LOG_LEVEL": "WARNING",
    }
    procs = [
        start_module("madoguchi.worker", base, data / f"worker{i}.log") for i in range(processes)
    ]
    procs += [
        start_module(
            "madoguchi.api_server", {**base, "MADO_API_PORT": str(port)}, data / f"api{port}.log"
        )
        for port in ports
    ]
    try:
        for port in ports:
            wait_for_port("127.0.0.1", port, 60)
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        cfg = LoadConfig(
            url=urls[0], extra_urls=urls[1:], staff=staff, duration=duration,
            think_scale=think_scale,
            password=demo_password("staff01"), mix=procedure_mix(settings.catalog_dir),
            robots=robot_accounts(settings.sqlalchemy_url, robots),
        )  # fmt: skip
        return asyncio.run(run(cfg, residents(settings)))
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=12)
    parser.add_argument("--duration", type=float, default=40)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--robots", type=int, default=2, help="RPA terminals (see bench.load)")
    parser.add_argument(
        "--think-scale", type=float, default=0,
        help="0: flat out (throughput); 1: the counter's think times (the tail under demand)",
    )  # fmt: skip
    args = parser.parse_args()
    # The simulated robots log each batch they type in; the report is what a bench prints.
    configure_logging("WARNING", json=False)
    pace = "flat out" if args.think_scale == 0 else f"think scale {args.think_scale:g}"
    print(f"scale-out, {args.staff} clerks {pace} for {args.duration:.0f} s, {machine()}")
    failed = False
    for n in args.processes:
        report = measure(
            n, args.staff, args.duration, args.database_url, args.robots, args.think_scale
        )
        if args.think_scale:
            print(f"-- {n} worker(s) + {n} API process(es)")
            print("\n".join(report.lines()))
        steps = {k: sorted(v) for k, v in report.latencies.items()}
        p95 = {k: v[min(len(v) - 1, int(0.95 * len(v)))] for k, v in steps.items() if v}
        print(
            f"{n} worker(s) + {n} API process(es): {report.completed_per_second:.2f} complete "
            f"visits/s, {report.done} done, errors {len(report.errors)}, lost "
            f"{len(report.lost)}; p95 ms " + ", ".join(f"{k} {v:.0f}" for k, v in p95.items())
        )
        failed = failed or bool(report.errors or report.lost)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
