"""Every HTTP access to a visit (whose answers carry personal data) leaves an audit entry.

Until staff login exists (security issue) the actor is the client address; that issue
replaces it with the user, role and terminal.
"""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from adapters import audit
from adapters.db import session_scope
from api.deps import settings as get_settings


def _write(database_url: str, actor: str, action: str, visit_id: str, detail: str) -> None:
    with session_scope(database_url) as session:
        audit.record(session, actor=actor, action=action, visit_id=visit_id, detail=detail)


async def audit_visit_access(request: Request) -> None:
    visit_id = request.path_params.get("visit_id", "")
    if not visit_id:
        return
    route = request.scope.get("route")
    action = f"visit.{getattr(route, 'name', 'access')}"
    host = request.client.host if request.client else "unknown"
    await run_in_threadpool(
        _write,
        get_settings(request).sqlalchemy_url,
        f"anonymous@{host}",
        action,
        visit_id,
        f"{request.method} {request.url.path}"[:500],
    )
