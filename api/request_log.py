"""One log line per request, and the visit id on every line logged while serving it."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable

import structlog
from fastapi import Request, Response

from madoguchi.logging import get_logger

log = get_logger("madoguchi.http")
_VISIT_IN_PATH = re.compile(r"/visits/([0-9a-f]{32})(?:/|$)")


async def log_requests(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    structlog.contextvars.clear_contextvars()
    if m := _VISIT_IN_PATH.search(request.url.path):
        structlog.contextvars.bind_contextvars(
            visit_id=m.group(1), workflow_id=f"visit-{m.group(1)}"
        )
    start = time.perf_counter()
    response = await call_next(request)
    duration_ms = round((time.perf_counter() - start) * 1000, 1)
    # The server's share of each screen, for the browser's devtools and bench.screens.
    response.headers["Server-Timing"] = f"app;dur={duration_ms}"
    log.info(
        "request",
        method=request.method,
        path=request.url.path,
        status=response.status_code,
        duration_ms=duration_ms,
    )
    return response
