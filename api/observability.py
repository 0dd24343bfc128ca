"""Each request seen three ways: one log line, one span, one latency sample — and the
Prometheus endpoint that serves the samples with the counter's own gauges.

A request about a visit (its id in the path) becomes a child of that visit's root span,
so the visit's whole story is one trace; any other request continues the caller's trace
(W3C ``traceparent``) or starts one.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from typing import Any

import structlog
from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from opentelemetry import trace
from opentelemetry.propagate import extract
from opentelemetry.trace import Span, SpanKind, StatusCode
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlmodel import select
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters import metrics, outbox
from adapters.db import session_scope
from adapters.health import ServiceDown
from adapters.tables import ImportRow
from adapters.visit_trace import TRACER, visit_context
from api.auth import public
from api.deps import settings as settings_of
from madoguchi import supervision
from madoguchi.logging import get_logger

log = get_logger("madoguchi.http")
_VISIT_IN_PATH = re.compile(r"/visits/([0-9a-f]{32})(?:/|$)")

router = APIRouter(tags=["ops"])


class ObserveRequests:
    """Pure ASGI rather than ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware
    runs every request in a task group of its own and copies the response body through a
    stream; this only wraps ``send``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        structlog.contextvars.clear_contextvars()
        method, path = scope["method"], scope["path"]
        parent = None
        if m := _VISIT_IN_PATH.search(path):
            structlog.contextvars.bind_contextvars(
                visit_id=m.group(1), workflow_id=f"visit-{m.group(1)}"
            )
            parent = visit_context(m.group(1))
        if parent is None:
            parent = extract(Headers(scope=scope))
        tracer = trace.get_tracer(TRACER)
        with tracer.start_as_current_span(
            f"{method} {path}", context=parent, kind=SpanKind.SERVER
        ) as span:
            start = time.perf_counter()
            answered: list[tuple[int, float]] = []

            async def timed(message: Message) -> None:
                if message["type"] == "http.response.start":
                    # Timed to the response's start, as the browser's devtools show it.
                    seconds = time.perf_counter() - start
                    answered.append((message["status"], seconds))
                    MutableHeaders(scope=message).append(
                        "Server-Timing", f"app;dur={round(seconds * 1000, 1)}"
                    )
                await send(message)

            await self.app(scope, receive, timed)
            if answered:
                _observed(span, method, path, _route(scope), *answered[0])


def _route(scope: Scope) -> str:
    """The route template (``/api/visits/{visit_id}/call``), never the raw path: ids in
    metric labels would grow without bound."""
    return str(getattr(scope.get("route"), "path", "unmatched"))


def _observed(span: Span, method: str, path: str, route: str, status: int, seconds: float) -> None:
    span.update_name(f"{method} {route}")
    span.set_attribute("http.request.method", method)
    span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(StatusCode.ERROR)
    metrics.HTTP_SECONDS.labels(method, route, str(status)).observe(seconds)
    log.info(
        "request", method=method, path=path, status=status, duration_ms=round(seconds * 1000, 1)
    )


_GAUGES_EVERY = 15.0  # seconds: the dashboard's own refresh; visibility queries cost


def _database_gauges(url: str) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    with session_scope(url) as session:
        records = {k: float(v) for k, v in outbox.counts(session).items()}
        imports: dict[str, float] = {}
        rows = {"total": 0.0, "applied": 0.0, "quarantined": 0.0}
        for imp in session.exec(select(ImportRow)).all():
            imports[imp.status] = imports.get(imp.status, 0.0) + 1
            if imp.status == "running":
                rows["total"] += imp.rows
                rows["applied"] += imp.applied
                rows["quarantined"] += imp.quarantined
    return records, imports, rows


async def _refresh_gauges(request: Request) -> None:
    state: Any = request.app.state
    now = time.monotonic()
    if now - getattr(state, "gauges_at", -_GAUGES_EVERY) < _GAUGES_EVERY:
        return
    state.gauges_at = now
    s = settings_of(request)
    try:
        board = await supervision.dashboard(s, state.gateway, None)
    except ServiceDown:
        pass  # the visit gauges keep their last values; readiness says Temporal is down
    else:
        by_step = {k: float(v) for k, v in board.counts.by_step.items()}
        metrics.set_all(metrics.OPEN_VISITS, by_step)
        metrics.set_all(metrics.STALLED_VISITS, dict(Counter(st.kind for st in board.stalled)))
    records, imports, rows = await run_in_threadpool(_database_gauges, s.sqlalchemy_url)
    metrics.set_all(metrics.HANDOFF_RECORDS, records)
    metrics.set_all(metrics.IMPORT_FILES, imports)
    metrics.set_all(metrics.IMPORT_ROWS, rows)


@router.get("/metrics", response_class=Response, dependencies=[Depends(public)])
async def prometheus_metrics(request: Request) -> Response:
    """Prometheus text format: HTTP latency per route, steps (rate = steps per minute),
    open and stalled visits, handoff records and imports by status. Counts only — no ids,
    no personal data. The worker serves the Temporal SDK's metrics on its own address
    (``MADO_WORKER_METRICS_ADDRESS``)."""
    if not settings_of(request).metrics:
        return Response(status_code=404)
    await _refresh_gauges(request)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
