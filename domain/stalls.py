"""Stalled visits: which step is too old, which activity keeps failing, and why, in words a
supervisor acts on. Pure: the monitor adapter brings the facts, this decides."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.steps import STEP_LABELS_JA, Step

# Minutes a visit may stay in a step before the dashboard lists it (configurable per step).
DEFAULT_THRESHOLD_MINUTES: dict[str, float] = {
    Step.RECEPTION: 30,  # waiting for a counter
    Step.IDENTIFY: 10,
    Step.LOOKUP: 10,
    Step.INTERVIEW: 20,
    Step.FILL: 2,
    Step.CONFIRM: 15,
    Step.PRINT: 5,
    Step.HANDOFF: 5,
    Step.AWAIT_RPA: 60,
}

_STEPS = {s.value for s in Step}

# An activity that has been tried this many times is "failing repeatedly".
DEFAULT_FAILING_ATTEMPTS = 3


class StallKind:
    STEP_TOO_OLD = "step_too_old"
    RPA_WAITING = "rpa_waiting"
    ACTIVITY_FAILING = "activity_failing"
    NEEDS_ATTENTION = "needs_attention"


@dataclass
class OpenVisit:
    """What visibility says of one running visit (search attributes only)."""

    visit_id: str
    step: str
    step_entered_at: datetime | None
    counter: str
    staff: str
    procedures: list[str]
    needs_attention: bool


@dataclass
class FailingActivity:
    visit_id: str
    activity: str
    attempt: int
    last_failure: str


@dataclass
class Stall:
    visit_id: str
    step: str
    kind: str
    reason: str
    age_seconds: float
    counter: str = ""
    staff: str = ""
    # What the supervisor can do here: retry, requeue, reassign, cancel.
    actions: list[str] = field(default_factory=list)


@dataclass
class Counts:
    by_step: dict[str, int]
    by_counter: dict[str, int]
    by_procedure: dict[str, int]
    waiting: int
    in_progress: int


def thresholds(overrides: dict[str, float]) -> dict[str, timedelta]:
    """Per-step limits: the defaults with the city's configuration over them."""
    unknown = set(overrides) - set(DEFAULT_THRESHOLD_MINUTES)
    if unknown:
        raise ValueError(f"no such step for a stall threshold: {', '.join(sorted(unknown))}")
    merged = DEFAULT_THRESHOLD_MINUTES | overrides
    return {step: timedelta(minutes=m) for step, m in merged.items()}


def count(visits: list[OpenVisit]) -> Counts:
    by_procedure: Counter[str] = Counter()
    for v in visits:
        by_procedure.update(v.procedures)
    return Counts(
        by_step=dict(Counter(v.step for v in visits)),
        by_counter=dict(Counter(v.counter for v in visits if v.counter)),
        by_procedure=dict(by_procedure),
        waiting=sum(1 for v in visits if v.step == Step.RECEPTION),
        in_progress=sum(1 for v in visits if v.step != Step.RECEPTION),
    )


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}分" if seconds >= 60 else f"{int(seconds)}秒"


def _actions(step: str) -> list[str]:
    if step == Step.AWAIT_RPA:
        return ["retry", "reassign"]
    if step in (Step.IDENTIFY, Step.LOOKUP, Step.INTERVIEW, Step.CONFIRM):
        return ["reassign", "cancel"]
    if step == Step.RECEPTION:
        return ["cancel"]
    return []


def find_stalls(
    visits: list[OpenVisit],
    limits: dict[str, timedelta],
    now: datetime,
    *,
    failing: list[FailingActivity] | None = None,
    attention: dict[str, str] | None = None,
    rpa_detail: dict[str, str] | None = None,
) -> list[Stall]:
    """Every stalled visit once, with its most telling reason, oldest first.

    ``attention``: the flagged visits' own reasons (from their state); ``rpa_detail``: what
    the outbox says of the records of visits waiting for the robot."""
    attention = attention or {}
    rpa_detail = rpa_detail or {}
    failing_by_visit = {f.visit_id: f for f in failing or []}
    out: list[Stall] = []
    for v in visits:
        age = (now - v.step_entered_at).total_seconds() if v.step_entered_at else 0.0
        label = STEP_LABELS_JA.get(Step(v.step), v.step) if v.step in _STEPS else v.step
        limit = limits.get(v.step)
        stall: Stall | None = None
        if (f := failing_by_visit.get(v.visit_id)) is not None:
            stall = Stall(
                v.visit_id, v.step, StallKind.ACTIVITY_FAILING,
                f"{label}: 処理 {f.activity} が {f.attempt} 回失敗 / failing {f.attempt} times:"
                f" {f.last_failure[:200]}",
                age,
            )  # fmt: skip
        elif v.needs_attention:
            why = attention.get(v.visit_id, "要対応 / needs attention")
            stall = Stall(v.visit_id, v.step, StallKind.NEEDS_ATTENTION, f"{label}: {why}", age)
        elif limit is not None and age > limit.total_seconds():
            over = f"{label}で {_minutes(age)} 経過（基準 {_minutes(limit.total_seconds())}）"
            if v.step == Step.AWAIT_RPA:
                detail = rpa_detail.get(v.visit_id, "")
                stall = Stall(
                    v.visit_id, v.step, StallKind.RPA_WAITING,
                    f"{over} / waiting for the robot too long" + (f": {detail}" if detail else ""),
                    age,
                )  # fmt: skip
            else:
                stall = Stall(
                    v.visit_id, v.step, StallKind.STEP_TOO_OLD, f"{over} / step too old", age
                )
        if stall is not None:
            stall.counter, stall.staff, stall.actions = v.counter, v.staff, _actions(v.step)
            out.append(stall)
    return sorted(out, key=lambda s: -s.age_seconds)
