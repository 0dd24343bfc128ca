"""The counter around a visit: call the next ticket, open a visit from a scanned QR code,
pair a tablet and send it the forms to sign, and notice when the visit moves on."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from adapters import audit, tablets
from adapters.db import session_scope
from adapters.temporal_client import VisitRejected
from api.auth import require
from api.deps import Gateway
from api.deps import settings as get_settings
from api.staff import VisitId
from api.ui_pages import page
from domain.security import Permission, Principal
from domain.steps import Action, Step
from domain.validation import validate_call
from domain.visit import CallInput

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.VISIT_READ))]
Stepper = Annotated[Principal, Depends(require(Permission.VISIT_STEP))]
COUNTER_COOKIE = "mado_counter"
# A guidance sheet's QR is the visit's URL; a pre-application's (channel pre_application)
# may carry just ``madoguchi:visit:<id>``.
_VISIT_URL = re.compile(r"(?:/ui/visits/|^madoguchi:visit:)([0-9a-f]{32})\b")


def counter_of(request: Request) -> str:
    return request.cookies.get(COUNTER_COOKIE, "") or "C01"


def _remember(request: Request, response: Response, counter: str) -> Response:
    """The counter this browser stands at, so the next call and pairing default to it."""
    secure = get_settings(request).cookie_secure
    response.set_cookie(COUNTER_COOKIE, counter, httponly=True, samesite="strict", secure=secure)
    return response


@router.post("/ui/queue/next")
async def call_next(request: Request, gw: Gateway, p: Stepper) -> Response:
    """次の番号を呼出: the oldest waiting ticket of this counter group, to this counter.
    Two clerks pressing at once get two different tickets."""
    form = await request.form()
    counter = str(form.get("counter", "")).strip() or counter_of(request)
    if problems := validate_call(CallInput(counter=counter, staff=p.staff_id)):
        return RedirectResponse(f"/?error={problems[0].message}", status_code=303)
    waiting = await gw.list(step=Step.RECEPTION, open_only=True, limit=200, viewer=p)
    oldest_first = sorted(waiting, key=lambda v: v.started_at.isoformat() if v.started_at else "")
    for v in oldest_first:
        try:
            await gw.act(
                v.visit_id, Action.CALL, CallInput(counter=counter, staff=p.staff_id),
                f"next-{v.visit_id}", p,
            )  # fmt: skip
        except VisitRejected:
            continue  # another clerk called it a moment ago
        to_visit = RedirectResponse(f"/ui/visits/{v.visit_id}", status_code=303)
        return _remember(request, to_visit, counter)
    return RedirectResponse("/?info=empty", status_code=303)


@router.get("/ui/qr")
async def open_scanned(
    request: Request,
    gw: Gateway,
    p: Reader,
    code: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    """A keyboard-wedge scanner types the code and Enter: a guidance sheet's or a
    pre-application's QR code opens its visit (if this clerk may see it)."""
    match = _VISIT_URL.search(code.strip())
    if match is None:
        return RedirectResponse("/?error=qr", status_code=303)
    visit_id = match.group(1)
    await gw.state(visit_id, p)  # not visible to this clerk → 404 like any unknown visit
    return RedirectResponse(f"/ui/visits/{visit_id}", status_code=303)


@router.post("/ui/tablet/pairing", response_class=HTMLResponse)
async def pairing_code(request: Request, p: Stepper) -> HTMLResponse:
    """A one-time code (10 minutes) the tablet of this counter types in once."""
    form = await request.form()
    counter = str(form.get("counter", "")).strip() or counter_of(request)
    if validate_call(CallInput(counter=counter, staff=p.staff_id)):
        counter = counter_of(request)

    def run() -> str:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            code = tablets.new_pairing_code(session, counter, p.staff_id)
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            audit.record_by(session, p, action="tablet.pairing_code", subject=counter)
        return code

    code = await run_in_threadpool(run)
    response = page(request, "tablet_code.html", {"code": code, "counter": counter})
    return _remember(request, response, counter)  # type: ignore[return-value]


@router.post("/ui/visits/{visit_id}/tablet")
async def send_to_tablet(visit_id: VisitId, request: Request, gw: Gateway, p: Stepper) -> Response:
    """タブレットに送信: the forms to confirm appear on the counter's tablet in the chosen
    language; it forgets them after signing or ``MADO_TABLET_TIMEOUT_SECONDS``."""
    form = await request.form()
    state = await gw.state(visit_id, p)
    if state.step != Step.CONFIRM:
        return RedirectResponse(f"/ui/visits/{visit_id}", status_code=303)
    language = str(form.get("language", "ja"))
    s = get_settings(request)

    def run() -> None:
        with session_scope(s.sqlalchemy_url) as session:
            tablets.send(
                session, state.counter, visit_id, language[:10], p.staff_id,
                s.tablet_timeout_seconds,
            )  # fmt: skip
        with session_scope(s.sqlalchemy_url) as session:
            audit.record_by(
                session, p, action="tablet.send", visit_id=visit_id, subject=state.counter
            )

    await run_in_threadpool(run)
    return RedirectResponse(f"/ui/visits/{visit_id}", status_code=303)


@router.get("/ui/visits/{visit_id}/watch")
async def watch(
    visit_id: VisitId,
    gw: Gateway,
    p: Reader,
    at: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Polled by the visit screen while it waits (tablet signature, printing, the robot):
    when the step has moved on, htmx reloads the page."""
    state = await gw.state(visit_id, p)
    if state.step != at:
        return Response(status_code=204, headers={"HX-Refresh": "true"})
    return Response(status_code=204)
