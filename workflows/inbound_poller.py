"""InboundPoller: run by a Temporal schedule; imports each new manifest's file, in order.

Each import's workflow id is derived from its manifest key, so a manifest seen by two polls
(or by a poll and a retry) is imported once. In production an S3 event notification can
start the same workflow directly instead of waiting for the next poll.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.import_activities import PollInput
    from workflows import options
    from workflows.resident_import import ImportInput, ResidentImport


def import_workflow_id(manifest_key: str) -> str:
    return "import-" + hashlib.sha256(manifest_key.encode()).hexdigest()[:24]


@workflow.defn(name="InboundPoller")
class InboundPoller:
    @workflow.run
    async def run(self, inp: PollInput) -> list[str]:
        keys = await workflow.execute_activity(
            "list_new_manifests",
            inp,
            result_type=list[str],
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=options.QUICK,
        )
        imported = []
        # One file at a time, oldest first (the schedule skips a poll while one runs).
        for key in keys:
            try:
                await workflow.execute_child_workflow(
                    ResidentImport.run,
                    ImportInput(key),
                    id=import_workflow_id(key),
                    parent_close_policy=ParentClosePolicy.ABANDON,
                )
            except WorkflowAlreadyStartedError:
                continue  # already being imported, or imported: once is enough
            imported.append(key)
        return imported
