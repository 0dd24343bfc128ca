"""What operations see: one visit's trace from the HTTP request through the workflow to
every activity, trace ids in the log lines, the Prometheus metrics, readiness — and what
the counter sees when the Temporal server goes away and comes back."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from adapters.span_files import read_spans
from adapters.temporal_client import connect
from adapters.temporal_server import DevServer, free_ports, wait_for_port
from adapters.visit_trace import root_span_id
from bench.stack import login, signed_visit, start_module
from madoguchi.crypto import payload_key
from madoguchi.load import residents
from madoguchi.seed import seed_demo
from madoguchi.settings import Settings
from tests.e2e.conftest import Stack, login_page, new_stack
from tests.e2e.test_counter_and_tablet import shot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = new_stack(
        tmp_path_factory.mktemp("traced"), "MADO_WORKER_METRICS_ADDRESS", "TEMPORAL_METRICS"
    )
    s.env.update(
        # The setting is a port (the dev server listens on 127.0.0.1).
        MADO_TEMPORAL_METRICS_PORT=s.env.pop("TEMPORAL_METRICS").rsplit(":", 1)[1],
        MADO_TRACES="file",
        OTEL_BSP_SCHEDULE_DELAY="100",  # spans reach the file within a moment
    )
    s.start()
    yield s
    if s.process is not None and s.process.poll() is None:
        s.stop()


def _history_activities(stack: Stack, visit_id: str) -> set[str]:
    """Every activity type the visit's workflow ran, from Temporal's own history: the
    ordinary ones as scheduled, the local ones from the SDK's marker (type in the clear,
    result encrypted)."""

    async def fetch() -> set[str]:
        settings = Settings(data_dir=stack.data_dir)
        client = await connect(stack.env["MADO_TEMPORAL_ADDRESS"], "default", payload_key(settings))
        history = await client.get_workflow_handle(f"visit-{visit_id}").fetch_history()
        scheduled = {
            e.activity_task_scheduled_event_attributes.activity_type.name
            for e in history.events
            if e.HasField("activity_task_scheduled_event_attributes")
        }
        local = {
            json.loads(e.marker_recorded_event_attributes.details["data"].payloads[0].data)[
                "activity_type"
            ]
            for e in history.events
            if e.HasField("marker_recorded_event_attributes")
            and e.marker_recorded_event_attributes.marker_name == "core_local_activity"
        }
        return scheduled | local

    return asyncio.run(fetch())


def _visit_trace(stack: Stack, visit_id: str, wanted: set[str]) -> list[dict[str, Any]]:
    traces = stack.data_dir / "traces"
    spans: list[dict[str, Any]] = []
    for _ in range(100):
        spans = [
            s
            for f in ("api", "worker")
            for s in read_spans(traces / f"{f}.jsonl")
            if s["trace_id"] == visit_id
        ]
        ids = {s["span_id"] for s in spans}
        orphans = [s for s in spans if s["parent_id"] is not None and s["parent_id"] not in ids]
        # Each process writes its spans in batches: wait until both have written theirs.
        if wanted <= {str(s["name"]) for s in spans} and not orphans:
            break
        time.sleep(0.2)
    return spans


def test_one_visit_is_one_trace_from_request_to_every_activity(traced: Stack) -> None:
    with httpx.Client(base_url=traced.url, timeout=60) as http:
        http.headers.update(login(http, "staff01"))
        person = residents(Settings(data_dir=traced.data_dir), limit=1)[0]
        visit_id = signed_visit(http, person)

    activities = _history_activities(traced, visit_id)
    assert {"pin_catalog", "fill_forms", "print_forms", "write_handoff"} <= activities
    wanted = {
        "visit",
        "POST /api/visits/{visit_id}/call",
        "POST /api/visits/{visit_id}/confirm",
        "StartWorkflow:CounterVisit",
        "RunWorkflow:CounterVisit",
        "HandleUpdate:confirm",
        *(f"RunActivity:{a}" for a in activities),
    }
    spans = _visit_trace(traced, visit_id, wanted)
    names = {str(s["name"]) for s in spans}
    assert wanted <= names, sorted(wanted - names)

    # Linked: the root is the visit's own span; every other span's parent is in the trace.
    ids = {s["span_id"] for s in spans}
    roots = [s for s in spans if s["parent_id"] is None]
    assert [r["name"] for r in roots] == ["visit"]
    assert roots[0]["span_id"] == f"{root_span_id(visit_id):016x}"
    orphans = [s["name"] for s in spans if s["parent_id"] is not None and s["parent_id"] not in ids]
    assert not orphans
    # Each activity hangs under the workflow, the workflow under the visit; each staff
    # step's request under the visit too, with the update it sent to the workflow.
    by_id = {s["span_id"]: s for s in spans}

    def ancestors(name: str) -> list[str]:
        span, chain = next(s for s in spans if s["name"] == name), []
        while span["parent_id"]:
            span = by_id[span["parent_id"]]
            chain.append(str(span["name"]))
        return chain

    assert ancestors("RunActivity:fill_forms") == [
        "StartActivity:fill_forms", "StartWorkflow:CounterVisit", "visit",
    ]  # fmt: skip
    assert ancestors("StartWorkflowUpdate:confirm") == [
        "POST /api/visits/{visit_id}/confirm", "visit",
    ]  # fmt: skip
    # temporalio's interceptor puts the workflow's side of an update under the workflow.
    assert ancestors("HandleUpdate:confirm")[-2:] == [
        "StartWorkflow:CounterVisit", "visit",
    ]  # fmt: skip
    # The root links back to the request that opened the visit (a trace of its own).
    (root,) = roots
    assert root["links"] and str(root["links"][0]).split("/")[0] != visit_id
    assert {s["service"] for s in spans} == {"api", "worker"}

    # The log lines of those requests carry the trace id (and nothing personal).
    log = (traced.data_dir / "logs" / "api.log").read_text(encoding="utf-8")
    lines = [json.loads(x) for x in log.splitlines() if x.startswith("{")]
    mine = [x for x in lines if x.get("trace_id") == visit_id]
    assert {x["path"] for x in mine if x.get("event") == "request"} >= {
        f"/api/visits/{visit_id}/confirm"
    }
    assert person[0] not in log


def test_metrics_and_readiness(traced: Stack) -> None:
    with httpx.Client(base_url=traced.url, timeout=60) as http:
        http.headers.update(login(http, "staff01"))
        people = residents(Settings(data_dir=traced.data_dir), limit=2)
        signed_visit(http, people[-1])
        text = http.get("/metrics").text
        ready = http.get("/health/ready")
        live = http.get("/health/live")
    assert 'mado_visit_steps_total{action="confirm",outcome="accepted"}' in text
    assert 'route="/api/visits/{visit_id}/confirm"' in text
    assert 'mado_open_visits{step="await_rpa"}' in text
    assert 'mado_handoff_records{status="pending"}' in text
    assert "visit_id=" not in text and people[-1][0] not in text
    assert ready.status_code == 200, ready.text
    assert ready.headers["Server-Timing"].startswith("app;dur=")  # bench.screens reads it
    assert {k: v["ok"] for k, v in ready.json()["checks"].items()} == {
        "database": True, "object_store": True, "temporal": True,
    }  # fmt: skip
    assert live.json() == {"status": "alive"}
    sdk = httpx.get(f"http://{traced.env['MADO_WORKER_METRICS_ADDRESS']}/metrics").text
    assert "temporal_workflow_task_schedule_to_start_latency" in sdk
    port = traced.env["MADO_TEMPORAL_METRICS_PORT"]
    server = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    assert "service_latency_count{" in server and 'operation="UpdateWorkflowExecution"' in server


# --- the Temporal server stops while a clerk is at the counter ---------------------------


def test_temporal_down_shows_the_banner_refuses_the_step_and_the_visit_goes_on(
    browser: Browser, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    settings = Settings(data_dir=data)
    seed_demo(settings.sqlalchemy_url, settings.catalog_dir, 20)
    temporal_port, api_port = free_ports(2)
    server = DevServer(tmp_path / "temporal.db", port=temporal_port, ui_port=None,
                       log_file=tmp_path / "temporal.log")  # fmt: skip
    server.start()
    env = {
        **os.environ,
        "MADO_DATA_DIR": str(data),
        "MADO_TEMPORAL_ADDRESS": server.address,
        "MADO_API_PORT": str(api_port),
        "MADO_TRACES": "off",
    }
    procs = [
        start_module("madoguchi.worker", env, tmp_path / "worker.log"),
        start_module("madoguchi.api_server", env, tmp_path / "api.log"),
    ]
    url = f"http://127.0.0.1:{api_port}"
    try:
        wait_for_port("127.0.0.1", api_port, 60)
        stack = Stack(data, env, url)
        clerk = login_page(browser, stack, "staff01")
        clerk.get_by_role("button", name="整理券を発行").click()
        expect(clerk.locator("#step")).to_have_attribute("data-step", "reception")
        clerk.get_by_role("button", name="呼び出す").click()
        expect(clerk.locator("#step")).to_have_attribute("data-step", "identify")
        visit_url = clerk.url
        name, birth, _ = residents(settings, limit=1)[0]
        clerk.get_by_label("氏名", exact=True).fill(name)
        clerk.get_by_label("生年月日", exact=True).fill(birth)

        server.stop()
        banner = clerk.locator("#health-banner")
        expect(banner).to_contain_text("Temporal", timeout=20_000)
        shot(clerk, "20-temporal-down-banner")
        clerk.get_by_role("button", name="読み取り・検索").click()
        expect(clerk.get_by_role("alert")).to_contain_text("手続は受け付けていません（変更なし）")
        shot(clerk, "21-temporal-down-step-refused")
        assert procs[0].poll() is None and procs[1].poll() is None  # both ride it out

        server.start()
        for _ in range(150):
            if httpx.get(url + "/health/ready").status_code == 200:
                break
            time.sleep(0.2)
        clerk.get_by_role("link", name="画面に戻る", exact=False).click()
        # Nothing was half-applied: the same step, with what the clerk had typed.
        expect(clerk.locator("#step")).to_have_attribute("data-step", "identify")
        assert clerk.url == visit_url
        expect(clerk.get_by_label("氏名", exact=True)).to_have_value(name)
        expect(banner).not_to_contain_text("Temporal", timeout=20_000)
        clerk.get_by_role("button", name="読み取り・検索").click()
        expect(clerk.locator("#step")).to_have_attribute("data-step", "lookup")
    finally:
        for p in procs:
            p.terminate()
            p.wait(30)
        server.stop()
