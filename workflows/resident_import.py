"""ResidentImport: one workflow per inbound 住民記録 file (full snapshot or delta)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.import_activities import Applied, ApplyInput, Inspected, InspectInput
    from workflows import options


@dataclass
class ImportInput:
    manifest_key: str
    chunk_size: int = 2000


@dataclass
class ImportOutcome:
    file_key: str
    status: str  # done | rejected | duplicate
    reason: str = ""
    applied: int = 0
    quarantined: int = 0


@workflow.defn(name="ResidentImport")
class ResidentImport:
    def __init__(self) -> None:
        self._outcome = ImportOutcome(file_key="", status="inspecting")

    @workflow.run
    async def run(self, inp: ImportInput) -> ImportOutcome:
        inspected = await workflow.execute_activity(
            "inspect_inbound",
            InspectInput(inp.manifest_key),
            result_type=Inspected,
            start_to_close_timeout=timedelta(minutes=5),
            retry_policy=options.QUICK,
        )
        self._outcome = ImportOutcome(inspected.file_key, "applying")
        if inspected.status != "ok":
            self._outcome = ImportOutcome(inspected.file_key, inspected.status, inspected.reason)
            return self._outcome
        applied = await workflow.execute_activity(
            "apply_inbound",
            ApplyInput(inspected.file_key, inp.chunk_size),
            result_type=Applied,
            start_to_close_timeout=timedelta(hours=2),
            heartbeat_timeout=timedelta(minutes=2),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
        )
        await workflow.execute_activity(
            "finish_import",
            ApplyInput(inspected.file_key, inp.chunk_size),
            start_to_close_timeout=options.QUICK_TIMEOUT,
            retry_policy=options.QUICK,
        )
        self._outcome = ImportOutcome(
            inspected.file_key, "done", applied=applied.applied, quarantined=applied.quarantined
        )
        return self._outcome

    @workflow.query(name="progress")
    def progress(self) -> ImportOutcome:
        return self._outcome
