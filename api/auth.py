"""Authentication and authorization for every route.

Each route declares exactly one of: ``require(permission)``, ``authenticated`` or ``public``
(a test fails for a route with none). Browsers authenticate with the session cookie and
must echo the session's CSRF token on every state-changing request (header
``X-CSRF-Token`` or form field ``csrf_token``); API clients (the RPA terminal) send
``Authorization: Bearer <token>`` instead, which browsers never attach by themselves.
Every authorized request that touches a visit leaves an audit entry.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import AsyncIterator, Callable

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from adapters import audit
from adapters.db import session_scope
from domain.security import Permission, Principal
from madoguchi import accounts
from madoguchi.settings import Settings

SESSION_COOKIE = "mado_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
TERMINAL_HEADER = "X-Terminal-Id"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_TERMINAL = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")


class NotAuthenticated(Exception):
    pass


class Forbidden(Exception):
    pass


class LoginFailed(Forbidden):
    """Refused credentials: 401, with the same message whether the user exists or not."""


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def terminal_of(request: Request) -> str:
    """The counter PC's id from its device agent, else the client address."""
    claimed = request.headers.get(TERMINAL_HEADER, "")
    host = request.client.host if request.client else "unknown"
    return f"{claimed}@{host}" if _TERMINAL.match(claimed) else host


def _token(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip(), "bearer"
    cookie = request.cookies.get(SESSION_COOKIE)
    return (cookie, "cookie") if cookie else None


async def current_principal(request: Request) -> Principal | None:
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    found = _token(request)
    resolved = None
    if found is not None and len(found[0]) <= 200:
        token, via = found
        resolved = await run_in_threadpool(
            accounts.principal_for_token, _settings(request), token, terminal=terminal_of(request)
        )
        # A bearer token must not be replayed as a cookie or the reverse.
        if resolved is not None and resolved[0].via != via:
            resolved = None
    request.state.principal = resolved[0] if resolved else None
    request.state.csrf_token = resolved[1] if resolved else ""
    return request.state.principal  # type: ignore[no-any-return]


async def _check_csrf(request: Request, principal: Principal) -> None:
    if principal.via != "cookie" or request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD, "")
        sent = value if isinstance(value, str) else ""
    if not sent or not hmac.compare_digest(sent, request.state.csrf_token):
        raise Forbidden("CSRFトークンがありません・一致しません / missing or wrong CSRF token")


def _audit(request: Request, principal: Principal | None, action: str, result: str) -> None:
    visit_id = str(request.path_params.get("visit_id", ""))
    with session_scope(_settings(request).sqlalchemy_url) as session:
        audit.record(
            session,
            actor=principal.staff_id if principal else "anonymous",
            role=",".join(principal.roles) if principal else "",
            terminal=terminal_of(request),
            action=action,
            visit_id=visit_id,
            result=result,
            detail=f"{request.method} {request.url.path}"[:500],
        )


def _route_action(request: Request) -> str:
    route = request.scope.get("route")
    return f"http.{getattr(route, 'name', 'unknown')}"


Dependency = Callable[[Request], AsyncIterator[Principal]]


def require(permission: Permission) -> Dependency:
    async def dependency(request: Request) -> AsyncIterator[Principal]:
        principal = await current_principal(request)
        if principal is None:
            raise NotAuthenticated()
        if not principal.can(permission):
            await run_in_threadpool(_audit, request, principal, _route_action(request), "forbidden")
            raise Forbidden(f"権限がありません（{permission}） / missing permission {permission}")
        await _check_csrf(request, principal)
        if "visit_id" not in request.path_params:
            yield principal
            return
        # Written after the route ran, so the entry says what came of it (e.g. VisitNotFound
        # for a visit outside the caller's scope).
        result = "ok"
        try:
            yield principal
        except Exception as e:
            result = type(e).__name__
            raise
        finally:
            await run_in_threadpool(_audit, request, principal, _route_action(request), result)

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency


async def authenticated(request: Request) -> Principal:
    """Any logged-in user (their own session, their own profile)."""
    principal = await current_principal(request)
    if principal is None:
        raise NotAuthenticated()
    await _check_csrf(request, principal)
    return principal


async def public(request: Request) -> None:
    """Reachable without login: the login screens and the health check."""


authenticated.access = "authenticated"  # type: ignore[attr-defined]
public.access = "public"  # type: ignore[attr-defined]
