"""Where the time goes: per-step durations in business hours, variants, and the
directly-follows graph of the visit event log. Pure; the log comes from domain.event_log."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from domain.city_time import JST
from domain.event_log import COMPLETE, START, EventLog


@dataclass(frozen=True)
class BusinessHours:
    """開庁時間: weekdays between ``opens`` and ``closes`` (Japan time), except closed days."""

    opens: time = time(8, 30)
    closes: time = time(17, 15)
    closed_days: frozenset[date] = frozenset()

    def seconds_between(self, start: datetime, end: datetime) -> float:
        """Business seconds in [start, end): nights, weekends and closed days don't count."""
        if end <= start:
            return 0.0
        start, end = start.astimezone(JST), end.astimezone(JST)
        total = 0.0
        day = start.date()
        while day <= end.date():
            if day.weekday() < 5 and day not in self.closed_days:
                open_at = datetime.combine(day, self.opens, JST)
                close_at = datetime.combine(day, self.closes, JST)
                lo, hi = max(start, open_at), min(end, close_at)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total


@dataclass
class Segment:
    """One step of one case, consecutive repeats (reassigned, retried) merged."""

    activity: str
    start: datetime
    end: datetime
    seconds: float  # business seconds


@dataclass
class StepStat:
    step: str
    count: int
    median_seconds: float
    p90_seconds: float
    mean_seconds: float


@dataclass
class Variant:
    steps: list[str]
    count: int
    share: float


@dataclass
class Edge:
    source: str
    target: str
    count: int
    median_seconds: float  # business time from the source step's start to the target's


@dataclass
class Analysis:
    cases: int
    steps: list[StepStat] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    # Cases served wholly outside 開庁時間 (an evening or weekend counter): every step counts
    # 0 s, which reads as missing data unless the screen says so.
    after_hours: int = 0


def segments(log: EventLog, hours: BusinessHours) -> dict[str, list[Segment]]:
    """Each case's path as merged segments; end events (done / cancelled) are zero long."""
    by_case: dict[str, list[Segment]] = defaultdict(list)
    open_: dict[tuple[str, str], datetime] = {}
    for e in log.events:
        key = (e.case, e.activity)
        path = by_case[e.case]
        if e.lifecycle == START:
            open_[key] = e.at
            continue
        assert e.lifecycle == COMPLETE
        start = open_.pop(key, e.at)
        seconds = hours.seconds_between(start, e.at)
        if path and path[-1].activity == e.activity:
            path[-1].end, path[-1].seconds = e.at, path[-1].seconds + seconds
        else:
            path.append(Segment(e.activity, start, e.at, seconds))
    return dict(by_case)


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def analyse(log: EventLog, hours: BusinessHours, top_variants: int = 20) -> Analysis:
    paths = segments(log, hours)
    durations: dict[str, list[float]] = defaultdict(list)
    edges: dict[tuple[str, str], list[float]] = defaultdict(list)
    variants: Counter[tuple[str, ...]] = Counter()
    for path in paths.values():
        variants[tuple(s.activity for s in path)] += 1
        for s in path:
            durations[s.activity].append(s.seconds)
        for a, b in itertools.pairwise(path):
            edges[(a.activity, b.activity)].append(hours.seconds_between(a.start, b.start))
    n = len(paths)
    order = {step: i for i, step in enumerate(_first_seen(paths))}
    after_hours = sum(
        1
        for path in paths.values()
        if path[-1].end > path[0].start and not any(s.seconds for s in path)
    )
    return Analysis(
        cases=n,
        after_hours=after_hours,
        steps=[
            StepStat(step, len(v), statistics.median(v), _p90(v), statistics.fmean(v))
            for step, v in sorted(durations.items(), key=lambda kv: order[kv[0]])
        ],
        variants=[
            Variant(list(steps), count, count / n)
            for steps, count in variants.most_common(top_variants)
        ],
        edges=[
            Edge(a, b, len(v), statistics.median(v))
            for (a, b), v in sorted(edges.items(), key=lambda kv: (order[kv[0][0]], -len(kv[1])))
        ],
    )


def _first_seen(paths: dict[str, list[Segment]]) -> list[str]:
    seen: dict[str, None] = {}
    for path in sorted(paths.values(), key=len, reverse=True):
        for s in path:
            seen.setdefault(s.activity, None)
    return list(seen)
