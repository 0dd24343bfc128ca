"""Runs the API with uvicorn, logging through our structlog pipeline (JSON, redacted)."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from api.app import create_app
from madoguchi.logging import configure_logging
from madoguchi.settings import Settings, get_settings
from madoguchi.telemetry import configure_tracing


def serve(app: FastAPI, settings: Settings) -> None:
    uvicorn.run(
        app,
        host=settings.api_host,
        port=settings.api_port,
        # None keeps uvicorn from replacing our handlers with its own format.
        log_config=None,
        access_log=False,
        # A clerk's screen is idle for minutes between steps; uvicorn's 5 s default closes
        # its connection each time, and a request can meet the close (seen under load).
        timeout_keep_alive=65,
    )


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    configure_tracing(settings, "api")
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
