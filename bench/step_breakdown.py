"""Where a staff step's time goes, read off the trace files of a run.

    .venv/bin/python -m bench.step_breakdown /tmp/mado-bench-XXXX/traces

Every load bench leaves its stack's data folder (``/tmp/mado-bench-*``) behind, and with it
the JSON-lines trace files of the API and the worker (``MADO_TRACES=auto``). For each staff
step (POST /api/visits and POST /api/visits/{visit_id}/<step>) this splits the request into:

- ``api before``: the API before it calls Temporal (login, permission, audit, scope);
- ``to task``: from the call to Temporal to the workflow task that handles it (the
  server, the task queue, the wait for the worker) — the workflow task's clock, which
  is the server's time of the task's start; for the ticket, the whole start call (the
  start is answered before the workflow's first task);
- ``to activity``: from that task to the first activity the step runs (the worker's
  own work: activation, sandbox, payload codec, handing the local activity to a thread);
- ``activities``: the activities the step waits for, in wall-clock time;
- ``answer``: from the last activity (or the task) to Temporal's answer to the API;
- ``api after``: the API after Temporal answered (the response body).

It prints p50 of each part, and the mean of each part over the slowest 5 % of requests:
what makes a p95. One machine's clock, so the parts add up to the step. Then, for the
slowest 5 % and for the middle half, which activities of *other* visits ran at the same
time (ms per step): whether the tail is visits landing together in the worker.
"""

from __future__ import annotations

import argparse
import bisect
import statistics
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters import span_files
from bench.stack import pct

PARTS = ["api before", "to task", "to activity", "activities", "answer", "api after"]
STEP_OF_ROUTE = {
    "POST /api/visits": "ticket",
    "POST /api/visits/{visit_id}/call": "call",
    "POST /api/visits/{visit_id}/identify": "identify",
    "POST /api/visits/{visit_id}/resident": "resident",
    "POST /api/visits/{visit_id}/procedures": "procedures",
    "POST /api/visits/{visit_id}/confirm": "confirm",
}
Span = dict[str, Any]


@dataclass
class Step:
    step: str
    total: float
    parts: dict[str, float]
    # Other visits' activities running during this step: activity name → ms of overlap.
    alongside: dict[str, float] = field(default_factory=dict)


def read_spans(folder: Path) -> list[Span]:
    """Every process's spans in the folder (api.jsonl, worker.jsonl), rotated copies too."""
    return [span for path in sorted(folder.glob("*.jsonl")) for span in span_files.read_spans(path)]


def _ms(ns: int) -> float:
    return ns / 1e6


def breakdown(spans: Iterable[Span]) -> list[Step]:
    by_id: dict[str, Span] = {}
    children: dict[str, list[Span]] = defaultdict(list)
    task_of: dict[str, int] = {}  # a client span's id → its workflow task's start (ns)
    runs: dict[str, list[Span]] = defaultdict(list)  # trace → RunActivity spans
    opened_by: list[tuple[str, str]] = []  # (request, visit root)
    for s in spans:
        by_id[s["span_id"]] = s
        if s["parent_id"]:
            children[s["parent_id"]].append(s)
        name = s["name"]
        if name == "visit":
            opened_by += [(link.rpartition("/")[2], s["span_id"]) for link in s["links"]]
        if name.startswith("HandleUpdate:"):
            for link in s["links"]:  # "trace/span" of the StartWorkflowUpdate it answers
                task_of[link.rpartition("/")[2]] = s["start_ns"]
        elif name.startswith("RunWorkflow:") and s["parent_id"]:
            task_of.setdefault(s["parent_id"], s["start_ns"])
        elif name.startswith("RunActivity:"):
            runs[s["trace_id"]].append(s)
    # The ticket's request opened the visit: the visit's root links to it, and the
    # workflow's start hangs under the root (one trace per visit).
    for request, root in opened_by:
        children[request] += children[root]
    timeline = _Timeline(runs)
    out = []
    for s in by_id.values():
        step = STEP_OF_ROUTE.get(s["name"])
        if step is None or s["kind"] != "SERVER":
            continue
        calls = [
            c for c in children[s["span_id"]]
            if c["name"].startswith(("StartWorkflowUpdate:", "StartWorkflow:"))
        ]  # fmt: skip
        if len(calls) != 1 or calls[0]["span_id"] not in task_of:
            continue  # refused before Temporal, or the worker's spans are not in the files
        call = calls[0]
        if call["name"].startswith("StartWorkflow:"):
            task = call["end_ns"]  # a start is answered before the workflow's first task
        else:
            task = min(max(task_of[call["span_id"]], call["start_ns"]), call["end_ns"])
        acts = sorted(
            (a for a in runs[s["trace_id"]] if task <= a["start_ns"] <= call["end_ns"]),
            key=_start,
        )
        first = acts[0]["start_ns"] if acts else task
        last = max((a["end_ns"] for a in acts), default=task)
        parts = {
            "api before": _ms(call["start_ns"] - s["start_ns"]),
            "to task": _ms(task - call["start_ns"]),
            "to activity": _ms(first - task),
            "activities": _ms(sum(a["end_ns"] - a["start_ns"] for a in acts)),
            "answer": _ms(call["end_ns"] - last),
            "api after": _ms(s["end_ns"] - call["end_ns"]),
        }
        out.append(Step(step, _ms(s["end_ns"] - s["start_ns"]), parts, timeline.alongside(s)))
    return out


class _Timeline:
    """Every activity run by start time, to find those alongside a step without a scan."""

    def __init__(self, runs: dict[str, list[Span]]) -> None:
        self.spans = sorted((a for spans in runs.values() for a in spans), key=_start)
        self.starts = [a["start_ns"] for a in self.spans]
        self.longest = max((a["end_ns"] - a["start_ns"] for a in self.spans), default=0)

    def alongside(self, request: Span) -> dict[str, float]:
        begin, end = request["start_ns"], request["end_ns"]
        out: dict[str, float] = defaultdict(float)
        lo = bisect.bisect_left(self.starts, begin - self.longest)
        for a in self.spans[lo : bisect.bisect_right(self.starts, end)]:
            if a["trace_id"] == request["trace_id"]:
                continue  # the visit's own activities are the step's, not its neighbours'
            overlap = min(a["end_ns"], end) - max(a["start_ns"], begin)
            if overlap > 0:
                out[a["name"].partition(":")[2]] += _ms(overlap)
        return dict(out)


def _start(span: Span) -> int:
    return int(span["start_ns"])


def report(steps: list[Step], tail: float = 0.05) -> list[str]:
    head = f"{'':<24}{'n':>6}{'total':>8}" + "".join(f"{p:>13}" for p in PARTS)
    lines = [head]
    for name in STEP_OF_ROUTE.values():
        mine = sorted((s for s in steps if s.step == name), key=lambda s: s.total)
        if not mine:
            continue
        totals = [s.total for s in mine]
        p50 = "".join(f"{statistics.median(s.parts[p] for s in mine):13.1f}" for p in PARTS)
        lines.append(f"{name + ' p50 of each':<24}{len(mine):6d}{pct(totals, 50):8.1f}{p50}")
        slow = mine[-max(1, round(len(mine) * tail)) :]
        means = "".join(f"{statistics.fmean(s.parts[p] for s in slow):13.1f}" for p in PARTS)
        total = statistics.fmean(s.total for s in slow)
        lines.append(f"{'  slowest 5 %, mean':<24}{len(slow):6d}{total:8.1f}{means}")
        middle = mine[len(mine) // 4 : max(1, 3 * len(mine) // 4)]
        for label, group in (("slowest 5 %", slow), ("middle half", middle)):
            lines.append(f"  other visits' activities alongside, {label}: {_busiest(group)}")
    return lines


def _busiest(group: list[Step], top: int = 3) -> str:
    """The activities of other visits that ran during these steps, ms per step on average."""
    sums: dict[str, float] = defaultdict(float)
    for s in group:
        for name, ms in s.alongside.items():
            sums[name] += ms / len(group)
    busiest = sorted(sums.items(), key=lambda kv: -kv[1])[:top]
    return ", ".join(f"{name} {ms:.1f}" for name, ms in busiest) or "none"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("traces", type=Path, help="a stack's traces folder")
    args = parser.parse_args()
    steps = breakdown(read_spans(args.traces))
    if not steps:
        print(f"no staff steps with their workflow spans in {args.traces}", file=sys.stderr)
        return 1
    print(f"where a staff step's time goes (ms), from {args.traces}")
    print("\n".join(report(steps)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
