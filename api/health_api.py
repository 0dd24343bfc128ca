"""Liveness and readiness for the orchestrator, the staff screens' banner, and the page a
step gets when something it needs cannot be reached."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.exc import OperationalError

from adapters.health import BANNER_EN, BANNER_JA, DATABASE, HealthMonitor, ServiceDown
from api.auth import public
from api.errors import error_body
from api.ui_pages import page
from madoguchi.logging import get_logger

log = get_logger(__name__)
router = APIRouter(tags=["ops"], dependencies=[Depends(public)])


def _monitor(request: Request) -> HealthMonitor:
    monitor: HealthMonitor = request.app.state.health
    return monitor


@router.get("/health/live")
async def live() -> dict[str, str]:
    """The process answers. Restart it when this fails; nothing else is checked here."""
    return {"status": "alive"}


@router.get(
    "/health/ready",
    responses={503: {"description": "a dependency is unreachable; the checks say which"}},
)
async def ready(request: Request) -> JSONResponse:
    """The database, the object store and the Temporal server each answer within 2 s.
    Send staff elsewhere (or show the banner) while this is 503."""
    checks = await _monitor(request).all()
    ok = all(c.ok for c in checks)
    return JSONResponse(
        status_code=200 if ok else 503,
        content={
            "status": "ready" if ok else "unavailable",
            "checks": {c.component: {"ok": c.ok, "detail": c.detail, "ms": c.ms} for c in checks},
        },
    )


def _banner_context(down: list[str]) -> dict[str, Any]:
    return {"down": down, "banner_ja": BANNER_JA, "banner_en": BANNER_EN}


@router.get("/ui/health-banner", response_class=HTMLResponse, include_in_schema=False)
async def banner(request: Request) -> HTMLResponse:
    """Always 200 (htmx swaps nothing else): empty, or what cannot be reached."""
    down = [c.component for c in await _monitor(request).all() if not c.ok]
    return page(request, "health_banner.html", _banner_context(down))


async def service_down(request: Request, exc: Exception) -> Response:
    """A step that needs what is unreachable: refused before anything was sent, so
    nothing is half-applied; the staff screen says so and keeps what was typed."""
    if isinstance(exc, OperationalError):
        log.warning("database unreachable", error_type=type(exc.orig).__name__)
        exc = ServiceDown(DATABASE)
    assert isinstance(exc, ServiceDown)
    _monitor(request).saw_down(exc.component)
    code = {"temporal": "TemporalUnavailable", "database": "DatabaseUnavailable"}.get(
        exc.component, "ServiceUnavailable"
    )
    if request.url.path.startswith("/api/"):
        return JSONResponse(
            status_code=503, headers={"Retry-After": "10"}, content=error_body(code, exc.message)
        )
    # The screen the clerk came from: after recovery they go back to it and find their
    # typing there (the step's draft is kept in the tab until the step moves on).
    came_from = urlsplit(request.headers.get("referer", "")).path or "/"
    back = request.url.path if request.method == "GET" else came_from
    context = {**_banner_context([exc.component]), "message": exc.message, "back": back}
    response = page(request, "service_down.html", context, status_code=503)
    if request.method == "POST":
        response.headers["HX-Push-Url"] = back  # drawn into the page: a reload goes back
    return response
