"""What the worker spends on a new visit's sandbox, and on each payload's context question.

The sandbox imports workflows/counter_visit.py afresh for every new visit; under load that
was 11–14 % of the worker's CPU before 11-28, when it got 27 % cheaper. This builds the
sandbox of a CounterVisit run N times, and asks the serialization context N times, with the
SDK's own runner and with the worker's lean one (madoguchi/workflow_sandbox.py); CPU time,
so the rest of the machine matters less than for the load run.

    .venv/bin/python -m bench.sandbox [--runs 300]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
from functools import partial

from temporalio import workflow
from temporalio.api.common.v1 import Payloads
from temporalio.api.failure.v1 import Failure
from temporalio.converter import DataConverter
from temporalio.worker import WorkflowInstanceDetails
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox._runner import _fake_info

from bench.stack import cpu_ms, machine
from madoguchi.worker import compile_workflow_modules, workflow_runner
from madoguchi.workflow_sandbox import LeanSandboxedWorkflowRunner
from workflows.counter_visit import CounterVisit


def runners() -> tuple[SandboxedWorkflowRunner, SandboxedWorkflowRunner]:
    """The SDK's sandbox and the worker's, with the worker's restrictions."""
    lean = workflow_runner(True)
    assert isinstance(lean, LeanSandboxedWorkflowRunner)
    return SandboxedWorkflowRunner(restrictions=lean.restrictions), lean


def details() -> WorkflowInstanceDetails:
    """A CounterVisit run's details, as the SDK's own prepare_workflow builds them."""
    return WorkflowInstanceDetails(
        payload_converter_factory=DataConverter.default._new_payload_converter,
        failure_converter_class=DataConverter.default.failure_converter_class,
        interceptor_classes=[],
        defn=workflow._Definition.must_from_class(CounterVisit),
        info=dataclasses.replace(_fake_info, workflow_id="visit-1", namespace="madoguchi"),
        randomness_seed=1,
        extern_functions={},
        disable_eager_activity_execution=False,
        worker_level_failure_exception_types=[],
        patch_activation_callback=None,
        last_completion_result=Payloads(),
        last_failure=Failure(),
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    compile_workflow_modules()  # as the worker does at start
    print(f"sandbox of a CounterVisit run, {machine()}")
    print(f"{'runner':30} {'new visit ms':>13} {'context µs':>11}")
    for name, runner in zip(("SDK sandbox", "lean sandbox (the worker's)"), runners(), strict=True):
        build = cpu_ms(args.runs, lambda: runner.create_instance(details()), warm=20)  # noqa: B023
        instance = runner.create_instance(details())
        ask = cpu_ms(args.runs * 10, partial(instance.get_serialization_context, None), warm=20)
        print(f"{name:30} {build:13.2f} {ask * 1000:11.1f}")


if __name__ == "__main__":
    asyncio.run(main())
