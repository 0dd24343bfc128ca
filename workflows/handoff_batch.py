"""HandoffBatch: run by a Temporal schedule (every N minutes) and on demand; moves the
outbox's pending records into batches — one CSV and manifest each — ready for the robots,
and re-sends reports the API could not deliver to their visits.

Batch ids are made here, deterministically, so every activity re-run after a crash works
on the batch it started; a batch left open by a run that died is finished by the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.handoff_activities import BatchFile, DeliverInput, HandoffWork, ReserveInput
    from workflows import options


@dataclass
class BatchRunInput:
    limit: int = 5000  # records per batch file


@dataclass
class BatchRunResult:
    batches: list[str] = field(default_factory=list)
    delivered: int = 0


def batch_id_for(layout: str, now: str, suffix: str) -> str:
    return f"{layout.replace('@', '-v')}-{now}-{suffix}"


QUICK_TIMEOUT = timedelta(minutes=2)
FILE_TIMEOUT = timedelta(minutes=10)
HEARTBEAT = timedelta(seconds=10)  # a killed worker's batch moves on within this


@workflow.defn(name="HandoffBatch")
class HandoffBatch:
    @workflow.run
    async def run(self, inp: BatchRunInput) -> BatchRunResult:
        work = await workflow.execute_activity(
            "list_handoff_work",
            result_type=HandoffWork,
            start_to_close_timeout=QUICK_TIMEOUT,
            retry_policy=options.PERSISTENT,
        )
        batches = list(work.open_batches)
        # No run of 8 digits (stamp separated, 7-hex suffix): the log redaction (\d{8,})
        # would take the id for a personal number.
        stamp = workflow.now().strftime("%Y-%m-%d-%H%M%S")
        for layout in work.pending_layouts:
            while True:
                batch_id = batch_id_for(layout, stamp, workflow.uuid4().hex[:7])
                count = await workflow.execute_activity(
                    "reserve_batch",
                    ReserveInput(batch_id, layout, inp.limit),
                    result_type=int,
                    start_to_close_timeout=FILE_TIMEOUT,
                    heartbeat_timeout=HEARTBEAT,
                    retry_policy=options.PERSISTENT,
                )
                if count:
                    batches.append(batch_id)
                if count < inp.limit:
                    break
        for batch_id in batches:
            f = await workflow.execute_activity(
                "write_batch_file",
                batch_id,
                result_type=BatchFile,
                start_to_close_timeout=FILE_TIMEOUT,
                heartbeat_timeout=HEARTBEAT,
                retry_policy=options.PERSISTENT,
            )
            await workflow.execute_activity(
                "publish_batch",
                f,
                start_to_close_timeout=QUICK_TIMEOUT,
                heartbeat_timeout=HEARTBEAT,
                retry_policy=options.PERSISTENT,
            )
        delivered = await workflow.execute_activity(
            "deliver_reports",
            DeliverInput(),
            result_type=int,
            start_to_close_timeout=QUICK_TIMEOUT,
            retry_policy=options.PERSISTENT,
        )
        return BatchRunResult(batches, delivered)
