"""The embedded stack (`mado run`) on free ports with a throwaway data folder, for benches."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from adapters import users
from adapters.db import session_scope
from adapters.temporal_server import free_ports, wait_for_port
from madoguchi.seed import demo_password
from madoguchi.settings import REPO_ROOT


@dataclass
class Running:
    url: str
    data: Path
    temporal: str  # the Temporal frontend's host:port
    pid: int  # `mado run`'s: the stack's processes are its children
    addresses: dict[str, str]  # the setting named in embedded_stack's port_settings → host:port


def stack_ports(*port_settings: str) -> tuple[int, dict[str, str]]:
    """The API's port and the settings that put `mado run` on free ports: its API, Temporal
    and the Temporal UI, and a 127.0.0.1 address for each name in port_settings (e.g.
    MADO_WORKER_METRICS_ADDRESS) — all chosen together, so no two are the same."""
    api_port, temporal_port, ui_port, *extra = free_ports(3 + len(port_settings))
    return api_port, {
        "MADO_API_PORT": str(api_port),
        "MADO_TEMPORAL_ADDRESS": f"127.0.0.1:{temporal_port}",
        "MADO_TEMPORAL_UI_PORT": str(ui_port),
        **{name: f"127.0.0.1:{port}" for name, port in zip(port_settings, extra, strict=True)},
    }


@contextmanager
def embedded_stack(*port_settings: str, **env: str) -> Iterator[Running]:
    """`mado run` on free ports (see stack_ports) with a throwaway data folder."""
    data = Path(tempfile.mkdtemp(prefix="mado-bench-"))
    api_port, ports = stack_ports(*port_settings)
    environ = {
        **os.environ,
        "MADO_DATA_DIR": str(data),
        **ports,
        "MADO_LOG_LEVEL": "WARNING",
        **env,
    }
    stack = subprocess.Popen(
        [sys.executable, "-m", "madoguchi.cli", "run"], cwd=REPO_ROOT, env=environ,
        stdout=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for_port("127.0.0.1", api_port, 90)
        yield Running(
            f"http://127.0.0.1:{api_port}",
            data,
            environ["MADO_TEMPORAL_ADDRESS"],
            stack.pid,
            {name: ports[name] for name in port_settings},
        )
    finally:
        stack.send_signal(signal.SIGINT)
        stack.wait(60)


def start_module(module: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``python -m module`` as a child process, its output appended to ``log``."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", module], cwd=REPO_ROOT, env=env,
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def machine() -> str:
    """Cores and a CPU yardstick, so figures from different machines can be compared: the
    same machine kind has been seen to differ threefold from one session to the next."""
    start = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i
    return f"{os.cpu_count()} cores, 5M-iteration Python loop {time.perf_counter() - start:.2f} s"


def cpu_ms(runs: int, work: Callable[[], object], *, warm: int = 0) -> float:
    """CPU milliseconds of one ``work()``, over ``runs`` after ``warm`` unmeasured ones
    (first imports, connections, statement caches). CPU, not wall time: what else the
    machine does matters less than for a load run."""
    for _ in range(warm):
        work()
    start = time.process_time()
    for _ in range(runs):
        work()
    return (time.process_time() - start) * 1000 / runs


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def robot_accounts(database_url: str, count: int) -> list[tuple[str, str]]:
    """``count`` RPA terminals for the load tool, as (staff id, demo password): the seeded
    rpa01, then rpa02… added to the bench's database. A lease belongs to an account, so two
    robots on one account would take each other's batches."""
    ids = [f"rpa{i:02d}" for i in range(1, count + 1)]
    with session_scope(database_url) as session:
        for n, staff_id in enumerate(ids[1:], start=2):
            if users.get(session, staff_id) is None:
                account = users.StaffAccount(
                    staff_id, f"RPA端末{n}", ["rpa_tanmatsu"], "shimin", "honcho"
                )
                users.upsert(session, account, password=demo_password(staff_id))
    return [(staff_id, demo_password(staff_id)) for staff_id in ids]


def login(http: httpx.Client, staff_id: str) -> dict[str, str]:
    r = http.post(
        "/api/auth/login", json={"staff_id": staff_id, "password": demo_password(staff_id)}
    )
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def signed_visit(http: httpx.Client, person: tuple[str, str, str]) -> str:
    """One 住民票の写し visit over the API, ticket to signature and handoff; its id."""
    name, birth, atena = person
    vid: str = http.post("/api/visits").json()["visit_id"]
    http.post(f"/api/visits/{vid}/call", json={"counter": "C01"})
    http.post(f"/api/visits/{vid}/identify", json={
        "source": "mynumber_card", "name": name, "birth_date": birth})  # fmt: skip
    http.post(f"/api/visits/{vid}/resident", json={"atena_no": atena})
    http.post(f"/api/visits/{vid}/procedures", json={
        "procedures": ["juminhyo"], "answers": {"copies": "1"}})  # fmt: skip
    http.post(f"/api/visits/{vid}/confirm", json={
        "signature": {"strokes": [[[0.1, 0.1], [0.5, 0.6]]]},
        "confirmed_form_codes": ["juminhyo_seikyu"]}).raise_for_status()  # fmt: skip
    # Signing answers at 印刷; the documents and the handoff follow in a moment.
    for _ in range(600):
        if http.get(f"/api/visits/{vid}").json()["step"] not in ("print", "handoff"):
            break
        time.sleep(0.05)
    return vid
