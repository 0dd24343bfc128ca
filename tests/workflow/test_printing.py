"""Printing over IPP to a real CUPS queue (cups-pdf), once per visit even when retried, and a
failing printer that flags the visit instead of stopping it."""

from __future__ import annotations

import io
import subprocess
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from adapters.ipp_printer import PrinterError, find_job, print_pdf
from adapters.temporal_client import VisitGateway
from domain.steps import Action, Step
from domain.visit import ReprintInput
from madoguchi.settings import REPO_ROOT, Settings
from madoguchi.worker import build_worker
from tests import factories
from tests.workflow.test_counter_visit import walk_to_confirm

QUEUE = "ipp://127.0.0.1:631/printers/MadoPDF"
DEAD = "ipp://127.0.0.1:9/printers/nowhere"  # nothing listens on the discard port


@pytest.fixture(scope="module")
def cups() -> str:
    subprocess.run(["bash", str(REPO_ROOT / "scripts/ensure-cups.sh")], check=True)
    return QUEUE


def _pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawString(100, 700, "madoguchi print test")
    c.showPage()
    c.save()
    return buf.getvalue()


def test_a_job_is_sent_once_per_name_even_if_sent_again(cups: str) -> None:
    name = f"test-{uuid.uuid4().hex}"
    job = print_pdf(cups, name, _pdf())
    assert print_pdf(cups, name, _pdf()) == job  # a retried activity finds its job
    assert find_job(cups, name) == job
    assert print_pdf(cups, name + "-1", _pdf()) != job  # a re-print is a new job
    with pytest.raises(PrinterError, match="unreachable"):
        print_pdf(DEAD, name, _pdf())


async def _worker_with(client: Client, settings: Settings) -> AsyncIterator[Worker]:
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with build_worker(client, settings, executor) as w:
            yield w


async def test_signed_forms_print_at_the_counters_printer(
    cups: str, client: Client, settings: Settings
) -> None:
    s = settings.model_copy(
        update={"printer_uri": DEAD, "counter_printers": {factories.CALL.counter: cups}}
    )
    gw = VisitGateway(client, s.task_queue, rpa_timeout_seconds=3600, heartbeat_seconds=10)
    async for _w in _worker_with(client, s):
        vid = await gw.start(**factories.HOME)
        await walk_to_confirm(gw, s, vid)
        state = await factories.sign(gw, vid, factories.CONFIRM)
        assert state.step == Step.AWAIT_RPA and not state.needs_attention
        assert len(state.print_jobs) == 1
        assert find_job(cups, f"{vid}-0") == int(state.print_jobs[0])


async def test_a_dead_printer_flags_the_visit_and_staff_can_reprint(
    cups: str, client: Client, settings: Settings
) -> None:
    s = settings.model_copy(update={"printer_uri": DEAD})
    gw = VisitGateway(client, s.task_queue, rpa_timeout_seconds=3600, heartbeat_seconds=10)
    async for _w in _worker_with(client, s):
        vid = await gw.start(**factories.HOME)
        await walk_to_confirm(gw, s, vid)
        state = await factories.sign(gw, vid, factories.CONFIRM)
        # The data still went to the core system; a supervisor sees the printer problem.
        assert state.step == Step.AWAIT_RPA and state.records
        assert state.needs_attention and "印刷に失敗" in state.attention_reason
        assert state.print_jobs == []
    fixed = settings.model_copy(update={"printer_uri": cups})
    async for _w in _worker_with(client, fixed):
        state = await gw.act(vid, Action.REPRINT, ReprintInput("紙詰まりのため"))
        assert len(state.print_jobs) == 1 and not state.needs_attention
