"""Login through the city's identity provider (OpenID Connect), when configured.

The browser is sent to the provider with state, nonce and a PKCE challenge, kept meanwhile
in a short-lived signed cookie (SameSite=Lax: the provider's redirect back is a cross-site
navigation). The provider proves who the user is; roles and scope still come from here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import lru_cache

import httpx
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from adapters import oidc
from adapters.payload_codec import load_or_create_key
from api.auth import public, terminal_of
from api.deps import settings as get_settings
from api.login import _cookie_login, _login_page, _safe_next
from madoguchi import accounts
from madoguchi.settings import Settings

router = APIRouter(include_in_schema=False, dependencies=[Depends(public)])
FLOW_COOKIE = "mado_oidc"
FLOW_SECONDS = 600


def _secret(settings: Settings) -> bytes:
    return load_or_create_key(settings.data_dir / "keys" / "cookie.key")


def _sign(settings: Settings, data: dict[str, str]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
    mac = hmac.new(_secret(settings), body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def _unsign(settings: Settings, value: str) -> dict[str, str] | None:
    body, _, mac = value.rpartition(".")
    good = hmac.new(_secret(settings), body.encode(), hashlib.sha256).hexdigest()
    if not body or not hmac.compare_digest(mac, good):
        return None
    data: dict[str, str] = json.loads(base64.urlsafe_b64decode(body))
    return data


@lru_cache(maxsize=4)
def _provider(issuer: str) -> oidc.Provider:
    with httpx.Client() as client:
        return oidc.discover(issuer, client)


def _configured(settings: Settings) -> None:
    if not (settings.oidc_issuer and settings.oidc_client_id and settings.oidc_redirect_url):
        raise HTTPException(404, "OIDC login is not configured")


@router.get("/login/oidc")
async def start(request: Request, next: str = "/") -> Response:
    settings = get_settings(request)
    _configured(settings)
    provider = await run_in_threadpool(_provider, settings.oidc_issuer)
    challenge = oidc.new_challenge()
    response = RedirectResponse(
        oidc.authorize_url(
            provider, settings.oidc_client_id, settings.oidc_redirect_url, challenge
        ),
        status_code=303,
    )
    flow = {"state": challenge.state, "nonce": challenge.nonce, "verifier": challenge.verifier,
            "next": _safe_next(next)}  # fmt: skip
    response.set_cookie(
        FLOW_COOKIE, _sign(settings, flow), max_age=FLOW_SECONDS, httponly=True,
        secure=settings.cookie_secure, samesite="lax", path="/login/oidc",
    )  # fmt: skip
    return response


@router.get("/login/oidc/callback")
async def callback(request: Request, code: str = "", state: str = "") -> Response:
    settings = get_settings(request)
    _configured(settings)
    flow = _unsign(settings, request.cookies.get(FLOW_COOKIE, ""))
    if flow is None or not state or not hmac.compare_digest(state, flow["state"]):
        return _login_page(request, "/", "ログインをやり直してください / login flow expired", 400)
    challenge = oidc.Challenge(flow["state"], flow["nonce"], flow["verifier"])

    def redeem() -> str:
        provider = _provider(settings.oidc_issuer)
        with httpx.Client() as client:
            claims = oidc.redeem(
                provider, client, code=code, client_id=settings.oidc_client_id,
                client_secret=settings.oidc_client_secret,
                redirect_uri=settings.oidc_redirect_url, c=challenge,
            )  # fmt: skip
        return str(claims.get(settings.oidc_staff_claim, ""))

    try:
        staff_id = await run_in_threadpool(redeem)
        login = await run_in_threadpool(
            accounts.login_with_oidc, settings, staff_id, terminal=terminal_of(request)
        )
    except (oidc.OidcError, accounts.LoginRefused) as e:
        return _login_page(request, flow["next"], str(e), 401)
    response = await _cookie_login(request, login, flow["next"])
    response.delete_cookie(FLOW_COOKIE, path="/login/oidc")
    return response
