"""Where the time goes, computed from event logs, and the what-if model checked against a
simulated day it did not produce."""

from __future__ import annotations

import heapq
import json
import random
import statistics
from datetime import UTC, date, datetime, time, timedelta

from domain import bpmn_svg, counter_simulation, event_log, process_analytics
from domain.city_time import JST
from domain.process_analytics import BusinessHours
from domain.steps import Step
from domain.visit import StepEvent, VisitState
from madoguchi.settings import REPO_ROOT

AT = datetime(2026, 3, 30, 9, 0, tzinfo=JST)  # a Monday in the peak


def _visit(vid: str, steps: list[tuple[Step, datetime, str]], procedures: list[str]) -> VisitState:
    return VisitState(
        visit_id=vid,
        step=steps[-1][0],
        step_entered_at=steps[-1][1].isoformat(),
        procedures=procedures,
        history=[
            StepEvent(s, t.isoformat(), staff, "C01" if staff else "") for s, t, staff in steps
        ],
    )


def test_business_hours_skip_nights_weekends_and_closed_days() -> None:
    hours = BusinessHours(closed_days=frozenset({date(2026, 3, 31)}))
    friday_16 = datetime(2026, 3, 27, 16, 15, tzinfo=JST)
    monday_09 = datetime(2026, 3, 30, 9, 30, tzinfo=JST)
    assert hours.seconds_between(friday_16, monday_09) == 2 * 3600  # 1 h Friday + 1 h Monday
    wednesday_09 = datetime(2026, 4, 1, 9, 30, tzinfo=JST)
    # Monday from 09:30 to close, Tuesday closed, Wednesday 08:30-09:30.
    assert hours.seconds_between(monday_09, wednesday_09) == (7 * 3600 + 45 * 60) + 3600
    assert hours.seconds_between(monday_09.astimezone(UTC), monday_09) == 0


def test_durations_variants_and_the_directly_follows_graph() -> None:
    m = timedelta(minutes=1)
    done = [
        (Step.RECEPTION, AT, ""), (Step.IDENTIFY, AT + 10 * m, "s1"),
        (Step.LOOKUP, AT + 12 * m, "s1"), (Step.INTERVIEW, AT + 13 * m, "s1"),
        (Step.INTERVIEW, AT + 15 * m, "s2"),  # reassigned: still one interview, 7 minutes
        (Step.FILL, AT + 20 * m, "s2"), (Step.CONFIRM, AT + 21 * m, "s2"),
        (Step.PRINT, AT + 25 * m, "s2"), (Step.HANDOFF, AT + 26 * m, "s2"),
        (Step.AWAIT_RPA, AT + 27 * m, "s2"), (Step.DONE, AT + 87 * m, "s2"),
    ]  # fmt: skip
    cancelled = [
        (Step.RECEPTION, AT, ""), (Step.IDENTIFY, AT + 20 * m, "s1"),
        (Step.CANCELLED, AT + 22 * m, "s1"),
    ]  # fmt: skip
    log = event_log.build(
        [_visit("a", done, ["tennyu"]), _visit("b", cancelled, ["juminhyo"])], b"s" * 32
    )
    a = process_analytics.analyse(log, BusinessHours())
    stats = {s.step: s for s in a.steps}
    assert stats["reception"].count == 2 and stats["reception"].median_seconds == 15 * 60
    assert stats["interview"].count == 1 and stats["interview"].median_seconds == 7 * 60
    assert stats["await_rpa"].median_seconds == 60 * 60
    assert {(v.steps[-1], v.count) for v in a.variants} == {("done", 1), ("cancelled", 1)}
    edges = {(e.source, e.target): e for e in a.edges}
    assert edges[("reception", "identify")].count == 2
    assert edges[("identify", "cancelled")].median_seconds == 2 * 60
    assert ("interview", "interview") not in edges  # the reassignment is not a loop
    assert a.after_hours == 0


def test_a_visit_wholly_outside_opening_hours_is_counted_as_such() -> None:
    m = timedelta(minutes=1)
    evening = AT.replace(hour=19)
    late = [(Step.RECEPTION, evening, ""), (Step.IDENTIFY, evening + 5 * m, "s1"),
            (Step.CANCELLED, evening + 6 * m, "s1")]  # fmt: skip
    day = [(Step.RECEPTION, AT, ""), (Step.IDENTIFY, AT + 5 * m, "s1"),
           (Step.CANCELLED, AT + 6 * m, "s1")]  # fmt: skip
    log = event_log.build([_visit("a", late, []), _visit("b", day, [])], b"s" * 32)
    a = process_analytics.analyse(log, BusinessHours())
    assert a.cases == 2 and a.after_hours == 1


def test_the_bpmn_heatmap_draws_every_task_with_its_heat() -> None:
    model = (REPO_ROOT / "bpmn" / "counter_visit.bpmn").read_text(encoding="utf-8")
    svg = bpmn_svg.render(model, {"await_rpa": bpmn_svg.Heat(1.0, "中央値 1時間0分")})
    for task in bpmn_svg.task_ids(model):
        assert f'data-id="{task}"' in svg
    assert "中央値 1時間0分" in svg and "#ff571e" in svg  # the hottest colour


def _simulated_day(counters: int, seed: int) -> tuple[list[VisitState], float]:
    """A day at a FIFO counter with ``counters`` clerks, computed directly (no SimPy):
    Poisson arrivals 08:30-17:00, log-normal counter times; returns the visits as the
    workflow would have recorded them, and the day's true mean wait."""
    rng = random.Random(seed)
    opening = datetime.combine(date(2026, 3, 30), time(8, 30), JST)
    free = [(0.0, f"C{i + 1:02d}") for i in range(counters)]  # (free at, counter)
    heapq.heapify(free)
    visits: list[VisitState] = []
    waits: list[float] = []
    t = 0.0
    while True:
        t += rng.expovariate(1 / 55)  # about 550 arrivals in the day
        if t > 8.5 * 3600:
            break
        service = rng.lognormvariate(5.9, 0.5)  # median ~6 minutes
        free_at, counter = heapq.heappop(free)
        called = max(t, free_at)
        heapq.heappush(free, (called + service, counter))
        waits.append(called - t)
        s = [
            (Step.RECEPTION, t), (Step.IDENTIFY, called), (Step.LOOKUP, called + service * 0.2),
            (Step.INTERVIEW, called + service * 0.3), (Step.FILL, called + service * 0.7),
            (Step.CONFIRM, called + service * 0.75), (Step.PRINT, called + service),
            (Step.HANDOFF, called + service + 2), (Step.AWAIT_RPA, called + service + 3),
            (Step.DONE, called + service + 600),
        ]  # fmt: skip
        visits.append(
            VisitState(
                visit_id=f"v{len(visits)}", step=Step.DONE, step_entered_at="",
                procedures=["tennyu"] if rng.random() < 0.1 else ["juminhyo"],
                history=[
                    StepEvent(step, (opening + timedelta(seconds=x)).isoformat(),
                              "" if step == Step.RECEPTION else f"clerk-{counter}",
                              "" if step == Step.RECEPTION else counter)
                    for step, x in s
                ],
            )
        )  # fmt: skip
    return visits, statistics.fmean(waits)


def test_the_simulation_fed_a_simulated_day_reproduces_its_mean_wait() -> None:
    visits, true_mean = _simulated_day(counters=8, seed=6)
    log = event_log.build(visits, b"k" * 32)
    trace = counter_simulation.from_log(log)
    assert trace.counters == 8 and len(trace.arrivals) == len(visits)
    assert abs(trace.observed_mean_wait - true_mean) < 1.0  # the log says what happened
    assert true_mean > 120  # a day with real queues, not an empty counter

    replayed = counter_simulation.simulate(
        counter_simulation.Scenario("the day", trace.counters), trace.arrivals, {}
    )
    assert abs(replayed.mean_wait - true_mean) <= 0.10 * true_mean

    # The same day with a ninth clerk waits less.
    more = counter_simulation.simulate(counter_simulation.Scenario("9", 9), trace.arrivals, {})
    assert more.mean_wait < replayed.mean_wait


def test_demand_gives_a_march_day_heavier_than_a_june_day() -> None:
    demand = json.loads((REPO_ROOT / "catalog" / "counter_demand.json").read_text("utf-8"))
    rng = random.Random(1)
    march = [len(counter_simulation.daily_arrivals(demand, 3, rng)) for _ in range(5)]
    june = [len(counter_simulation.daily_arrivals(demand, 6, rng)) for _ in range(5)]
    assert statistics.fmean(march) > 1.2 * statistics.fmean(june)
    samples = {"tennyu": [1500.0], "other": [360.0]}
    base, changed = counter_simulation.compare(
        [counter_simulation.Scenario("now", 12),
         counter_simulation.Scenario("qr", 12, pre_application_share=1.0)],
        demand, 3, samples, days=3,
    )  # fmt: skip
    assert changed.visits == base.visits
    assert changed.mean_counter_time < base.mean_counter_time
    assert changed.mean_wait < base.mean_wait


def test_the_memo_a_finished_visit_keeps_gives_the_same_event_log() -> None:
    m = timedelta(minutes=1)
    visit = _visit(
        "a", [(Step.RECEPTION, AT, ""), (Step.IDENTIFY, AT + m, "s1"),
              (Step.CANCELLED, AT + 3 * m, "s1")], ["juminhyo"],
    )  # fmt: skip
    again = event_log.state_from_memo("a", json.loads(json.dumps(event_log.memo_of(visit))))
    salt = b"m" * 32
    assert event_log.build([again], salt) == event_log.build([visit], salt)
