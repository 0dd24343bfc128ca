"""The Temporal worker process: CounterVisit and its activities on one task queue."""

from __future__ import annotations

import asyncio
import compileall
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxRestrictions

import workflows
from activities.handoff_activities import HandoffActivities
from activities.import_activities import ImportActivities, InboundLister
from activities.visit_activities import VisitActivities
from adapters import render_pool
from adapters.db import dispose, engine_for
from adapters.ipp_printer import PrinterChoice
from adapters.schedules import ensure_handoff_schedule, ensure_inbound_poller
from adapters.temporal_client import connect
from madoguchi.crypto import payload_key
from madoguchi.logging import configure_logging, get_logger
from madoguchi.process_exit import exit_skipping_teardown
from madoguchi.settings import Settings, get_settings
from madoguchi.storage import object_store
from madoguchi.telemetry import configure_tracing, worker_runtime
from madoguchi.workflow_sandbox import LeanSandboxedWorkflowRunner
from workflows.counter_visit import CounterVisit
from workflows.handoff_batch import HandoffBatch
from workflows.inbound_poller import InboundPoller
from workflows.resident_import import ResidentImport

log = get_logger(__name__)


def visit_activities(settings: Settings) -> VisitActivities:
    return VisitActivities(
        database_url=settings.sqlalchemy_url,
        store=object_store(settings),
        catalog_dir=settings.catalog_dir,
        font_path=settings.font_path,
        mjplus_font_path=settings.mjplus_font_path,
        public_url=settings.public_url,
        printers=PrinterChoice(settings.printer_uri, dict(settings.counter_printers)),
        renderer=render_pool.shared(
            settings.font_path, settings.mjplus_font_path, settings.render_processes
        ),
    )


def import_activities(settings: Settings) -> ImportActivities:
    return ImportActivities(
        database_url=settings.sqlalchemy_url,
        store=object_store(settings),
        catalog_dir=settings.catalog_dir,
    )


def activity_functions(acts: VisitActivities) -> list[Callable[..., Any]]:
    return [
        acts.pin_catalog,
        acts.issue_ticket,
        acts.lookup_residents,
        acts.search_residents,
        acts.propose_procedures,
        acts.fill_forms,
        acts.print_forms,
        acts.send_to_printer,
        acts.write_handoff,
    ]


def import_functions(acts: ImportActivities) -> list[Callable[..., Any]]:
    return [acts.inspect_inbound, acts.apply_inbound, acts.finish_import]


def handoff_functions(settings: Settings, client: Client | None) -> list[Callable[..., Any]]:
    acts = HandoffActivities(
        database_url=settings.sqlalchemy_url,
        store=object_store(settings),
        client=client,
        task_queue=settings.task_queue,
    )
    return [
        acts.list_handoff_work,
        acts.reserve_batch,
        acts.write_batch_file,
        acts.publish_batch,
        acts.deliver_reports,
    ]


def lister(settings: Settings) -> InboundLister:
    return InboundLister(database_url=settings.sqlalchemy_url, store=object_store(settings))


def compile_workflow_modules() -> bool:
    """Write the workflow modules' bytecode, whatever PYTHONDONTWRITEBYTECODE says.

    The sandbox imports them afresh for every workflow run it starts (each new visit,
    each handoff batch, each visit evicted from the cache and replayed). Without bytecode on
    disk each import compiles the source again: about 5 % of the worker's CPU in the
    March-peak run, on machines and container images that set PYTHONDONTWRITEBYTECODE
    (these do). A stale or unwritable cache only brings that cost back."""
    return compileall.compile_dir(
        Path(workflows.__file__).parent, maxlevels=0, quiet=2, force=False
    )


def build_worker(
    client: Client,
    settings: Settings,
    executor: ThreadPoolExecutor,
    activities: Sequence[Callable[..., Any]] | None = None,
) -> Worker:
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[CounterVisit, ResidentImport, InboundPoller, HandoffBatch],
        activities=[
            *(activities or activity_functions(visit_activities(settings))),
            *import_functions(import_activities(settings)),
            *handoff_functions(settings, client),
            lister(settings).list_new_manifests,
        ],
        activity_executor=executor,
        max_concurrent_activities=16,
        workflow_runner=workflow_runner(settings.workflow_sandbox),
    )


def workflow_runner(sandboxed: bool) -> WorkflowRunner:
    """The sandbox by default, lean on the SDK's per-payload context questions
    (madoguchi/workflow_sandbox.py). Without it (MADO_WORKFLOW_SANDBOX=false) the worker
    also skips building a sandbox for each new visit, about a tenth of its CPU under
    load. What the sandbox guards against — a workflow calling the clock, random or I/O —
    is still caught before release: every workflow test and the replay corpus run
    sandboxed."""
    if not sandboxed:
        return UnsandboxedWorkflowRunner()
    # The tracing interceptor runs inside workflows: share the one OpenTelemetry (its
    # context and tracer provider) instead of re-importing it per workflow run.
    return LeanSandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules("opentelemetry")
    )


async def run_worker(settings: Settings) -> None:
    engine_for(settings.sqlalchemy_url)  # create tables before the first activity needs them
    if not compile_workflow_modules():
        log.warning("workflow bytecode not written: each workflow run compiles its modules")
    client = await connect(
        settings.temporal_address,
        settings.temporal_namespace,
        payload_key(settings),
        runtime=worker_runtime(settings),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await ensure_inbound_poller(client, settings.task_queue, settings.import_poll_seconds)
    await ensure_handoff_schedule(
        client, settings.task_queue, settings.handoff_interval_seconds, settings.handoff_batch_limit
    )
    with ThreadPoolExecutor(max_workers=16) as executor:
        worker = build_worker(client, settings, executor)
        log.info("worker started", task_queue=settings.task_queue)
        async with worker:
            await stop.wait()
        log.info("worker stopped")


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    provider = configure_tracing(settings, "worker")
    asyncio.run(run_worker(settings))
    # The interpreter's own teardown can abort on the SDK's threads (see process_exit): hand
    # the last spans over and close the pool here, then leave without it.
    if provider is not None:
        provider.shutdown()
    render_pool.close_shared()
    dispose(settings.sqlalchemy_url)
    exit_skipping_teardown(0)


if __name__ == "__main__":
    main()
