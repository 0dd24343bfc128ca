"""What-if simulation of the counter (SimPy): residents arrive through the day, take a
ticket, wait for one of N staffed counters, and hold it for their counter time (本人確認
to signature); printing, handoff and the robot do not hold a counter.

Two ways to feed it:
- ``from_log``: one real (or simulated) day replayed — its arrival times and each visit's
  counter time — to check the model against what happened (the mean wait must match);
- ``demand`` + ``service_samples``: arrivals by hour and season from the yearly volumes
  (catalog/counter_demand.json), counter times drawn from the event log, for "with N
  staff, what are the waits?" and for a changed process (QR pre-application).
"""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

import simpy

from domain.city_time import JST
from domain.event_log import COMPLETE, START, EventLog
from domain.steps import AT_COUNTER, Step

OPENS = time(8, 30)
# The part of counter time a QR pre-application saves: the interview and typing of
# 本人確認 are done at home. An assumption to be set from the city's own trial.
DEFAULT_PRE_APPLICATION_SAVING = 0.4


@dataclass(frozen=True)
class Arrival:
    at: float  # seconds after opening
    kind: str  # "tennyu" (can be pre-applied) or "other"
    counter_seconds: float | None = None  # known when replaying a day


@dataclass
class DayTrace:
    """What one day's event log says: arrivals, counter times, waits, counters in use."""

    arrivals: list[Arrival]
    observed_waits: list[float]
    counters: int

    @property
    def observed_mean_wait(self) -> float:
        return statistics.fmean(self.observed_waits) if self.observed_waits else 0.0


@dataclass
class Scenario:
    name: str
    counters: int
    pre_application_share: float = 0.0  # of 転入 visits
    pre_application_saving: float = DEFAULT_PRE_APPLICATION_SAVING


@dataclass
class SimResult:
    scenario: str
    counters: int
    visits: int
    mean_wait: float
    p90_wait: float
    max_wait: float
    mean_counter_time: float
    utilisation: float
    wait_by_hour: dict[int, float] = field(default_factory=dict)


def from_log(log: EventLog) -> DayTrace:
    """The day as the log has it: arrival = ticket, wait = 受付 (until called), counter
    time = from being called until the signature (or a cancellation at the counter)."""
    starts: dict[str, dict[str, datetime]] = defaultdict(dict)
    ends: dict[str, dict[str, datetime]] = defaultdict(dict)
    counters: set[str] = set()
    for e in log.events:
        if e.lifecycle == START:
            starts[e.case].setdefault(e.activity, e.at)
        elif e.lifecycle == COMPLETE:
            ends[e.case][e.activity] = e.at
        if e.counter:
            counters.add(e.counter)
    kinds = {c.case: "tennyu" if "tennyu" in c.procedures else "other" for c in log.cases}
    firsts = [s[Step.RECEPTION] for s in starts.values() if Step.RECEPTION in s]
    if not firsts:
        return DayTrace([], [], len(counters))
    day = min(firsts).astimezone(JST).date()
    opening = datetime.combine(day, OPENS, JST)
    arrivals: list[Arrival] = []
    waits: list[float] = []
    for case, s in starts.items():
        if Step.RECEPTION not in s or Step.RECEPTION not in ends[case]:
            continue
        called = ends[case][Step.RECEPTION]
        at_counter = [ends[case][a] for a in AT_COUNTER if a in ends[case]]
        left = max(at_counter) if at_counter else called
        if Step.CANCELLED in ends[case]:
            left = max(left, ends[case][Step.CANCELLED])
        arrivals.append(
            Arrival(
                (s[Step.RECEPTION] - opening).total_seconds(),
                kinds.get(case, "other"),
                (left - called).total_seconds(),
            )
        )
        waits.append((called - s[Step.RECEPTION]).total_seconds())
    arrivals.sort(key=lambda a: a.at)
    return DayTrace(arrivals, waits, len(counters))


def service_samples(trace: DayTrace) -> dict[str, list[float]]:
    """Counter times by kind, to draw from (visits that never reached a counter — left
    the waiting room — held none and are not samples)."""
    out: dict[str, list[float]] = defaultdict(list)
    for a in trace.arrivals:
        if a.counter_seconds:
            out[a.kind].append(a.counter_seconds)
    return dict(out)


def daily_arrivals(
    demand: dict[str, Any], month: int, rng: random.Random, volume_factor: float = 1.0
) -> list[Arrival]:
    """One day's arrivals (Poisson within each hour) from the yearly volumes, the month's
    factor and the hourly profile."""
    days = float(demand["business_days_per_year"])
    moves = set(demand["moves"])
    per_day: dict[str, float] = {}
    for code, yearly in demand["yearly"].items():
        factors = demand["monthly_factor_moves" if code in moves else "monthly_factor_other"]
        share = demand["counter_share"].get(code, 1.0)
        per_day[code] = yearly * share / days * factors[month - 1] * volume_factor
    total = sum(per_day.values())
    arrivals: list[Arrival] = []
    open_hour = OPENS.hour + OPENS.minute / 60
    for hour_text, share in demand["hourly_share"].items():
        hour = int(hour_text)
        start = max(hour, open_hour)
        length_h = hour + 1 - start
        rate = total * float(share) / length_h / 3600  # per second
        t = 0.0
        while True:
            t += rng.expovariate(rate) if rate > 0 else float("inf")
            if t >= length_h * 3600:
                break
            code = rng.choices(list(per_day), weights=list(per_day.values()))[0]
            arrivals.append(
                Arrival((start - open_hour) * 3600 + t, "tennyu" if code == "tennyu" else "other")
            )
    return sorted(arrivals, key=lambda a: a.at)


def simulate(
    scenario: Scenario,
    arrivals: list[Arrival],
    samples: dict[str, list[float]],
    seed: int = 1,
) -> SimResult:
    """One day at the counter. A visit's counter time is its own (replayed day) or drawn
    from ``samples`` of its kind; pre-applied 転入 visits take the saving off it."""
    rng = random.Random(seed)
    env = simpy.Environment()
    counters = simpy.Resource(env, capacity=max(1, scenario.counters))
    everything = [x for v in samples.values() for x in v]
    waits: list[tuple[float, float]] = []  # (arrival, wait)
    busy = [0.0]

    def counter_time(a: Arrival) -> float:
        if a.counter_seconds is not None:
            base = a.counter_seconds
        else:
            pool = samples.get(a.kind) or everything
            base = rng.choice(pool) if pool else 600.0
        if a.kind == "tennyu" and rng.random() < scenario.pre_application_share:
            base *= 1 - scenario.pre_application_saving
        return base

    def visit(a: Arrival) -> Any:
        yield env.timeout(max(0.0, a.at - env.now))
        with counters.request() as turn:
            yield turn
            waits.append((a.at, env.now - a.at))
            hold = counter_time(a)
            busy[0] += hold
            yield env.timeout(hold)

    for a in arrivals:
        env.process(visit(a))
    env.run()
    values = sorted(w for _, w in waits)
    by_hour: dict[int, list[float]] = defaultdict(list)
    opening_hour = OPENS.hour + OPENS.minute / 60
    for at, w in waits:
        by_hour[int(opening_hour + at / 3600)].append(w)
    span = max(env.now, 1.0)
    return SimResult(
        scenario=scenario.name,
        counters=scenario.counters,
        visits=len(values),
        mean_wait=statistics.fmean(values) if values else 0.0,
        p90_wait=values[min(len(values) - 1, int(0.9 * len(values)))] if values else 0.0,
        max_wait=values[-1] if values else 0.0,
        mean_counter_time=busy[0] / len(values) if values else 0.0,
        utilisation=busy[0] / (span * max(1, scenario.counters)),
        wait_by_hour={h: statistics.fmean(v) for h, v in sorted(by_hour.items())},
    )


def compare(
    scenarios: list[Scenario],
    demand: dict[str, Any],
    month: int,
    samples: dict[str, list[float]],
    days: int = 20,
    seed: int = 7,
) -> list[SimResult]:
    """Each scenario over the same ``days`` simulated days (common random arrivals, so the
    difference between scenarios is the change, not the dice), averaged."""
    rng = random.Random(seed)
    day_arrivals = [daily_arrivals(demand, month, rng) for _ in range(days)]
    out: list[SimResult] = []
    for sc in scenarios:
        runs = [simulate(sc, arr, samples, seed=seed + i) for i, arr in enumerate(day_arrivals)]
        hours = sorted({h for r in runs for h in r.wait_by_hour})
        out.append(
            SimResult(
                scenario=sc.name,
                counters=sc.counters,
                visits=round(statistics.fmean(r.visits for r in runs)),
                mean_wait=statistics.fmean(r.mean_wait for r in runs),
                p90_wait=statistics.fmean(r.p90_wait for r in runs),
                max_wait=max(r.max_wait for r in runs),
                mean_counter_time=statistics.fmean(r.mean_counter_time for r in runs),
                utilisation=statistics.fmean(r.utilisation for r in runs),
                wait_by_hour={
                    h: statistics.fmean(r.wait_by_hour[h] for r in runs if h in r.wait_by_hour)
                    for h in hours
                },
            )
        )
    return out
