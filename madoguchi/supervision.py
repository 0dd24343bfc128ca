"""The supervisor's dashboard and what a supervisor does from it — reassign, retry, cancel —
shared by the API and the screen. Every action is audited with its reason."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool

from adapters import audit, outbox, visit_monitor
from adapters.db import session_scope
from adapters.schedules import trigger_handoff
from adapters.temporal_client import VisitGateway, VisitNotFound
from domain.security import Principal
from domain.stalls import Counts, Stall, count, find_stalls, thresholds
from domain.steps import Action, Step
from domain.visit import CancelInput, ReassignInput, RetryInput, RpaOutcome, VisitState
from madoguchi.settings import Settings

STATUS_JA = {
    outbox.PENDING: "未送信",
    outbox.BATCHED: "バッチ済・報告待ち",
    outbox.ERROR: "RPAエラー",
    outbox.HELD: "保留",
    outbox.DONE: "完了",
}


@dataclass
class Dashboard:
    generated_at: datetime
    counts: Counts
    stalled: list[Stall]
    thresholds_minutes: dict[str, float]


def _rpa_detail(s: Settings, visit_ids: list[str]) -> dict[str, str]:
    """What the outbox says of each visit's records, e.g. "未送信 1件, RPAエラー 1件"."""
    out: dict[str, str] = {}
    with session_scope(s.sqlalchemy_url) as session:
        for vid in visit_ids:
            statuses = Counter(r.status for r in outbox.visit_records(session, vid))
            out[vid] = ", ".join(
                f"{STATUS_JA.get(st, st)} {n}件 ({st})" for st, n in sorted(statuses.items())
            )
    return out


async def dashboard(s: Settings, gw: VisitGateway, p: Principal | None) -> Dashboard:
    """What the supervisor sees; ``p=None`` is the system itself (the metrics), seeing all."""
    now = datetime.now(UTC)
    limits = thresholds(s.stall_minutes)
    visits = await visit_monitor.open_visits(gw, p)
    failing = await visit_monitor.failing_activities(gw.client, visits, s.stall_failing_attempts)
    flagged = [v.visit_id for v in visits if v.needs_attention]
    states = await asyncio.gather(*(gw.state(vid) for vid in flagged), return_exceptions=True)
    attention = {
        vid: st.attention_reason
        for vid, st in zip(flagged, states, strict=True)
        if isinstance(st, VisitState) and st.attention_reason
    }
    waiting_rpa = [v.visit_id for v in visits if v.step == Step.AWAIT_RPA]
    detail = await run_in_threadpool(_rpa_detail, s, waiting_rpa)
    stalled = find_stalls(
        visits, limits, now, failing=failing, attention=attention, rpa_detail=detail
    )
    return Dashboard(
        now, count(visits), stalled, {k: v.total_seconds() / 60 for k, v in limits.items()}
    )


def _audit(s: Settings, p: Principal, action: str, visit_id: str, detail: str) -> None:
    with session_scope(s.sqlalchemy_url) as session:
        audit.record_by(session, p, action=action, visit_id=visit_id, detail=detail[:200])


def _unstick_records(s: Settings, visit_id: str) -> tuple[list[str], list[str]]:
    """Failed records back into the queue; the ones re-queued now, and every one that now
    waits for a batch (a retry repeated after an interrupted one finds its records there)."""
    requeued: list[str] = []
    with session_scope(s.sqlalchemy_url) as session:
        for r in outbox.visit_records(session, visit_id):
            if r.status == outbox.ERROR:
                outbox.requeue(session, r.record_id)
                requeued.append(r.record_id)
        pending = [
            r.record_id
            for r in outbox.visit_records(session, visit_id)
            if r.status == outbox.PENDING
        ]
    return requeued, pending


async def retry(
    s: Settings, gw: VisitGateway, p: Principal, visit_id: str, reason: str, key: str | None
) -> VisitState:
    """A visit stuck waiting for the robot: records the robot failed go back into the
    queue, a batch runs now for whatever waits for one, and the visit waits afresh. A
    record still in a batch is left alone — the robot may yet type it in."""
    state = await gw.state(visit_id, p)  # out of scope → not found, nothing changes
    if state.step != Step.AWAIT_RPA:
        # Let the workflow refuse it, with its standard message and nothing changed.
        return await gw.act(visit_id, Action.RETRY, RetryInput(reason), key, p)
    requeued, pending = await run_in_threadpool(_unstick_records, s, visit_id)
    # What the visit still holds as failed but the outbox has queued again goes back too.
    failed = {rid for rid, res in state.rpa_results.items() if res.outcome == RpaOutcome.ERROR}
    told = sorted(set(requeued) | (failed & set(pending)))
    if pending or requeued:
        await trigger_handoff(gw.client, gw.task_queue, s.handoff_batch_limit)
    await run_in_threadpool(
        _audit, s, p, "visit.retry", visit_id,
        f"requeued={len(requeued)} batch={'yes' if pending or requeued else 'no'} {reason}",
    )  # fmt: skip
    return await gw.act(visit_id, Action.RETRY, RetryInput(reason, told), key, p)


async def reassign(
    s: Settings,
    gw: VisitGateway,
    p: Principal,
    visit_id: str,
    inp: ReassignInput,
    key: str | None,
) -> VisitState:
    state = await gw.act(visit_id, Action.REASSIGN, inp, key, p)
    await run_in_threadpool(
        _audit, s, p, "visit.reassign", visit_id, f"{inp.counter}/{inp.staff} {inp.reason}"
    )
    return state


async def cancel(
    s: Settings, gw: VisitGateway, p: Principal, visit_id: str, reason: str, key: str | None
) -> VisitState:
    state = await gw.act(visit_id, Action.CANCEL, CancelInput(reason), key, p)
    await run_in_threadpool(_audit, s, p, "visit.cancel", visit_id, reason)
    return state


__all__ = ["Dashboard", "VisitNotFound", "cancel", "dashboard", "reassign", "retry"]
