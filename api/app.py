"""The FastAPI application: staff and RPA APIs, the staff screens, OpenAPI docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from starlette.responses import Response
from temporalio.client import Client

from adapters.catalog_files import load_catalog
from adapters.db import engine_for
from adapters.health import HealthMonitor, ServiceDown
from adapters.temporal_client import VisitGateway, connect
from api import (
    admin,
    admin_pages,
    audit_api,
    bpr_api,
    bpr_pages,
    counter_pages,
    errors,
    forms_api,
    forms_pages,
    handoff_api,
    health_api,
    imports_api,
    login,
    observability,
    oidc_login,
    residents_api,
    rpa,
    staff,
    supervisor_api,
    supervisor_pages,
    tablet_pages,
    ui_pages,
)
from api.auth import public
from madoguchi.crypto import payload_key
from madoguchi.settings import REPO_ROOT, Settings, get_settings
from madoguchi.storage import object_store


class CachedStatic(StaticFiles):
    """Scripts and styles for five minutes without asking again: every step of a visit is a
    new page, and revalidating six files each time cost the browser more than the step."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=300"
        return response


def create_app(settings: Settings | None = None, client: Client | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine_for(settings.sqlalchemy_url)
        temporal = client or await connect(
            settings.temporal_address, settings.temporal_namespace, payload_key(settings)
        )
        app.state.settings = settings
        app.state.catalog = load_catalog(settings.catalog_dir)
        app.state.store = object_store(settings)
        app.state.health = HealthMonitor(
            temporal, settings.sqlalchemy_url, app.state.store, settings.health_cache_seconds
        )
        app.state.gateway = VisitGateway(
            temporal,
            settings.task_queue,
            rpa_timeout_seconds=settings.rpa_timeout_minutes * 60,
            heartbeat_seconds=settings.activity_heartbeat_seconds,
            answer_within_seconds=settings.answer_within_seconds,
            health=app.state.health,
            database_url=settings.sqlalchemy_url,
        )
        yield

    app = FastAPI(
        title="madoguchi 書かない窓口",
        version="0.1.0",
        description="Counter visits as durable workflows. Errors are JSON: "
        '`{"error": {"code", "message", "problems": [{"field", "message"}]}}`.',
        lifespan=lifespan,
        max_body_size=settings.max_request_bytes,
        # Our middleware (api/observability) makes each request's span, parented to its
        # visit; FastAPI's own spans would make a second, orphaned one per request, and its
        # log records carry exception text (personal data) — both off.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    errors.install(app)
    app.add_exception_handler(ServiceDown, health_api.service_down)
    app.add_exception_handler(OperationalError, health_api.service_down)
    app.add_middleware(observability.ObserveRequests)
    app.include_router(health_api.router)
    app.include_router(observability.router)
    app.include_router(login.router)
    app.include_router(oidc_login.router)
    app.include_router(staff.router)
    app.include_router(rpa.router)
    app.include_router(handoff_api.router)
    app.include_router(supervisor_api.router)
    app.include_router(bpr_api.router)
    app.include_router(audit_api.router)
    app.include_router(admin.router)
    app.include_router(forms_api.router)
    app.include_router(imports_api.router)
    app.include_router(residents_api.router)
    app.include_router(admin_pages.router)
    app.include_router(forms_pages.router)
    app.include_router(counter_pages.router)
    app.include_router(supervisor_pages.router)
    app.include_router(bpr_pages.router)
    app.include_router(tablet_pages.router)
    app.include_router(ui_pages.router)
    app.mount("/static", CachedStatic(directory=REPO_ROOT / "ui" / "static"), name="static")

    @app.get("/healthz", tags=["ops"], dependencies=[Depends(public)])
    async def healthz() -> dict[str, str]:
        """The same as /health/live (kept for older probes)."""
        return {"status": "ok"}

    return app
