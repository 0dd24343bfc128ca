"""`mado load` / bench/load.py: simulated counter staff driving real visits over HTTP.

Each simulated clerk, in a loop: issues a ticket, calls it, reads the ID card, picks the
resident, chooses the procedures (drawn from the city's yearly volumes), has the resident
sign (the forms print in that step, and the records go to the outbox); a batch picks the
records up and the RPA simulator (run here, refusing nothing) reports them done. Think
times between the clerk's steps are realistic by default (`--think-scale 0` turns them off).

It reports per staff step p50 / p95 / p99, visits completed end to end per second, errors,
and — the lost-visit check — that every visit started is still there and, once the robot
has caught up, done.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from adapters.db import engine_for
from domain.city_time import JST
from madoguchi.rpa_sim import RpaSimulator, SimConfig
from madoguchi.settings import Settings

STEPS = ["ticket", "call", "identify", "resident", "procedures", "confirm"]
# Seconds a clerk spends before each step (uniform between the two), at think scale 1:
# talking, reading the card, asking the interview questions, the resident reading the forms.
THINK = {
    # Before a clerk's first ticket: a counter's day does not start with 135 tickets in the
    # same second (the old first figures did exactly that, and measured the burst).
    "start": (0, 60),
    "call": (5, 20),
    "identify": (10, 40),
    "resident": (3, 10),
    "procedures": (40, 180),
    "confirm": (20, 90),
}
ADDRESS = "香川県高松市番町一丁目8番15号"


@dataclass
class LoadConfig:
    url: str
    staff: int = 5
    duration: float = 30.0
    think_scale: float = 1.0
    staff_id: str = "staff01"
    password: str = ""
    # The RPA terminals that type the handoff in, as (staff id, password). A lease belongs to
    # an account, so each robot is an account of its own. A robot reports one record at a
    # time: flat out, one robot falls behind the counters, and the end-to-end figure then
    # measures the robot rather than the stack.
    robots: list[tuple[str, str]] = field(default_factory=list)
    mix: dict[str, float] = field(default_factory=dict)
    settle_seconds: float = 120.0  # how long to wait for the robot after the run
    seed: int = 1
    # Set from another thread to end the run early: clerks leave the visit in hand (its
    # remaining steps all at once would be a burst no counter produces).
    stop: threading.Event = field(default_factory=threading.Event)
    # The worker's Prometheus endpoint (MADO_WORKER_METRICS_ADDRESS): the report then says
    # how long workflow and activity tasks waited for the worker.
    worker_metrics_url: str = ""
    # Stop handing out tickets after this many visits (0: until the duration is over) —
    # e.g. a March-peak day, 3 × the average day (peak_day_visits), within the hour.
    visits: int = 0
    # More API processes of the same deployment: clerk n talks to urls[n % len(urls)].
    extra_urls: list[str] = field(default_factory=list)
    # A supervisor's password: at the end the report counts what the supervisor's
    # dashboard lists as stalled (with the configured thresholds).
    supervisor_password: str = ""


@dataclass
class LoadReport:
    staff: int
    duration: float
    think_scale: float
    latencies: dict[str, list[float]]
    errors: list[str]
    started: int
    confirmed: int
    done: int
    lost: list[str]
    not_done: list[str]
    completed_per_second: float
    task_latency: dict[str, tuple[float, float]] = field(default_factory=dict)
    elapsed: float = 0.0
    stalled: list[str] | None = None  # None: not checked
    resent: int = 0  # requests sent again after the server closed an idle connection
    # Each step's (seconds into the run when it was sent, ms): whether the steps slow down
    # as the day's visits, audit rows and handoff records pile up (the tender: performance
    # must not drop as the data grows).
    timeline: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def _part_width(self, parts: int) -> float:
        sent = [at for samples in self.timeline.values() for at, _ in samples]
        return (max(sent) + 1e-9) / parts if sent else 0.0

    def p95_by_part(self, parts: int = 4) -> dict[str, list[float | None]]:
        """Each step's p95 in each equal part of the run's time (None: no request then)."""
        width = self._part_width(parts)
        if not width:
            return {}
        out: dict[str, list[float | None]] = {}
        for step in STEPS:
            buckets: list[list[float]] = [[] for _ in range(parts)]
            for at, ms in self.timeline.get(step, []):
                buckets[min(int(at / width), parts - 1)].append(ms)
            if any(buckets):
                out[step] = [_pct(sorted(b), 95) if b else None for b in buckets]
        return out

    def lines(self) -> list[str]:
        out = [
            f"{self.staff} staff, {self.duration:.0f} s, think scale {self.think_scale}",
            f"{'step':<12}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}",
        ]
        for step in STEPS:
            v = sorted(self.latencies.get(step, []))
            if v:
                out.append(
                    f"{step:<12}{len(v):7d}{_pct(v, 50):9.1f}{_pct(v, 95):9.1f}{_pct(v, 99):9.1f}"
                )
        out.append(
            f"visits started {self.started} in {self.elapsed:.0f} s, signed {self.confirmed}, "
            f"done {self.done}; "
            f"{self.completed_per_second:.2f} complete visits/s; errors {len(self.errors)}; "
            f"lost {len(self.lost)}; not done after the wait {len(self.not_done)}; "
            f"sent again on a closed connection {self.resent}"
        )
        if by_part := self.p95_by_part():
            out.append("p95 ms by quarter of the run (does a step slow down as the data grows?)")
            w = self._part_width(4)
            spans = [f"{w * i:.0f}-{w * (i + 1):.0f}" for i in range(4)]
            out.append(f"{'sent at s':<12}" + "".join(f"{span:>12}" for span in spans))
            for step, p95s in by_part.items():
                cells = "".join(f"{p:12.1f}" if p is not None else f"{'-':>12}" for p in p95s)
                out.append(f"{step:<12}{cells}")
        if self.stalled is not None:
            out.append(f"stalled on the supervisor's dashboard at the end: {len(self.stalled)}")
            out += [f"  stalled: {s}" for s in self.stalled[:10]]
        for kind, (p50, p95) in self.task_latency.items():
            out.append(
                f"Temporal {kind} tasks waited for the worker: p50 {p50:.0f} ms, p95 {p95:.0f} ms"
            )
        out += [f"  error: {e}" for e in self.errors[:10]]
        return out


def _histogram_quantile(buckets: list[tuple[float, float]], q: float) -> float:
    """Prometheus's histogram_quantile over cumulative (upper bound, count) buckets."""
    total = buckets[-1][1]
    if total <= 0:
        return 0.0
    rank, lower, below = q * total, 0.0, 0.0
    for upper, count in buckets:
        if count >= rank:
            if upper == float("inf"):
                return lower
            share = (rank - below) / (count - below) if count > below else 0.0
            return lower + (upper - lower) * share
        lower, below = upper, count
    return lower


def task_latency(metrics_text: str) -> dict[str, tuple[float, float]]:
    """p50 / p95 (ms) of the SDK's schedule-to-start histograms, from the worker's
    Prometheus text: how long tasks waited in the queue for a worker slot."""
    from prometheus_client.parser import text_string_to_metric_families

    out: dict[str, tuple[float, float]] = {}
    for family in text_string_to_metric_families(metrics_text):
        for kind, name in (
            ("workflow", "temporal_workflow_task_schedule_to_start_latency"),
            ("activity", "temporal_activity_schedule_to_start_latency"),
        ):
            if family.name != name:
                continue
            merged: dict[float, float] = defaultdict(float)
            for sample in family.samples:
                if sample.name.endswith("_bucket"):
                    merged[float(sample.labels["le"])] += sample.value
            buckets = sorted(merged.items())
            if buckets:
                # The SDK's histograms are in milliseconds already.
                out[kind] = (_histogram_quantile(buckets, 0.5), _histogram_quantile(buckets, 0.95))
    return out


def _pct(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def peak_day_visits(catalog_dir: Path, factor: float = 3.0) -> int:
    """Visits at the counter on a day ``factor`` × the average day (the tender's yearly
    volumes × counter share ÷ business days): ~700 a day, so a March peak of 3× is ~2,100."""
    demand = json.loads((catalog_dir / "counter_demand.json").read_text("utf-8"))
    yearly: float = sum(
        float(n) * demand["counter_share"][code] for code, n in demand["yearly"].items()
    )
    days: float = demand["business_days_per_year"]
    return round(factor * yearly / days)


def procedure_mix(catalog_dir: Path) -> dict[str, float]:
    """The share of each procedure at the counter, from the tender's yearly volumes. A 転入
    needs someone registered as 転入予定, which the demo city has none of: it is counted
    as a 転居 (same forms and steps)."""
    demand = json.loads((catalog_dir / "counter_demand.json").read_text("utf-8"))
    mix: dict[str, float] = defaultdict(float)
    for code, yearly in demand["yearly"].items():
        mix["tenkyo" if code == "tennyu" else code] += yearly * demand["counter_share"][code]
    return dict(mix)


def residents(settings: Settings, limit: int = 2000) -> list[tuple[str, str, str]]:
    with engine_for(settings.sqlalchemy_url).connect() as conn:
        rows = conn.execute(
            text(
                "select name, birth_date, atena_no from residents where status = '住民'"
                " order by atena_no limit :n"
            ),
            {"n": limit},
        ).all()
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


def _answers(code: str, name: str) -> dict[str, str]:
    today = datetime.now(JST).date().isoformat()
    return {
        "tenkyo": {"new_address": ADDRESS, "moved_on": today},
        "tenshutsu": {"new_address": "東京都千代田区千代田1番1号", "moved_on": today},
        "juminhyo": {"copies": "1"},
        "koseki": {"copies": "1", "honseki": ADDRESS, "hittousha": name},
        "inkan_shomei": {"copies": "1"},
    }.get(code, {})


class _Run:
    def __init__(self, cfg: LoadConfig, people: list[tuple[str, str, str]]) -> None:
        self.cfg = cfg
        self.people = people
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.timeline: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.began = time.perf_counter()
        self.errors: list[str] = []
        self.started: list[str] = []
        self.confirmed: list[str] = []
        self.resent = 0
        self.rng = random.Random(cfg.seed)
        # One TLS context for every clerk's client: httpx builds one per client otherwise,
        # loading the CA bundle each time (48 ms on a slow machine). 135 clerks held the load
        # tool's event loop for 6.5 s at the start; the clerks whose first ticket fell in
        # that time all sent it at once when it let go, and their latency counted the wait.
        self.tls = httpx.create_ssl_context()  # what httpx would build, built once

    async def _step(self, http: httpx.AsyncClient, name: str, method: str, path: str,
                    **kw: Any) -> dict[str, Any] | None:  # fmt: skip
        t = time.perf_counter()
        try:
            try:
                r = await http.request(method, path, **kw)
            except (httpx.ReadError, httpx.RemoteProtocolError):
                # The server closed an idle keep-alive connection just as the request went
                # out; a browser sends it again, and the Idempotency-Key makes that safe.
                self.resent += 1
                r = await http.request(method, path, **kw)
        except httpx.HTTPError as e:
            self.errors.append(f"{name}: {type(e).__name__}: {e}")
            return None
        ms = (time.perf_counter() - t) * 1000
        self.latencies[name].append(ms)
        self.timeline[name].append((t - self.began, ms))
        if r.status_code >= 400:
            self.errors.append(f"{name}: {r.status_code} {r.text[:200]}")
            return None
        body: dict[str, Any] = r.json()
        return body

    async def _think(self, step: str) -> None:
        if self.cfg.think_scale > 0:
            lo, hi = THINK[step]
            until = time.monotonic() + self.rng.uniform(lo, hi) * self.cfg.think_scale
            # The stop comes from another thread (a threading.Event): polled once a second.
            while time.monotonic() < until and not self.cfg.stop.is_set():  # noqa: ASYNC110
                await asyncio.sleep(min(1.0, until - time.monotonic()))

    async def clerk(self, n: int, token: str, stop_at: float) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        codes, weights = list(self.cfg.mix), list(self.cfg.mix.values())
        counter = f"L{n:03d}"
        urls = [self.cfg.url, *self.cfg.extra_urls]
        base = urls[n % len(urls)]
        async with httpx.AsyncClient(
            base_url=base, headers=headers, timeout=60, verify=self.tls
        ) as http:
            await self._think("start")
            while time.monotonic() < stop_at and not self.cfg.stop.is_set():
                if self.cfg.visits and len(self.started) >= self.cfg.visits:
                    break
                name, birth, atena = self.rng.choice(self.people)
                code = self.rng.choices(codes, weights)[0]
                key = f"load-{n}-{self.rng.getrandbits(64):x}"
                v = await self._step(http, "ticket", "POST", "/api/visits",
                                     headers={"Idempotency-Key": key})  # fmt: skip
                if v is None:
                    continue
                vid = v["visit_id"]
                self.started.append(vid)
                await self._think("call")
                steps: list[tuple[str, str, dict[str, Any]]] = [
                    ("call", "call", {"counter": counter}),
                    ("identify", "identify",
                     {"source": "mynumber_card", "name": name, "birth_date": birth}),
                    ("resident", "resident", {"atena_no": atena}),
                    ("procedures", "procedures",
                     {"procedures": [code], "answers": _answers(code, name)}),
                ]  # fmt: skip
                state: dict[str, Any] | None = v
                for step, path, body in steps:
                    if step != "call":
                        await self._think(step)
                    if self.cfg.stop.is_set():
                        return  # stopped from outside: leave the visit, do not rush it
                    state = await self._step(
                        http, step, "POST", f"/api/visits/{vid}/{path}", json=body,
                        headers={"Idempotency-Key": f"{key}-{step}"},
                    )  # fmt: skip
                    if state is None:
                        break
                if state is None:
                    continue
                await self._think("confirm")
                if self.cfg.stop.is_set():
                    return
                forms = [f["form_code"] for f in state.get("forms", [])]
                signed = await self._step(
                    http, "confirm", "POST", f"/api/visits/{vid}/confirm",
                    json={"signature": {"strokes": [[[0.1, 0.2], [0.4, 0.6], [0.8, 0.3]]]},
                          "confirmed_form_codes": forms},
                    headers={"Idempotency-Key": f"{key}-confirm"},
                )  # fmt: skip
                if signed is not None:
                    self.confirmed.append(vid)


async def _login(http: httpx.AsyncClient, staff_id: str, password: str) -> str:
    r = await http.post("/api/auth/login", json={"staff_id": staff_id, "password": password})
    r.raise_for_status()
    return str(r.json()["token"])


async def _robot(url: str, staff_id: str, password: str, stop: asyncio.Event) -> None:
    sim = RpaSimulator(
        SimConfig(url=url, staff_id=staff_id, password=password, interval=0.5, fail_rate=0.0)
    )
    while not stop.is_set():
        with contextlib.suppress(httpx.HTTPError):  # busy: the next poll tries again
            await sim.once()
        await asyncio.sleep(0.5)


async def run(cfg: LoadConfig, people: list[tuple[str, str, str]]) -> LoadReport:
    state = _Run(cfg, people)
    async with httpx.AsyncClient(base_url=cfg.url, timeout=60) as http:
        tokens = [await _login(http, cfg.staff_id, cfg.password) for _ in range(cfg.staff)]
        stop = asyncio.Event()
        robots = [asyncio.create_task(_robot(cfg.url, *r, stop)) for r in cfg.robots]
        began, began_wall = time.monotonic(), time.time()
        state.began = time.perf_counter()
        stop_at = began + cfg.duration
        await asyncio.gather(*(state.clerk(i + 1, t, stop_at) for i, t in enumerate(tokens)))
        # The last records go with the next scheduled batch (MADO_HANDOFF_INTERVAL_SECONDS).
        headers = {"Authorization": f"Bearer {tokens[0]}"}
        pending = set(state.confirmed)
        done_at: dict[str, float] = {}  # seconds after the start, by the workflow's clock
        lost: list[str] = []
        # A few at a time: after a long run most visits are closed, and each query replays
        # its history on the worker (one after the other, 2,106 of them took ~10 minutes).
        gate = asyncio.Semaphore(6)

        async def look(vid: str) -> tuple[str, httpx.Response]:
            async with gate:
                return vid, await http.get(f"/api/visits/{vid}", headers=headers)

        deadline = time.monotonic() + cfg.settle_seconds
        while pending and time.monotonic() < deadline:
            for vid, r in await asyncio.gather(*(look(v) for v in sorted(pending))):
                if r.status_code == 404:
                    lost.append(vid)
                    pending.discard(vid)
                elif r.status_code == 200 and r.json()["step"] == "done":
                    # When the visit reached 完了, not when this poll happened to ask: after a
                    # long run one round of asking takes tens of seconds, and timing the
                    # asking made the end-to-end figure that much lower than it was. (The
                    # stack's clock: against another machine, NTP keeps the two close.)
                    reached = datetime.fromisoformat(r.json()["step_entered_at"]).timestamp()
                    done_at[vid] = reached - began_wall
                    pending.discard(vid)
            if pending:
                await asyncio.sleep(1.0)
        unsigned = set(state.started) - set(state.confirmed)
        for vid, r in await asyncio.gather(*(look(v) for v in sorted(unsigned))):
            if r.status_code == 404:
                lost.append(vid)
        stop.set()
        await asyncio.gather(*robots)
        stalled = None
        if cfg.supervisor_password:
            boss = await _login(http, "kantoku01", cfg.supervisor_password)
            board = await http.get(
                "/api/supervisor/dashboard", headers={"Authorization": f"Bearer {boss}"}
            )
            stalled = [f"{s['visit_id']} {s['kind']} {s['step']}" for s in board.json()["stalled"]]
        tasks = {}
        if cfg.worker_metrics_url:
            tasks = task_latency((await http.get(cfg.worker_metrics_url)).text)
    elapsed = max(done_at.values()) if done_at else time.monotonic() - began
    return LoadReport(
        staff=cfg.staff,
        duration=cfg.duration,
        think_scale=cfg.think_scale,
        latencies=dict(state.latencies),
        errors=state.errors,
        started=len(state.started),
        confirmed=len(state.confirmed),
        done=len(done_at),
        lost=lost,
        not_done=sorted(pending),
        completed_per_second=len(done_at) / elapsed if elapsed > 0 else 0.0,
        task_latency=tasks,
        elapsed=elapsed,
        stalled=stalled,
        resent=state.resent,
        timeline=dict(state.timeline),
    )
