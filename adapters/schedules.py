"""The Temporal schedules madoguchi needs, created once and left alone afterwards."""

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

from activities.import_activities import PollInput
from workflows.inbound_poller import InboundPoller


def poller_schedule_id(task_queue: str) -> str:
    # One poller per deployment (task queue): two deployments on one Temporal never share it.
    return f"inbound-juki-poller-{task_queue}"


async def ensure_inbound_poller(client: Client, task_queue: str, every_seconds: float) -> None:
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            InboundPoller.run,
            PollInput(),
            id=f"inbound-juki-poll-{task_queue}",
            task_queue=task_queue,
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=timedelta(seconds=every_seconds))]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )
    # Created by an earlier start, the schedule is left as it is: the city may have changed it.
    with contextlib.suppress(ScheduleAlreadyRunningError):
        await client.create_schedule(poller_schedule_id(task_queue), schedule)
