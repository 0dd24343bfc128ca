"""bench.step_breakdown: a staff step's time split into its parts, read off trace spans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.step_breakdown import Span, breakdown, read_spans, report

MS = 1_000_000


def span(name: str, sid: str, parent: str | None, start: float, end: float, **kw: Any) -> Span:
    return {
        "service": "x", "name": name, "kind": kw.get("kind", "INTERNAL"), "trace_id": "t1",
        "span_id": sid, "parent_id": parent, "start_ns": int(start * MS),
        "end_ns": int(end * MS), "links": kw.get("links", []),
    }  # fmt: skip


def a_visit() -> list[Span]:
    """A ticket and a procedures step, as the API and the worker write them."""
    return [
        span("POST /api/visits", "req", None, 0, 20, kind="SERVER"),
        span("visit", "root", None, 8, 18, links=["t0/req"]),
        span("StartWorkflow:CounterVisit", "start", "root", 8, 18),
        span("RunWorkflow:CounterVisit", "run", "start", 25, 25),
        # procedures at 100 ms: 5 in the API, the task at 108, fill_forms 112–120, answer 130
        span("POST /api/visits/{visit_id}/procedures", "p", "root", 100, 131, kind="SERVER"),
        span("StartWorkflowUpdate:choose_procedures", "u", "p", 105, 130),
        span("HandleUpdate:choose_procedures", "h", "start", 108, 108, links=["t1/u"]),
        span("StartActivity:fill_forms", "sa", "start", 108, 108),
        span("RunActivity:fill_forms", "ra", "sa", 112, 120),
        # printing after the answer is not the step's
        span("RunActivity:print_forms", "pr", "sa", 140, 170),
    ]


def test_a_step_splits_into_the_api_temporal_the_worker_and_its_activities() -> None:
    steps = {s.step: s for s in breakdown(a_visit())}
    proc = steps["procedures"]
    assert proc.total == 31
    assert proc.parts == {
        "api before": 5, "to task": 3, "to activity": 4, "activities": 8, "answer": 10,
        "api after": 1,
    }  # fmt: skip
    assert sum(proc.parts.values()) == proc.total
    # The ticket's start call is answered before the workflow's first task.
    ticket = steps["ticket"]
    assert ticket.parts["api before"] == 8 and ticket.parts["to task"] == 10
    assert sum(ticket.parts.values()) == ticket.total == 20


def test_it_names_what_other_visits_ran_during_a_step() -> None:
    # Another visit's print (trace t2) overlaps the procedures step for 21 ms (110–131).
    other = {**span("RunActivity:print_forms", "o", "x", 110, 150), "trace_id": "t2"}
    steps = {s.step: s for s in breakdown([*a_visit(), other])}
    assert steps["procedures"].alongside == {"print_forms": 21}
    assert "fill_forms" not in steps["procedures"].alongside  # its own activity
    lines = report(list(steps.values()))
    assert "  other visits' activities alongside, slowest 5 %: print_forms 21.0" in lines


def test_a_step_refused_before_temporal_is_left_out(tmp_path: Path) -> None:
    spans = [*a_visit(), span("POST /api/visits/{visit_id}/call", "c", "root", 200, 203,
                              kind="SERVER")]  # fmt: skip
    (tmp_path / "api.jsonl").write_text("\n".join(json.dumps(s) for s in spans) + "\n")
    steps = breakdown(read_spans(tmp_path))
    assert sorted(s.step for s in steps) == ["procedures", "ticket"]
    lines = report(steps)
    assert lines[0].split()[:3] == ["n", "total", "api"]
    assert any(line.startswith("procedures p50 of each") for line in lines)
