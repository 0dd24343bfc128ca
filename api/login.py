"""Logging in and out: the staff login screen (password or IC card + PIN) and the JSON API
that API clients such as the RPA terminal use to get a bearer token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from pydantic.dataclasses import dataclass as pydantic_dataclass
from starlette.concurrency import run_in_threadpool

from api.auth import (
    SESSION_COOKIE,
    LoginFailed,
    authenticated,
    current_principal,
    public,
    terminal_of,
)
from api.deps import settings as get_settings
from api.ui_pages import page
from domain.security import Principal
from madoguchi import accounts
from madoguchi.settings import Settings

router = APIRouter()
Public = Depends(public)
Me = Annotated[Principal, Depends(authenticated)]


def _safe_next(target: str) -> str:
    # Only paths on this site: an open redirect would hand a phishing page our login.
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _set_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        max_age=int(settings.session_absolute_hours * 3600),
        path="/",
    )


async def _cookie_login(request: Request, login: accounts.Login, next_url: str) -> Response:
    old = request.cookies.get(SESSION_COOKIE)
    if old:  # a fresh session replaces any earlier one on this browser
        principal = await current_principal(request)
        if principal is not None:
            await run_in_threadpool(accounts.logout, get_settings(request), old, principal)
    response = RedirectResponse(_safe_next(next_url), status_code=303)
    _set_cookie(response, get_settings(request), login.token)
    return response


def _login_page(
    request: Request, next_url: str, error: str = "", status: int = 200
) -> HTMLResponse:
    oidc_on = bool(get_settings(request).oidc_issuer)
    context = {"next": _safe_next(next_url), "error": error, "oidc": oidc_on}
    return page(request, "login.html", context, status)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False, dependencies=[Public])
async def login_screen(request: Request, next: str = "/") -> HTMLResponse:
    return _login_page(request, next)


async def _form_login(
    request: Request,
    login_with: Callable[..., accounts.Login],
    fields: tuple[tuple[str, int], tuple[str, int]],
) -> Response:
    """Both login forms: two fields (each cut to its length) and where to go next."""
    form = await request.form()
    first, second = (str(form.get(name, ""))[:limit] for name, limit in fields)
    next_url = str(form.get("next", "/"))
    try:
        login = await run_in_threadpool(
            login_with, get_settings(request), first, second,
            kind="cookie", terminal=terminal_of(request),
        )  # fmt: skip
    except accounts.LoginRefused as e:
        return _login_page(request, next_url, str(e), 401)
    return await _cookie_login(request, login, next_url)


@router.post("/login", include_in_schema=False, dependencies=[Public])
async def login_form(request: Request) -> Response:
    return await _form_login(
        request, accounts.login_with_password, (("staff_id", 40), ("password", 200))
    )


@router.post("/login/card", include_in_schema=False, dependencies=[Public])
async def login_card_form(request: Request) -> Response:
    """The counter PC's card middleware fills in the card's ID; the clerk types the PIN."""
    return await _form_login(request, accounts.login_with_card, (("card_id", 64), ("pin", 32)))


@router.post("/logout", include_in_schema=False)
async def logout_form(request: Request, p: Me) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    await run_in_threadpool(accounts.logout, get_settings(request), token, p)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@pydantic_dataclass
class PasswordLogin:
    staff_id: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=200)


@pydantic_dataclass
class CardLogin:
    card_id: str = Field(min_length=4, max_length=64, pattern=r"^[0-9A-Fa-f]+$")
    pin: str = Field(min_length=4, max_length=8, pattern=r"^[0-9]+$")


@dataclass
class TokenAnswer:
    token: str
    token_type: str
    staff_id: str
    roles: list[str]
    expires_in_seconds: int


def _answer(login: accounts.Login, settings: Settings) -> TokenAnswer:
    return TokenAnswer(
        token=login.token,
        token_type="bearer",  # noqa: S106 (the OAuth token type, not a secret)
        staff_id=login.principal.staff_id,
        roles=list(login.principal.roles),
        expires_in_seconds=int(settings.session_absolute_hours * 3600),
    )


async def _bearer_login(
    request: Request, login_with: Callable[..., accounts.Login], first: str, second: str
) -> TokenAnswer:
    """Both API logins: a bearer token, or 401 with the same message for any refusal."""
    settings = get_settings(request)
    try:
        login = await run_in_threadpool(
            login_with, settings, first, second, kind="bearer", terminal=terminal_of(request)
        )
    except accounts.LoginRefused as e:
        raise LoginFailed(str(e)) from None
    return _answer(login, settings)


@router.post("/api/auth/login", response_model=TokenAnswer, tags=["auth"], dependencies=[Public])
async def api_login(request: Request, body: PasswordLogin) -> TokenAnswer:
    """A bearer token for an API client (e.g. the RPA terminal). 401 if refused."""
    return await _bearer_login(request, accounts.login_with_password, body.staff_id, body.password)


@router.post(
    "/api/auth/card-login", response_model=TokenAnswer, tags=["auth"], dependencies=[Public]
)
async def api_card_login(request: Request, body: CardLogin) -> TokenAnswer:
    """A bearer token from an IC card's ID and its PIN (card middleware integrations)."""
    return await _bearer_login(request, accounts.login_with_card, body.card_id, body.pin)


@dataclass
class MeAnswer:
    staff_id: str
    display_name: str
    roles: list[str]
    permissions: list[str]
    department: str
    counter_group: str
    scope: str


@router.get("/api/auth/me", response_model=MeAnswer, tags=["auth"])
async def me(p: Me) -> MeAnswer:
    return MeAnswer(
        p.staff_id, p.display_name, list(p.roles), sorted(p.permissions), p.department,
        p.counter_group, p.scope.value,
    )  # fmt: skip


@router.post("/api/auth/logout", status_code=204, tags=["auth"])
async def api_logout(request: Request, p: Me) -> Response:
    await run_in_threadpool(accounts.logout, get_settings(request), p.session_id, p)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@dataclass
class LoggedOut:
    sessions_ended: int


@router.post("/api/auth/logout-everywhere", response_model=LoggedOut, tags=["auth"])
async def api_logout_everywhere(request: Request, p: Me) -> LoggedOut:
    """End every session of the caller, on every terminal (a lost card, a shared PC)."""
    ended = await run_in_threadpool(accounts.logout_everywhere, get_settings(request), p)
    return LoggedOut(ended)
