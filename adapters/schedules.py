"""The Temporal schedules madoguchi needs, created once and left alone afterwards: the
inbound 住民記録 poller and the handoff batch run."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.import_activities import PollInput
from workflows.handoff_batch import BatchRunInput, HandoffBatch
from workflows.inbound_poller import InboundPoller


def poller_schedule_id(task_queue: str) -> str:
    # One poller per deployment (task queue): two deployments on one Temporal never share it.
    return f"inbound-juki-poller-{task_queue}"


async def _ensure(
    client: Client,
    schedule_id: str,
    action: ScheduleActionStartWorkflow,
    every_seconds: float,
    overlap: ScheduleOverlapPolicy,
) -> None:
    schedule = Schedule(
        action=action,
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=timedelta(seconds=every_seconds))]),
        policy=SchedulePolicy(overlap=overlap),
    )
    # Created by an earlier start, the schedule is left as it is: the city may have changed it.
    with contextlib.suppress(ScheduleAlreadyRunningError):
        await client.create_schedule(schedule_id, schedule)


async def ensure_inbound_poller(client: Client, task_queue: str, every_seconds: float) -> None:
    action = ScheduleActionStartWorkflow(
        InboundPoller.run, PollInput(), id=f"inbound-juki-poll-{task_queue}", task_queue=task_queue
    )
    await _ensure(
        client, poller_schedule_id(task_queue), action, every_seconds, ScheduleOverlapPolicy.SKIP
    )


def handoff_schedule_id(task_queue: str) -> str:
    return f"handoff-batch-{task_queue}"


async def ensure_handoff_schedule(
    client: Client, task_queue: str, every_seconds: float, limit: int
) -> None:
    """Batches every N seconds. A tick during a run waits for it (buffer one): runs never
    race, and nothing confirmed meanwhile waits a whole interval. On demand, the API
    triggers the same schedule (``trigger_handoff``)."""
    action = ScheduleActionStartWorkflow(
        HandoffBatch.run,
        BatchRunInput(limit=limit),
        id=f"handoff-batch-run-{task_queue}",
        task_queue=task_queue,
    )
    await _ensure(
        client,
        handoff_schedule_id(task_queue),
        action,
        every_seconds,
        ScheduleOverlapPolicy.BUFFER_ONE,
    )


async def trigger_handoff(client: Client, task_queue: str, limit: int) -> None:
    """Run a batch now. A run already going means one more follows it (buffer one), so
    records confirmed a moment ago are not left for the next interval. Without the
    schedule (a worker that never started it) the run is started directly."""
    try:
        await client.get_schedule_handle(handoff_schedule_id(task_queue)).trigger(
            overlap=ScheduleOverlapPolicy.BUFFER_ONE
        )
    except RPCError as e:
        if e.status != RPCStatusCode.NOT_FOUND:
            raise
        # As buffer-one would: a run already going has reserved its records, so let it end
        # and start one more for what was queued meanwhile (else a trigger is lost).
        for _ in range(2):
            try:
                await client.start_workflow(
                    HandoffBatch.run,
                    BatchRunInput(limit=limit),
                    id=f"handoff-batch-now-{task_queue}",
                    task_queue=task_queue,
                    id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                )
                return
            except WorkflowAlreadyStartedError:
                await client.get_workflow_handle(f"handoff-batch-now-{task_queue}").result()
