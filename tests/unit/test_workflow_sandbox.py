"""The worker's sandbox answers the SDK's per-payload context questions outside the sandbox.
These pin what that leans on in temporalio's private sandbox runner: an upgrade that moves
it fails here, not under load."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.api.enums.v1 import CommandType
from temporalio.worker import WorkflowInstance
from temporalio.worker._command_aware_visitor import CommandInfo
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox._runner import _Instance

from bench.sandbox import details, runners
from madoguchi.worker import workflow_runner
from madoguchi.workflow_sandbox import IN_SANDBOX, LeanSandboxedWorkflowRunner


def instances() -> tuple[WorkflowInstance, WorkflowInstance]:
    stock, lean = runners()
    return stock.create_instance(details()), lean.create_instance(details())


def test_the_worker_runs_workflows_in_the_lean_sandbox_unless_told_not_to() -> None:
    assert isinstance(workflow_runner(True), LeanSandboxedWorkflowRunner)
    assert not isinstance(workflow_runner(False), SandboxedWorkflowRunner)


@pytest.mark.parametrize(
    "command",
    [
        None,
        # An activity the workflow does not know of, a timer: the workflow's own context.
        CommandInfo(CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK, 7),
        CommandInfo(CommandType.COMMAND_TYPE_START_TIMER, 1),
    ],
    ids=["no command", "unknown activity", "timer"],
)
async def test_context_answers_are_the_stock_sandboxs(command: CommandInfo | None) -> None:
    stock, lean = instances()
    assert lean.get_serialization_context(command) == stock.get_serialization_context(command)
    assert lean.get_external_store_context(command) == stock.get_external_store_context(command)
    context = lean.get_serialization_context(command)
    assert context is not None and getattr(context, "workflow_id", None) == "visit-1"


async def test_the_answers_come_from_the_workflow_inside_the_sandbox() -> None:
    _, lean = instances()
    assert isinstance(lean, _Instance)
    in_sandbox: Any = lean.globals_and_locals[IN_SANDBOX]
    # The object the SDK built inside the sandbox, holding the workflow run's instance.
    assert type(in_sandbox).__name__ == "InSandbox"
    assert type(in_sandbox.instance).__module__ == "temporalio.worker._workflow_instance"
