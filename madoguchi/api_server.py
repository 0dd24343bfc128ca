"""Runs the API with uvicorn, logging through our structlog pipeline (JSON, redacted)."""

from __future__ import annotations

import uvicorn

from api.app import create_app
from madoguchi.logging import configure_logging
from madoguchi.settings import get_settings
from madoguchi.telemetry import configure_tracing


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    configure_tracing(settings, "api")
    # log_config=None keeps uvicorn from replacing our handlers with its own format.
    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,
        access_log=False,
        # A clerk's screen is idle for minutes between steps; uvicorn's 5 s default closes
        # its connection each time, and a request can meet the close (seen under load).
        timeout_keep_alive=65,
    )


if __name__ == "__main__":
    main()
