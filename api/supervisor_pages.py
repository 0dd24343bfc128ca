"""The supervisor's screen (監督者画面): live counts and stalled visits, refreshed by htmx,
with reassign / retry / cancel on each stalled visit."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from adapters.outbox import OutboxError
from adapters.temporal_client import VisitRejected
from api.auth import require
from api.deps import Gateway
from api.deps import catalog as catalog_of
from api.deps import settings as settings_of
from api.staff import VisitId
from api.ui_pages import form_text, page
from domain.city_time import JST
from domain.security import Permission, Principal
from domain.steps import STEP_LABELS_JA, STEP_ORDER
from domain.visit import ReassignInput
from madoguchi import supervision

router = APIRouter(include_in_schema=False)
Supervisor = Annotated[Principal, Depends(require(Permission.VISIT_SUPERVISE))]
ACTION_LABELS = {"retry": "再試行", "reassign": "担当変更", "cancel": "取消"}
# The screen asks again this often; a stalled visit shows within a minute of crossing its
# threshold (visibility itself lags by about a second).
REFRESH_SECONDS = 15


async def _context(request: Request, gw: Gateway, p: Principal) -> dict[str, object]:
    board = await supervision.dashboard(settings_of(request), gw, p)
    return {
        "board": board,
        "steps": [(s.value, STEP_LABELS_JA[s]) for s in STEP_ORDER[:-1]],
        "labels": {s.value: label for s, label in STEP_LABELS_JA.items()},
        "procedure_names": {proc.code: proc.name for proc in catalog_of(request).procedures},
        "action_labels": ACTION_LABELS,
        "refresh": REFRESH_SECONDS,
        "as_of": board.generated_at.astimezone(JST).strftime("%H:%M:%S"),
    }


@router.get("/ui/supervisor", response_class=HTMLResponse)
async def supervisor_screen(request: Request, gw: Gateway, p: Supervisor) -> HTMLResponse:
    context = await _context(request, gw, p)
    context["message"] = request.query_params.get("message", "")[:300]
    return page(request, "supervisor.html", context)


@router.get("/ui/supervisor/live", response_class=HTMLResponse)
async def supervisor_live(request: Request, gw: Gateway, p: Supervisor) -> HTMLResponse:
    return page(request, "supervisor_live.html", await _context(request, gw, p))


@router.post("/ui/supervisor/visits/{visit_id}/{what}")
async def supervisor_action(
    visit_id: VisitId,
    what: Literal["retry", "reassign", "cancel"],
    request: Request,
    gw: Gateway,
    p: Supervisor,
) -> Response:
    form = await request.form()
    s = settings_of(request)
    reason, key = form_text(form, "reason"), form_text(form, "form_key") or None
    try:
        if what == "retry":
            await supervision.retry(s, gw, p, visit_id, reason, key)
        elif what == "reassign":
            inp = ReassignInput(form_text(form, "counter"), form_text(form, "staff"), reason)
            await supervision.reassign(s, gw, p, visit_id, inp, key)
        else:
            await supervision.cancel(s, gw, p, visit_id, reason, key)
    except (VisitRejected, OutboxError) as e:
        message = e.message if isinstance(e, VisitRejected) else str(e)
        if isinstance(e, VisitRejected) and e.problems:
            message += " — " + "; ".join(f"{x['field']}: {x['message']}" for x in e.problems)
        context = await _context(request, gw, p)
        context["message"] = f"{ACTION_LABELS[what]}できませんでした: {message}"
        return page(request, "supervisor.html", context, status_code=422)
    done = f"{visit_id[:8]} を{ACTION_LABELS[what]}しました / {what}: done"
    return RedirectResponse(f"/ui/supervisor?message={quote(done)}", status_code=303)
