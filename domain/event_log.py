"""The event log of finished visits, for process mining: one case per visit, a start and a
complete event per step, the clerk and counter as resources, the procedures as objects.

Pseudonymized at the source: cases, clerks and procedure instances are keyed HMACs under a
salt made for one export and then forgotten, so two exports cannot be joined and nothing
leads back to a person. Names, addresses, dates of birth and numbers never enter the log:
only step codes, times, counter codes, procedure codes and the channel do.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.steps import FINAL_STEPS, Step
from domain.visit import StepEvent, VisitState

START, COMPLETE = "start", "complete"


@dataclass(frozen=True)
class LogEvent:
    case: str
    activity: str  # the step's code (STEP_LABELS_JA has its Japanese name)
    lifecycle: str  # start | complete
    at: datetime
    resource: str  # the clerk, pseudonymized; "" while nobody has the visit (受付)
    counter: str


@dataclass
class LogCase:
    case: str
    channel: str
    outcome: str  # done | cancelled
    procedures: list[str]  # procedure codes (not personal)
    procedure_objects: dict[str, str]  # procedure code -> pseudonymous object id


@dataclass
class EventLog:
    cases: list[LogCase] = field(default_factory=list)
    events: list[LogEvent] = field(default_factory=list)

    def events_of(self, case: str) -> list[LogEvent]:
        return [e for e in self.events if e.case == case]


class Pseudonyms:
    def __init__(self, salt: bytes) -> None:
        if len(salt) < 16:
            raise ValueError("the pseudonym salt must be at least 16 random bytes")
        self._salt = salt

    def of(self, kind: str, value: str) -> str:
        digest = hmac.new(self._salt, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return f"{kind}-{digest[:16]}"


def _segments(history: list[StepEvent]) -> list[tuple[StepEvent, StepEvent | None]]:
    """Each entry with the entry that ended it (None for the final one)."""
    return [(h, history[i + 1] if i + 1 < len(history) else None) for i, h in enumerate(history)]


def visit_events(state: VisitState, p: Pseudonyms) -> tuple[LogCase, list[LogEvent]]:
    case = p.of("visit", state.visit_id)
    outcome = "cancelled" if state.step == Step.CANCELLED else "done"
    log_case = LogCase(
        case, state.channel, outcome, list(state.procedures),
        {code: p.of("procedure", f"{state.visit_id}:{code}") for code in state.procedures},
    )  # fmt: skip
    events: list[LogEvent] = []
    for entered, ended in _segments(state.history):
        staff = p.of("staff", entered.staff) if entered.staff else ""
        at, step = datetime.fromisoformat(entered.entered_at), str(entered.step)
        if entered.step in FINAL_STEPS:
            events.append(LogEvent(case, step, COMPLETE, at, staff, entered.counter))
            continue
        events.append(LogEvent(case, step, START, at, staff, entered.counter))
        if ended is not None:
            end = datetime.fromisoformat(ended.entered_at)
            events.append(LogEvent(case, step, COMPLETE, end, staff, entered.counter))
    return log_case, events


def memo_of(state: VisitState) -> dict[str, object]:
    """What the event log needs of a finished visit, small enough for the workflow's memo
    (visibility lists it without reading each history): no personal data."""
    return {
        "channel": state.channel,
        "procedures": list(state.procedures),
        "step": str(state.step),
        "history": [[str(h.step), h.entered_at, h.staff, h.counter] for h in state.history],
    }


def state_from_memo(visit_id: str, memo: dict[str, Any]) -> VisitState:
    history = [
        StepEvent(Step(step), at, staff, counter) for step, at, staff, counter in memo["history"]
    ]
    return VisitState(
        visit_id=visit_id,
        step=Step(memo["step"]),
        step_entered_at=history[-1].entered_at if history else "",
        channel=str(memo.get("channel", "")),
        procedures=[str(p) for p in memo.get("procedures", [])],
        history=history,
    )


def build(visits: list[VisitState], salt: bytes) -> EventLog:
    """The log of finished visits; visits still open are not cases yet."""
    p = Pseudonyms(salt)
    log = EventLog()
    for state in visits:
        if state.step not in FINAL_STEPS:
            continue
        case, events = visit_events(state, p)
        log.cases.append(case)
        log.events.extend(events)
    log.events.sort(key=lambda e: (e.at, e.case, e.lifecycle != COMPLETE))
    return log
