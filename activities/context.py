"""Log context for activities: every line carries the visit and workflow ids."""

from __future__ import annotations

import structlog
from temporalio import activity


def bind_activity_log_context() -> None:
    info = activity.info()
    workflow_id = info.workflow_id or ""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(
        workflow_id=workflow_id, activity_type=info.activity_type, attempt=info.attempt
    )
    if workflow_id.startswith("visit-"):
        structlog.contextvars.bind_contextvars(visit_id=workflow_id.removeprefix("visit-"))
