"""The embedded stack in the foreground: Temporal dev server, one worker, API + UI.

Ctrl-C stops the API, then the worker, then the dev server (with SIGINT: it ignores
SIGTERM). State lives in ``MADO_DATA_DIR``, so running again keeps every visit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from adapters.temporal_server import DevServer, wait_for_port
from madoguchi.logging import get_logger
from madoguchi.seed import (
    DEMO_PIN,
    DEMO_STAFF,
    seed_demo_city,
    seed_demo_staff,
    seed_forms,
    seed_roles,
)
from madoguchi.settings import REPO_ROOT, Settings

log = get_logger(__name__)
DEFAULT_WORKER_METRICS = "127.0.0.1:9464"


def _child(
    cmd: list[str], log_path: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    out = open(log_path, "ab")  # noqa: SIM115  (kept open for the child's lifetime)
    # A session of its own: Ctrl-C reaches only us, and we stop children in order.
    return subprocess.Popen(
        cmd,
        cwd=REPO_ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen[bytes], sig: int, timeout: float = 15.0) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _traces_go_to(settings: Settings) -> str:
    kind = settings.trace_exporter
    if kind == "file":
        return str(settings.data_dir / "traces")
    if kind == "otlp":
        return f"OTLP {settings.otlp_endpoint or '(OTEL_EXPORTER_OTLP_ENDPOINT)'}"
    return kind


def run_stack(settings: Settings) -> int:
    logs = settings.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    added = seed_demo_city(settings.sqlalchemy_url, settings.demo_residents)
    if added:
        print(f"デモ市を作成しました / seeded the demo city: {added} synthetic residents")
    seed_roles(settings.sqlalchemy_url, settings.catalog_dir)
    seed_forms(settings.sqlalchemy_url, settings.catalog_dir)
    if settings.demo_staff and seed_demo_staff(settings.sqlalchemy_url):
        print(
            "デモ職員 / demo staff (password demo-<id>): "
            + ", ".join(f"{s[0]} ({s[2]})" for s in DEMO_STAFF)
            + f"; IC card {DEMO_STAFF[0][4]} PIN {DEMO_PIN} = {DEMO_STAFF[0][0]}"
        )

    host, _, port = settings.temporal_address.rpartition(":")
    server = DevServer(
        settings.data_dir / "temporal.db",
        port=int(port),
        ui_port=settings.temporal_ui_port,
        log_file=logs / "temporal.log",
        metrics_port=settings.temporal_metrics_port,
    )
    print("Temporal dev server を起動しています / starting Temporal …", flush=True)
    server.start()
    # The embedded stack serves the Temporal SDK's metrics unless told otherwise.
    worker_env = {
        **os.environ,
        "MADO_WORKER_METRICS_ADDRESS": settings.worker_metrics_address or DEFAULT_WORKER_METRICS,
    }
    worker = _child([sys.executable, "-m", "madoguchi.worker"], logs / "worker.log", worker_env)
    api = _child([sys.executable, "-m", "madoguchi.api_server"], logs / "api.log")
    robot: subprocess.Popen[bytes] | None = None
    stopping = False

    def _on_signal(_sig: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    exit_code = 0
    try:
        wait_for_port(settings.api_host, settings.api_port, 60)
        # The robot polls the API: started before it listens, it would log a failed poll at
        # every start.
        if settings.rpa_simulator:
            robot = _child([sys.executable, "-m", "madoguchi.cli", "rpa-sim"], logs / "rpa-sim.log")
        print(
            "\nmadoguchi is running / 起動しました\n"
            f"  窓口画面 Staff screen : http://{settings.api_host}:{settings.api_port}/\n"
            f"  API docs (OpenAPI)   : http://{settings.api_host}:{settings.api_port}/docs\n"
            f"  Temporal Web UI      : http://{host}:{settings.temporal_ui_port}/\n"
            f"  Logs                 : {logs}\n"
            f"  Metrics (Prometheus) : http://{settings.api_host}:{settings.api_port}/metrics,"
            f" worker http://{worker_env['MADO_WORKER_METRICS_ADDRESS']}/metrics"
            + (
                f", Temporal http://127.0.0.1:{settings.temporal_metrics_port}/metrics"
                if settings.temporal_metrics_port
                else ""
            )
            + "\n"
            f"  Traces               : {_traces_go_to(settings)}\n"
            + ("  RPA simulator        : on (rpa-sim.log)\n" if robot else "")
            + "Ctrl-C で停止 / Ctrl-C to stop\n",
            flush=True,
        )
        while not stopping:
            for name, proc in (("worker", worker), ("api", api), ("temporal", server.process)):
                if proc is not None and proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; see {logs}", file=sys.stderr)
                    exit_code, stopping = 1, True
            time.sleep(0.3)
    except TimeoutError as e:
        print(f"API did not start: {e}; see {logs / 'api.log'}", file=sys.stderr)
        exit_code = 1
    finally:
        print("停止しています / stopping …", flush=True)
        if robot is not None:
            _stop(robot, signal.SIGTERM)
        _stop(api, signal.SIGTERM)
        _stop(worker, signal.SIGTERM)
        server.stop()
        print("停止しました / stopped.", flush=True)
    return exit_code
