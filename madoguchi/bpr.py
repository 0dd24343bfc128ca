"""BPR (業務改革) analysis: the event log of finished visits over a period, where the time
goes (durations, variants, process map, heatmap on the BPMN diagram), and what-if runs."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from adapters.temporal_client import VisitGateway
from adapters.visit_archive import finished_visits
from domain import bpmn_svg, counter_simulation, event_log, process_analytics, process_map_svg
from domain.city_time import JST
from domain.process_analytics import Analysis, BusinessHours
from domain.security import Principal
from madoguchi.settings import REPO_ROOT, Settings

BPMN_DIR = REPO_ROOT / "bpmn"
MAX_DAYS = 92  # a quarter at most per export or analysis


class PeriodError(ValueError):
    pass


@dataclass
class Period:
    since: date
    until: date  # inclusive

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time(0), JST)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.until + timedelta(days=1), time(0), JST)


def period(since: date | None, until: date | None, today: date) -> Period:
    until = until or today
    if not date(2000, 1, 1) <= until <= date(2100, 12, 31):
        raise PeriodError("終了日は2000年〜2100年で / until must be within 2000-2100")
    since = since or until - timedelta(days=29)
    if since > until:
        raise PeriodError("開始日が終了日より後です / since is after until")
    if (until - since).days + 1 > MAX_DAYS:
        raise PeriodError(f"期間は{MAX_DAYS}日までです / at most {MAX_DAYS} days at once")
    return Period(since, until)


def business_hours(s: Settings) -> BusinessHours:
    opens, closes = s.business_hours.split("-")
    return BusinessHours(
        time.fromisoformat(opens), time.fromisoformat(closes), frozenset(s.closed_days)
    )


async def load_log(gw: VisitGateway, p: Principal, span: Period) -> event_log.EventLog:
    """A fresh salt per call: pseudonyms of one export cannot be joined with another's."""
    visits = await finished_visits(gw, span.start, span.end, p)
    return event_log.build(visits, secrets.token_bytes(32))


def analyse(s: Settings, log: event_log.EventLog) -> Analysis:
    return process_analytics.analyse(log, business_hours(s))


@lru_cache(maxsize=8)
def _model(name: str) -> str:
    return (BPMN_DIR / f"{name}.bpmn").read_text(encoding="utf-8")


def heatmap_svg(a: Analysis, model: str = "counter_visit") -> str:
    """The visit's BPMN diagram with each task coloured by its median business time."""
    top = max((st.median_seconds for st in a.steps), default=0.0) or 1.0
    heat = {
        st.step: bpmn_svg.Heat(
            st.median_seconds / top,
            f"中央値 {process_map_svg.duration_label(st.median_seconds)}",
            f"p90 {process_map_svg.duration_label(st.p90_seconds)}, {st.count}件",
        )
        for st in a.steps
    }
    return bpmn_svg.render(_model(model), heat, title="来庁プロセス ヒートマップ")


def model_svg(model: str = "counter_visit") -> str:
    return bpmn_svg.render(_model(model), title=f"来庁プロセス (BPMN: {model})")


def notes(model: str) -> list[tuple[str, str]]:
    """(task name, documentation) of the model's tasks that have one."""
    return bpmn_svg.task_notes(_model(model))


def process_map_svg_of(a: Analysis) -> str:
    return process_map_svg.render(a)


@lru_cache(maxsize=1)
def _demand(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def demand(s: Settings) -> dict[str, Any]:
    return _demand(s.catalog_dir / "counter_demand.json")


@dataclass
class WhatIf:
    month: int
    samples_from: int  # visits of the log the counter times come from (0: assumed times)
    results: list[counter_simulation.SimResult]


# Without any finished visit to learn from, counter times are assumed (minutes): a 転入
# with its related procedures ~25, a certificate ~6 (published figures of no-writing
# counters: about 10 minutes a visit on average).
ASSUMED_SAMPLES = {
    "tennyu": [20 * 60.0, 25 * 60.0, 30 * 60.0],
    "other": [4 * 60.0, 6 * 60.0, 9 * 60.0],
}


# Fewer finished visits than this say little about counter times: assumed ones are used.
MIN_SAMPLES = 20


def what_if(
    s: Settings,
    log: event_log.EventLog,
    *,
    counters: int,
    changed_counters: int,
    pre_application_share: float,
    month: int,
    days: int = 10,
) -> WhatIf:
    trace = counter_simulation.from_log(log)
    samples = counter_simulation.service_samples(trace)
    measured = sum(len(v) for v in samples.values())
    if measured < MIN_SAMPLES:
        samples, measured = ASSUMED_SAMPLES, 0
    scenarios = [
        counter_simulation.Scenario("現行 / current", counters),
        counter_simulation.Scenario(
            f"変更 / changed: 窓口{changed_counters}, 転入の事前申請{pre_application_share:.0%}",
            changed_counters,
            pre_application_share=pre_application_share,
        ),
    ]
    results = counter_simulation.compare(scenarios, demand(s), month, samples, days=days)
    return WhatIf(month, measured, results)


def wait_chart_svg(w: WhatIf) -> str:
    """Mean wait by hour, one bar per scenario side by side."""
    hours = sorted({h for r in w.results for h in r.wait_by_hour})
    top = max((v for r in w.results for v in r.wait_by_hour.values()), default=1.0) or 1.0
    colours = ["#1a4d8f", "#c0392b"]
    bar, gap, height = 18, 14, 220
    parts: list[str] = []
    for i, h in enumerate(hours):
        x0 = 50 + i * (len(w.results) * bar + gap)
        for j, r in enumerate(w.results):
            v = r.wait_by_hour.get(h, 0.0)
            bh = height * v / top
            parts.append(
                f'<rect x="{x0 + j * bar}" y="{20 + height - bh:.0f}" width="{bar - 2}" '
                f'height="{bh:.0f}" fill="{colours[j % 2]}"><title>{r.scenario} {h}時台: '
                f"{v / 60:.1f}分</title></rect>"
            )
        parts.append(f'<text x="{x0 + bar}" y="{height + 38}">{h}時</text>')
    legend = "".join(
        f'<rect x="{50 + k * 360}" y="{height + 50}" width="12" height="12" '
        f'fill="{colours[k % 2]}"/><text x="{68 + k * 360}" y="{height + 61}" '
        f'style="text-anchor:start">{r.scenario}</text>'
        for k, r in enumerate(w.results)
    )
    width = 60 + len(hours) * (len(w.results) * bar + gap)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {max(width, 700)} {height + 70}" '
        'width="100%" role="img" aria-label="時間帯別の平均待ち時間">'
        "<style>text{font:12px sans-serif;fill:#111;text-anchor:middle}</style>"
        f'<text x="8" y="14" style="text-anchor:start">平均待ち（最大 {top / 60:.1f}分）</text>'
        + "".join(parts)
        + legend
        + "</svg>"
    )
