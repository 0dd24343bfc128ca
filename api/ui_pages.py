"""The plain staff screen: walks one visit through every step (the full UI is its own issue).

Server-rendered, one form per step, Post/Redirect/Get. Each rendered form carries its own
idempotency key, so a double click or a second tab submits a step once.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from adapters import tablets
from adapters.catalog_files import load_translations
from adapters.db import session_scope
from adapters.outbox import OutboxError
from adapters.tables import TabletRequestRow
from adapters.temporal_client import VisitRejected
from api.auth import authenticated, require
from api.deps import CurrentCatalog, Gateway
from api.deps import settings as settings_of
from api.errors import STATUS_BY_KIND
from api.rpa import RecordId
from api.staff import VisitId
from domain.binding import ID_SOURCE_LABELS
from domain.catalog import MOVERS, Catalog
from domain.fees import fee_lines
from domain.matching import MATCHED_ON_JA
from domain.navi import navi_rules
from domain.security import Permission, Principal
from domain.steps import ALLOWED, AT_COUNTER, STEP_LABELS_JA, STEP_ORDER, Action, Step
from domain.visit import (
    CallInput,
    CancelInput,
    ChooseProceduresInput,
    ChooseResidentInput,
    ConfirmInput,
    CorrectAnswersInput,
    Decision,
    IdCardData,
    IdSource,
    NaviInput,
    ReprintInput,
    SearchInput,
    Signature,
    VisitState,
)
from domain.wareki import WarekiError, iso_to_wareki
from madoguchi import handoff_admin
from madoguchi.settings import REPO_ROOT

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=REPO_ROOT / "ui" / "templates")


def _wareki(iso: str) -> str:
    """和暦 for the screen (residents give their birthday so); the text as is where it is
    not an ISO date, rather than an error page."""
    try:
        return iso_to_wareki(iso)
    except WarekiError:
        return iso


templates.env.filters["wareki"] = _wareki

Reader = Annotated[Principal, Depends(require(Permission.VISIT_READ))]
HOME_SCREENS = (
    (Permission.USER_MANAGE, "/admin/users"),
    (Permission.ROLE_MANAGE, "/admin/roles"),
    (Permission.BPR_EXPORT, "/ui/bpr"),
)
QUEUE_ROWS = 30
Creator = Annotated[Principal, Depends(require(Permission.VISIT_CREATE))]
Stepper = Annotated[Principal, Depends(require(Permission.VISIT_STEP))]
Canceller = Annotated[Principal, Depends(require(Permission.VISIT_CANCEL))]
Supervisor = Annotated[Principal, Depends(require(Permission.HANDOFF_REQUEUE))]
# Actions taken by people at the counter; cancel and the RPA report have routes of their own.
STEP_ACTIONS = frozenset(
    {
        Action.CALL,
        Action.IDENTIFY,
        Action.SEARCH,
        Action.CHOOSE_RESIDENT,
        Action.NAVI,
        Action.CHOOSE_PROCEDURES,
        Action.CONFIRM,
        Action.CORRECT,
        Action.REPRINT,
    }
)

SEARCH_KIND_LABELS = {
    "kana": "フリガナ",
    "name": "氏名",
    "birth_date": "生年月日",
    "address": "住所（町名から）",
    "atena_no": "宛名番号",
    "juminhyo_code": "住民票コード",
}


PROPOSAL_LABELS = {"propose": "提案", "ask": "要確認", "drop": "対象外"}


def form_text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


class FormProblem(ValueError):
    pass


def _shared_answer(form: FormData, key: str, labels: list[str]) -> str:
    """The one value of an answer whose field every procedure asking it shows (異動年月日
    under 転居届 and under 世帯変更届): the value typed, or a refusal when two differ — the
    visit keeps one such answer (one move), and guessing which was meant would print the
    wrong date on a form. Answers asked per procedure (通数) are not shared."""
    values = {v.strip() for v in form.getlist(f"answer.{key}") if isinstance(v, str) and v.strip()}
    if len(values) > 1:
        names = "・".join(dict.fromkeys(labels))
        raise FormProblem(
            f"answer.{key}: {names}: 欄ごとに違う値です。手続に共通の項目なので1つにしてください"
            " / the procedures share this answer: give one value"
        )
    return values.pop() if values else ""


def _members_answer(form: FormData, key: str, asked: list[tuple[str, str]]) -> str | None:
    """異動者 from the checkboxes under each procedure asking ``key`` ((code, label) pairs):
    the atena numbers ticked, comma-separated. None where the screen offered no choice
    (no household loaded): the visit then names none, which means the whole household."""
    offered = [code for code, _ in asked if form.get(f"offered.{code}.{key}")]
    if not offered:
        return None
    label = "・".join(dict.fromkeys(lbl for _, lbl in asked))
    picks = [[str(v) for v in form.getlist(f"answer.{code}.{key}")] for code in offered]
    if len({frozenset(p) for p in picks}) > 1:
        raise FormProblem(
            f"answer.{key}: {label}: 手続ごとに違う人が選ばれています。1つの異動なので同じ人を"
            "選んでください / the procedures share this answer: tick the same people"
        )
    if not picks[0]:
        raise FormProblem(
            f"answer.{key}: {label}: 1人以上選んでください / tick at least one person"
        )
    return ",".join(dict.fromkeys(picks[0]))


def _members_asked(catalog: Catalog, codes: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Each ``members`` question (異動者) the chosen procedures ask: key → (code, label)."""
    asked: dict[str, list[tuple[str, str]]] = {}
    for c in codes:
        for q in proc.questions if (proc := catalog.procedure(c)) else ():
            if q.kind == "members":
                asked.setdefault(q.key, []).append((c, q.label))
    return asked


def _offered_members(form: FormData) -> dict[str, str]:
    """The ticked members of each choice drawn (``tenkyo.movers`` → "a,b"), to draw the
    screen again after a refusal with the ticks the clerk made."""
    return {
        name.removeprefix("offered."): ",".join(
            str(v) for v in form.getlist(f"answer.{name.removeprefix('offered.')}")
        )
        for name in form
        if name.startswith("offered.")
    }


def _decisions(form: FormData) -> dict[str, Decision]:
    """``decision.{proposal}`` radio buttons; a proposal left unanswered is simply absent,
    and the visit names it."""
    out: dict[str, Decision] = {}
    for name, value in form.multi_items():
        if name.startswith("decision.") and isinstance(value, str):
            if value not in set(Decision):
                raise FormProblem(f"{name}: 採用・不採用を選んでください / accept or reject")
            out[name.removeprefix("decision.")] = Decision(value)
    return out


def _payload(action: Action, form: FormData, catalog: Catalog, p: Principal) -> Any:
    """Turn the screen's form into the step's input; the workflow validates the content."""
    if action == Action.CALL:
        return CallInput(counter=form_text(form, "counter"), staff=p.staff_id)
    if action == Action.IDENTIFY:
        source = form_text(form, "source")
        if source not in set(IdSource):
            raise FormProblem("本人確認書類を選んでください / choose the ID document")
        return IdCardData(
            source=IdSource(source),
            name=form_text(form, "name"),
            birth_date=form_text(form, "birth_date"),
            address=form_text(form, "address"),
            kana=form_text(form, "kana"),
            sex=form_text(form, "sex"),
            read_by_device=[i for i in form_text(form, "read_by_device").split(",") if i],
        )
    if action == Action.SEARCH:
        return SearchInput(kind=form_text(form, "kind"), q=form_text(form, "q"))
    if action == Action.CHOOSE_RESIDENT:
        return ChooseResidentInput(atena_no=form_text(form, "atena_no"))
    if action == Action.NAVI:
        facts = {f.key: form_text(form, f"fact.{f.key}") for f in navi_rules(catalog).asked()}
        codes = [str(c) for c in form.getlist("procedures")]
        asked = _members_asked(catalog, codes).get(MOVERS, [])
        movers = (_members_answer(form, MOVERS, asked) or "") if asked else ""
        return NaviInput(procedures=codes, facts=facts, movers=movers)
    if action == Action.CHOOSE_PROCEDURES:
        codes = [str(c) for c in form.getlist("procedures")]
        decisions = _decisions(form)
        items = navi_rules(catalog).items
        # An accepted proposal brings its procedure's questions onto the screen too.
        extra = [
            item.procedure
            for code, d in decisions.items()
            if d == Decision.ACCEPT and (item := items.get(code)) and item.procedure
        ]
        typed: dict[str, str] = {}
        shared: dict[str, list[str]] = {}
        members = _members_asked(catalog, codes + extra)
        for c in codes + extra:
            for q in proc.questions if (proc := catalog.procedure(c)) else ():
                if q.kind == "members":
                    continue
                if q.per_procedure:
                    key = q.answer_key(c)
                    typed[key] = form_text(form, f"answer.{key}")
                else:
                    shared.setdefault(q.key, []).append(q.label)
        typed |= {k: _shared_answer(form, k, shared[k]) for k in sorted(shared)}
        typed |= {k: _members_answer(form, k, members[k]) or "" for k in sorted(members)}
        answers = {k: v for k, v in typed.items() if v}
        return ChooseProceduresInput(procedures=codes, answers=answers, decisions=decisions)
    if action == Action.REPRINT:
        return ReprintInput(reason=form_text(form, "reason"))
    if action == Action.CORRECT:
        offered = _offered_members(form)
        answers = {
            str(k).removeprefix("answer."): form_text(form, str(k))
            for k in form
            if str(k).startswith("answer.") and str(k).removeprefix("answer.") not in offered
        }
        for scoped in offered:  # the correction form draws each question once
            code, _, key = scoped.partition(".")
            proc = catalog.procedure(code)
            label = next((q.label for q in proc.questions if q.key == key), key) if proc else key
            answers[key] = _members_answer(form, key, [(code, label)]) or ""
        return CorrectAnswersInput(answers=answers, reason=form_text(form, "reason"))
    if action == Action.CONFIRM:
        try:
            strokes = json.loads(form_text(form, "strokes") or "[]")
        except json.JSONDecodeError:
            raise FormProblem("署名データを読めません / unreadable signature data") from None
        return ConfirmInput(
            signature=Signature(strokes=strokes),
            confirmed_form_codes=[str(c) for c in form.getlist("form_codes")],
        )
    return CancelInput(reason=form_text(form, "reason"))


def tablet_request(request: Request, visit_id: str) -> TabletRequestRow | None:
    """What this visit's counter tablet is showing, if it is this visit."""
    with session_scope(settings_of(request).sqlalchemy_url) as session:
        return tablets.sent_visit(session, visit_id)


def page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Every screen knows who is logged in and carries the session's CSRF token."""
    context = {
        "me": getattr(request.state, "principal", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        **context,
    }
    return templates.TemplateResponse(request, name, context, status_code=status_code)


async def _render(
    request: Request,
    catalog: Catalog,
    state: VisitState,
    *,
    error: VisitRejected | None = None,
    status_code: int = 200,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:
    allowed = [a.value for a, steps in ALLOWED.items() if state.step in steps]
    response = page(
        request,
        "visit.html",
        {
            "v": state,
            # What the clerk typed survives a refusal or a 手続ナビ round, not only a success.
            "answers": {**state.answers, **(typed or {})},
            "catalog": catalog,
            "allowed": allowed,
            "steps": [(s.value, STEP_LABELS_JA[s]) for s in STEP_ORDER],
            "step_label": STEP_LABELS_JA[state.step],
            "order_index": STEP_ORDER.index(state.step) if state.step in STEP_ORDER else -1,
            "id_sources": ID_SOURCE_LABELS,
            "search_kinds": SEARCH_KIND_LABELS,
            "matched_on": MATCHED_ON_JA,
            "fees": fee_lines(catalog, state.procedures, state.answers),
            "navi_questions": navi_rules(catalog).asked(),
            "tablet": await run_in_threadpool(tablet_request, request, state.visit_id),
            "languages": load_translations(settings_of(request).catalog_dir).languages,
            "proposal_labels": PROPOSAL_LABELS,
            "form_key": uuid.uuid4().hex,
            "error": error,
            "Step": Step,
        },
        status_code,
    )
    if request.method == "POST":
        # Drawn into the page (htmx) in answer to a step: the address bar shows the visit,
        # not the step's POST address, so a reload shows the visit where it stands.
        response.headers["HX-Push-Url"] = f"/ui/visits/{state.visit_id}"
    return response


@router.get("/", response_class=HTMLResponse)
async def index(
    request: Request, gw: Gateway, p: Annotated[Principal, Depends(authenticated)]
) -> Response:
    """The counter's list of visits; people whose work is elsewhere go to their own screen."""
    if not p.can(Permission.VISIT_READ):
        for permission, target in HOME_SCREENS:
            if p.can(permission):
                return RedirectResponse(target, status_code=303)
        return RedirectResponse("/docs", status_code=303)
    # A clerk's queue: how many wait (a count; 次の番号を呼出 takes the oldest) and the
    # visits in the clerk's hands — their own, but not those merely waiting for the robot
    # unless flagged. A visibility list costs ~1 ms per visit listed on two cores (server
    # and decoding about half each), and with 135 clerks every open visit is a long list:
    # ?all=1 shows up to 200 of them, waiting tickets included.
    everyone = request.query_params.get("all") == "1"
    limit = 200 if everyone else QUEUE_ROWS
    staff = None if everyone else p.staff_id
    visits, waiting, serving = await asyncio.gather(
        gw.list(open_only=True, limit=limit, viewer=p, staff=staff, in_hand=not everyone),
        gw.count(step=Step.RECEPTION, viewer=p),
        gw.count(steps=AT_COUNTER, viewer=p),  # one visit per counter at a time
    )
    labels = {s.value: label for s, label in STEP_LABELS_JA.items()}
    minutes = settings_of(request).avg_service_minutes * waiting / max(1, serving)
    return page(
        request,
        "index.html",
        {
            "visits": visits,
            "labels": labels,
            "form_key": uuid.uuid4().hex,
            "waiting": waiting,
            "everyone": everyone,
            "cut_at": limit if len(visits) >= limit else 0,
            "estimate_minutes": round(minutes),
            "counter": request.cookies.get("mado_counter", "") or "C01",
            "message": {
                "qr": "読み取れないコードです / not a madoguchi code",
                "empty": "呼び出す番号はありません / nobody is waiting",
            }.get(request.query_params.get("error") or request.query_params.get("info") or "", ""),
        },
    )


@router.post("/ui/visits")
async def new_visit(request: Request, gw: Gateway, p: Creator) -> Response:
    form = await request.form()
    state = await gw.open_visit(
        department=p.department,
        counter_group=p.counter_group,
        viewer=p,
        idempotency_key=form_text(form, "form_key") or None,
    )
    return RedirectResponse(f"/ui/visits/{state.visit_id}", status_code=303)


@router.get("/ui/visits/{visit_id}", response_class=HTMLResponse)
async def show_visit(
    visit_id: VisitId, request: Request, gw: Gateway, catalog: CurrentCatalog, p: Reader
) -> HTMLResponse:
    # Right after a step (Post/Redirect/Get) the step's own answer is the visit's state.
    state = gw.answered(visit_id, p) or await gw.wait_for_ticket(visit_id, p)
    return await _render(request, catalog, state)


async def _act(
    visit_id: str, action: Action, request: Request, gw: Gateway, catalog: Catalog, p: Principal
) -> Response:
    form = await request.form()
    typed = {
        k.removeprefix("answer."): v
        for k, v in form.multi_items()
        if k.startswith("answer.") and isinstance(v, str) and v.strip()
    } | _offered_members(form)
    try:
        payload = _payload(action, form, catalog, p)
        state = await gw.act(visit_id, action, payload, form_text(form, "form_key") or None, p)
    except FormProblem as e:
        rejected = VisitRejected("InvalidInput", str(e), [])
        state = await gw.state(visit_id, p)
        return await _render(request, catalog, state, error=rejected, status_code=422, typed=typed)
    except VisitRejected as e:
        status = STATUS_BY_KIND.get(e.kind, 409)
        state = await gw.state(visit_id, p)
        return await _render(request, catalog, state, error=e, status_code=status, typed=typed)
    if action == Action.NAVI:
        # Proposals come back on the same screen with the half-filled answers still there
        # (a reload re-posts the same form_key, which the visit takes once).
        return await _render(request, catalog, state, typed=typed)
    return RedirectResponse(f"/ui/visits/{visit_id}", status_code=303)


@router.post("/ui/visits/{visit_id}/cancel")
async def cancel(
    visit_id: VisitId, request: Request, gw: Gateway, catalog: CurrentCatalog, p: Canceller
) -> Response:
    return await _act(visit_id, Action.CANCEL, request, gw, catalog, p)


@router.post("/ui/visits/{visit_id}/records/{record_id}/{what}")
async def record_action(
    visit_id: VisitId,
    record_id: RecordId,
    what: Literal["requeue", "done"],
    request: Request,
    gw: Gateway,
    catalog: CurrentCatalog,
    p: Supervisor,
) -> Response:
    """A supervisor re-queues a failed or held record, or marks it done by hand."""
    form = await request.form()
    reason = form_text(form, "reason")
    s = settings_of(request)
    try:
        if not reason or len(reason) > 200:
            raise FormProblem("理由を200字以内で入力してください / give a reason (≤200)")
        act = handoff_admin.requeue if what == "requeue" else handoff_admin.mark_done
        await act(s, gw, p, record_id, reason)
    except (FormProblem, OutboxError) as e:
        problem = VisitRejected("Refused", str(e), [])
        status = e.status if isinstance(e, OutboxError) else 422
        state = await gw.state(visit_id, p)
        return await _render(request, catalog, state, error=problem, status_code=status)
    return RedirectResponse(f"/ui/visits/{visit_id}", status_code=303)


@router.post("/ui/visits/{visit_id}/{action}")
async def step(
    visit_id: VisitId,
    action: Action,
    request: Request,
    gw: Gateway,
    catalog: CurrentCatalog,
    p: Stepper,
) -> Response:
    if action not in STEP_ACTIONS:
        raise HTTPException(404, "no such step")
    return await _act(visit_id, action, request, gw, catalog, p)
