"""The yardstick for the price of durability: our API as it runs, with one extra route that
does what a plain CRUD system would do for the 住民を選択 click — the same login check, CSRF
check and audit entry as the real step (the same `require` dependency), then one INSERT +
COMMIT of the step on the application database — and no Temporal.

Run by bench.durability as its own uvicorn process beside the embedded stack, with the
stack's settings and database; never part of the product's API.
"""

from __future__ import annotations

import json
import uuid

from fastapi import APIRouter, FastAPI
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client

from adapters.db import engine_for
from api.app import create_app
from api.staff import Stepper, VisitId
from domain.visit import ChooseResidentInput
from madoguchi.api_server import serve
from madoguchi.logging import configure_logging
from madoguchi.settings import Settings, get_settings
from madoguchi.telemetry import configure_tracing

PATH = "/api/bench/plain-step/{visit_id}"
CREATE = (
    "CREATE TABLE IF NOT EXISTS bench_step_writes (id VARCHAR(32) PRIMARY KEY, "
    "visit_id VARCHAR(32), step VARCHAR(40), staff VARCHAR(40), payload TEXT, at TIMESTAMP)"
)
INSERT = (
    "INSERT INTO bench_step_writes (id, visit_id, step, staff, payload, at) "
    "VALUES (:id, :visit_id, 'choose_resident', :staff, :payload, CURRENT_TIMESTAMP)"
)


def write_step(url: str, visit_id: str, staff: str, body: dict[str, str]) -> str:
    """The step as one row: the write both the bare timing and the plain endpoint make."""
    row_id = uuid.uuid4().hex
    with engine_for(url).begin() as conn:
        conn.execute(
            text(INSERT),
            {"id": row_id, "visit_id": visit_id, "staff": staff, "payload": json.dumps(body)},
        )
    return row_id


def plain_app(settings: Settings, client: Client | None = None) -> FastAPI:
    app = create_app(settings, client)
    router = APIRouter()

    @router.post(PATH)
    async def plain_step(
        visit_id: VisitId, body: ChooseResidentInput, p: Stepper
    ) -> dict[str, str]:
        row_id = await run_in_threadpool(
            write_step, settings.sqlalchemy_url, visit_id, p.staff_id, {"atena_no": body.atena_no}
        )
        return {"id": row_id, "visit_id": visit_id, "atena_no": body.atena_no}

    app.include_router(router)
    return app


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    configure_tracing(settings, "plain")
    with engine_for(settings.sqlalchemy_url).begin() as conn:
        conn.execute(text(CREATE))
    serve(plain_app(settings), settings)


if __name__ == "__main__":
    main()
