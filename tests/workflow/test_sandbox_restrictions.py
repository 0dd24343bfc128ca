"""The worker's sandbox, lean as it is on the context questions, still refuses what a
workflow must not do, and runs one that keeps the rules with its activities."""

from __future__ import annotations

import uuid

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import RestrictedWorkflowAccessError

from madoguchi.worker import workflow_runner
from tests.workflow.sandbox_probes import KeepsTheRules, ReadsTheClock, echo


def probe_worker(client: Client, queue: str) -> Worker:
    return Worker(
        client,
        task_queue=queue,
        workflows=[KeepsTheRules, ReadsTheClock],
        activities=[echo],
        workflow_runner=workflow_runner(True),
        # Fail the run instead of retrying its task forever, so the test sees the refusal.
        workflow_failure_exception_types=[RestrictedWorkflowAccessError],
    )


async def test_a_workflow_reading_the_clock_is_refused(client: Client) -> None:
    queue = f"sandbox-{uuid.uuid4()}"
    async with probe_worker(client, queue):
        with pytest.raises(WorkflowFailureError) as failed:
            await client.execute_workflow("ReadsTheClock", id=queue, task_queue=queue)
    assert "datetime.datetime.now" in str(failed.value.cause)


async def test_a_workflow_keeping_the_rules_runs_with_its_activity(client: Client) -> None:
    queue = f"sandbox-{uuid.uuid4()}"
    async with probe_worker(client, queue):
        answer = await client.execute_workflow(
            KeepsTheRules.run, "渡邉 髙", id=queue, task_queue=queue
        )
    assert answer == "渡邉 髙"
