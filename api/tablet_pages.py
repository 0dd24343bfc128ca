"""The resident's tablet: paired to one counter with a code from the staff screen, it waits
idle, shows what the counter sends (in the resident's language, large type) with a
signature pad, and forgets the resident after signing or when the request times out.

A tablet has no staff login. Its cookie (a random token, stored hashed) lets it read and
sign only the visit its counter sent it, and only until the request expires.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from adapters import audit, tablets
from adapters.catalog_files import load_translations
from adapters.db import session_scope
from adapters.tables import TabletRow
from adapters.temporal_client import VisitRejected
from api.auth import public
from api.deps import Gateway
from api.deps import settings as get_settings
from api.ui_pages import templates
from domain.i18n import Translations
from domain.steps import Action, Step
from domain.visit import ConfirmInput, Signature, VisitState

router = APIRouter(prefix="/tablet", include_in_schema=False)
COOKIE = "mado_tablet"


@dataclass
class Device:
    counter: str
    token: str

    @property
    def csrf(self) -> str:
        return hmac.new(self.token.encode(), b"tablet-form", hashlib.sha256).hexdigest()


async def paired_tablet(request: Request) -> Device | None:
    """The tablet this browser is, or None (it then shows the pairing screen)."""
    token = request.cookies.get(COOKIE, "")
    if not token:
        return None

    def lookup() -> TabletRow | None:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            return tablets.tablet(session, token)

    row = await run_in_threadpool(lookup)
    return Device(row.counter, token) if row else None


# The route-rules test reads this: tablet routes are guarded by the tablet's own cookie.
paired_tablet.access = "tablet"  # type: ignore[attr-defined]
Tablet = Annotated[Device | None, Depends(paired_tablet)]
Public = Depends(public)


def content_digest(state: VisitState) -> str:
    """What the resident was shown; a signature counts only for exactly that."""
    shown = [(f.form_code, f.version, [(x.key, x.value) for x in f.fields]) for f in state.forms]
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()


def _translations(request: Request) -> Translations:
    return load_translations(get_settings(request).catalog_dir)  # read once, cached


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    t = _translations(request)
    lang = t.lang(str(context.get("lang", "ja")))
    return templates.TemplateResponse(
        request, name, {"t": t, "lang": lang, **context}, status_code=status
    )


async def _showing(request: Request, gw: Gateway, device: Device) -> tuple[VisitState, str] | None:
    """The visit the counter sent, while it is still waiting for a signature."""

    def current() -> tuple[str, str] | None:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            row = tablets.current(session, device.counter)
            return (row.visit_id, row.language) if row else None

    sent = await run_in_threadpool(current)
    if sent is None:
        return None
    state = await gw.state(sent[0])
    return (state, sent[1]) if state.step == Step.CONFIRM else None


@router.get("", response_class=HTMLResponse)
async def tablet_home(request: Request, device: Tablet) -> HTMLResponse:
    if device is None:
        return _page(request, "tablet_pair.html", {"error": ""})
    return _page(request, "tablet.html", {"device": device})


# Wrong pairing codes per client address: 10 in 10 minutes, then a pause. With 8 digits
# and a 10-minute code that leaves guessing hopeless.
MAX_FAILURES, WINDOW_SECONDS = 10, 600
_failures: dict[str, deque[float]] = defaultdict(deque)


def _too_many(client: str) -> bool:
    recent = _failures[client]
    while recent and recent[0] < time.monotonic() - WINDOW_SECONDS:
        recent.popleft()
    return len(recent) >= MAX_FAILURES


@router.post("/pair", dependencies=[Public])
async def pair(request: Request) -> Response:
    form = await request.form()
    code = str(form.get("code", "")).strip()
    client = request.client.host if request.client else "?"
    if _too_many(client):
        message = "接続コードの誤りが続いたため、しばらく待ってください / too many wrong codes"
        return _page(request, "tablet_pair.html", {"error": message}, 429)

    def run() -> tuple[str, str]:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            token, counter = tablets.pair(session, code)
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            audit.record(session, actor=f"tablet:{counter}", action="tablet.pair", terminal=counter)
        return token, counter

    try:
        token, _counter = await run_in_threadpool(run)
    except tablets.TabletError as e:
        _failures[client].append(time.monotonic())
        return _page(request, "tablet_pair.html", {"error": str(e)}, 422)
    response = RedirectResponse("/tablet", status_code=303)
    response.set_cookie(
        COOKIE, token, max_age=180 * 24 * 3600, httponly=True,
        secure=get_settings(request).cookie_secure, samesite="strict",
    )  # fmt: skip
    return response


@router.get("/screen", response_class=HTMLResponse)
async def screen(request: Request, gw: Gateway, device: Tablet) -> HTMLResponse:
    """Polled while idle: idle again, or the visit to confirm (which stops the polling)."""
    if device is None:
        return HTMLResponse("", status_code=401, headers={"HX-Redirect": "/tablet"})
    showing = await _showing(request, gw, device)
    if showing is None:
        return _page(request, "tablet_screen.html", {"state": None, "device": device})
    state, lang = showing
    await run_in_threadpool(_audit_show, request, device, state.visit_id)
    context = {"state": state, "device": device, "lang": lang, "digest": content_digest(state)}
    return _page(request, "tablet_screen.html", context)


def _audit_show(request: Request, device: Device, visit_id: str) -> None:
    with session_scope(get_settings(request).sqlalchemy_url) as session:
        audit.record(
            session, actor=f"tablet:{device.counter}", action="tablet.show",
            visit_id=visit_id, terminal=device.counter,
        )  # fmt: skip


@router.post("/sign", response_class=HTMLResponse)
async def sign(request: Request, gw: Gateway, device: Tablet) -> HTMLResponse:
    if device is None:
        return HTMLResponse("", status_code=401, headers={"HX-Redirect": "/tablet"})
    form = await request.form()
    if not hmac.compare_digest(str(form.get("csrf_token", "")), device.csrf):
        return HTMLResponse("CSRF", status_code=403)
    showing = await _showing(request, gw, device)
    visit_id = str(form.get("visit_id", ""))
    if showing is None or showing[0].visit_id != visit_id:
        # Timed out, taken back by staff, or signed from another tab: back to idle.
        return _page(request, "tablet_screen.html", {"state": None, "device": device})
    state, lang = showing
    if str(form.get("content", "")) != content_digest(state):
        # Staff corrected the forms after they were sent: show the new ones to sign.
        context = {
            "state": state, "device": device, "lang": lang, "error": "updated",
            "digest": content_digest(state),
        }  # fmt: skip
        return _page(request, "tablet_screen.html", context)
    try:
        strokes = json.loads(str(form.get("strokes", "[]")) or "[]")
    except json.JSONDecodeError:
        strokes = []
    codes = [f.form_code for f in state.forms]
    try:
        await gw.act(
            visit_id, Action.CONFIRM, ConfirmInput(Signature(strokes=strokes), codes),
            f"tablet-{visit_id}",
        )  # fmt: skip
    except VisitRejected:
        # 200, not 422: htmx swaps only successful answers, and the resident must see why.
        context = {
            "state": state, "device": device, "lang": lang, "error": "empty",
            "digest": content_digest(state),
        }  # fmt: skip
        return _page(request, "tablet_screen.html", context)

    def done() -> None:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            tablets.clear(session, device.counter, visit_id)
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            audit.record(
                session, actor=f"tablet:{device.counter}", action="tablet.sign",
                visit_id=visit_id, terminal=device.counter,
            )  # fmt: skip

    await run_in_threadpool(done)
    return _page(request, "tablet_thanks.html", {"device": device, "lang": lang})
