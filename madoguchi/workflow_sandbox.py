"""The SDK's workflow sandbox without two of its per-payload costs.

temporalio 1.35's sandbox runs every call into a workflow as ``exec`` of a source string,
so Python compiles that string again on each call (about 11 µs). Worse, for every payload
the worker encodes or decodes it asks the workflow for a serialization context and an
external-store context, and each question enters the sandbox: compile, swap
``sys.modules``, ``__import__`` and the builtins, answer, swap back. Under load that was
about a sixth of the worker's CPU (py-spy, 11-27).

This runner keeps what the sandbox is for: the workflow's own code — its import, every
activation, every update and query handler — still runs inside it, with the same
restrictions. It changes two things:

- each source string is compiled once, per process, and the code object is run instead
  (the same statements, so the same behaviour);
- the two context questions are answered by the SDK's own workflow instance directly.
  Those answers read the instance's bookkeeping (namespace, workflow id, which activity a
  command sequence number belongs to) and run no workflow code, so nothing the sandbox
  restricts can happen in them.

It leans on the private ``_Instance`` of ``temporalio.worker.workflow_sandbox._runner``; the
lock file pins temporalio, and ``tests/unit/test_workflow_sandbox.py`` fails if an upgrade
moves what this relies on.
"""

from __future__ import annotations

from functools import lru_cache
from types import CodeType
from typing import Any, cast

from temporalio.converter import SerializationContext
from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox._runner import _Instance

# The name under which the SDK keeps the in-sandbox side of a workflow run.
IN_SANDBOX = "__temporal_in_sandbox"


@lru_cache(maxsize=256)
def _compiled(source: str) -> CodeType:
    # The SDK's strings name a workflow class and runner class; a worker has a handful.
    return compile(source, "workflow_sandbox.py", "exec")


class _LeanInstance(_Instance):
    def _run_code(self, code: str, **extra_globals: Any) -> None:
        # exec takes a code object as well as a string; the SDK only passes it on.
        super()._run_code(cast(str, _compiled(code)), **extra_globals)

    def _in_sandbox(self) -> WorkflowInstance:
        return cast(WorkflowInstance, self.globals_and_locals[IN_SANDBOX])

    def get_serialization_context(self, command_info: Any) -> SerializationContext | None:
        return self._in_sandbox().get_serialization_context(command_info)

    def get_external_store_context(self, command_info: Any) -> Any:
        return self._in_sandbox().get_external_store_context(command_info)


class LeanSandboxedWorkflowRunner(SandboxedWorkflowRunner):
    """The SDK's sandbox, with the restrictions it is given; see the module's docstring."""

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return _LeanInstance(det, self.runner_class, self.restrictions)
