"""Log context for activities: every line carries the visit and workflow ids."""

from __future__ import annotations

import structlog
from temporalio import activity


def bind_activity_log_context() -> None:
    info = activity.info()
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(
        workflow_id=info.workflow_id or "",
        visit_id=(info.workflow_id or "").removeprefix("visit-"),
        activity_type=info.activity_type,
        attempt=info.attempt,
    )
