"""Staff API: create a visit, read it, and one endpoint per human step."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from adapters import audit, form_store, render_pool
from adapters.db import session_scope
from adapters.temporal_client import VisitSummary
from api.auth import require
from api.deps import CurrentCatalog, Gateway, IdempotencyKey, Store
from api.deps import settings as get_settings
from domain.catalog import Catalog
from domain.security import Permission, Principal
from domain.steps import Action, Step
from domain.visit import (
    CallInput,
    CancelInput,
    ChooseProceduresInput,
    ChooseResidentInput,
    ConfirmInput,
    CorrectAnswersInput,
    IdCardData,
    NaviInput,
    ReprintInput,
    SearchInput,
    VisitState,
)

router = APIRouter(prefix="/api", tags=["staff 窓口職員"])

VisitId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The visit's id")]
Creator = Annotated[Principal, Depends(require(Permission.VISIT_CREATE))]
Reader = Annotated[Principal, Depends(require(Permission.VISIT_READ))]
Stepper = Annotated[Principal, Depends(require(Permission.VISIT_STEP))]
Searcher = Annotated[Principal, Depends(require(Permission.RESIDENT_SEARCH))]
Canceller = Annotated[Principal, Depends(require(Permission.VISIT_CANCEL))]
DocumentReader = Annotated[Principal, Depends(require(Permission.DOCUMENT_READ))]
CatalogReader = Annotated[Principal, Depends(require(Permission.CATALOG_READ))]
_DOC_NAME = re.compile(r"^[a-z0-9_\-]+\.pdf$")


@dataclass
class CreateVisit:
    channel: str = "walk_in"


@dataclass
class CallRequest:
    counter: str


@router.post("/visits", status_code=201, response_model=VisitState)
async def create_visit(
    gw: Gateway, p: Creator, body: CreateVisit | None = None, key: IdempotencyKey = None
) -> VisitState:
    """Issue a ticket (受付): starts the visit's workflow and returns its first state."""
    channel = body.channel if body else "walk_in"
    if channel not in ("walk_in", "pre_application"):
        raise HTTPException(422, "channel は walk_in か pre_application です / unknown channel")
    return await gw.open_visit(
        department=p.department, counter_group=p.counter_group, viewer=p, channel=channel,
        idempotency_key=key,
    )  # fmt: skip


@router.get("/visits", response_model=list[VisitSummary])
async def list_visits(
    gw: Gateway,
    p: Reader,
    step: Step | None = None,
    counter: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_\-]{1,40}$")] = None,
    needs_attention: bool | None = None,
    open_only: bool = False,
) -> list[VisitSummary]:
    """Visits by step, counter or attention flag (a visibility query, not a scan)."""
    return await gw.list(
        step=step, counter=counter, needs_attention=needs_attention, open_only=open_only, viewer=p
    )


@router.get("/visits/{visit_id}", response_model=VisitState)
async def get_visit(visit_id: VisitId, gw: Gateway, p: Reader) -> VisitState:
    return await gw.state(visit_id, p)


@router.post("/visits/{visit_id}/call", response_model=VisitState)
async def call(
    visit_id: VisitId, body: CallRequest, gw: Gateway, p: Stepper, key: IdempotencyKey = None
) -> VisitState:
    """呼出: the logged-in clerk calls the ticket to a counter."""
    return await gw.act(visit_id, Action.CALL, CallInput(body.counter, p.staff_id), key, p)


@router.post("/visits/{visit_id}/identify", response_model=VisitState)
async def identify(
    visit_id: VisitId, body: IdCardData, gw: Gateway, p: Searcher, key: IdempotencyKey = None
) -> VisitState:
    """本人確認: ID card data from the reader or typed by staff; searches the register."""
    return await gw.act(visit_id, Action.IDENTIFY, body, key, p)


@router.post("/visits/{visit_id}/search", response_model=VisitState)
async def search(
    visit_id: VisitId, body: SearchInput, gw: Gateway, p: Searcher, key: IdempotencyKey = None
) -> VisitState:
    """住民検索: look the person up by kana, name, birth date, address or an identifier;
    the results become the visit's candidates."""
    return await gw.act(visit_id, Action.SEARCH, body, key, p)


@router.post("/visits/{visit_id}/resident", response_model=VisitState)
async def choose_resident(
    visit_id: VisitId,
    body: ChooseResidentInput,
    gw: Gateway,
    p: Stepper,
    key: IdempotencyKey = None,
) -> VisitState:
    """住民選択: staff pick the resident among the candidates."""
    return await gw.act(visit_id, Action.CHOOSE_RESIDENT, body, key, p)


@router.post("/visits/{visit_id}/navi", response_model=VisitState)
async def navi(
    visit_id: VisitId, body: NaviInput, gw: Gateway, p: Stepper, key: IdempotencyKey = None
) -> VisitState:
    """手続ナビ: the procedures being considered and what the interview learned (fact →
    yes / no / "" unknown); the visit's proposals are replaced by the new ones."""
    return await gw.act(visit_id, Action.NAVI, body, key, p)


@router.post("/visits/{visit_id}/correct", response_model=VisitState)
async def correct(
    visit_id: VisitId,
    body: CorrectAnswersInput,
    gw: Gateway,
    p: Stepper,
    key: IdempotencyKey = None,
) -> VisitState:
    """内容修正 at review: corrected interview answers (with a reason); the forms are filled
    again from them, and so will the application data be."""
    return await gw.act(visit_id, Action.CORRECT, body, key, p)


@router.post("/visits/{visit_id}/reprint", response_model=VisitState)
async def reprint(
    visit_id: VisitId, body: ReprintInput, gw: Gateway, p: Stepper, key: IdempotencyKey = None
) -> VisitState:
    """再印刷: print the signed forms again (jammed paper, a printer that failed)."""
    return await gw.act(visit_id, Action.REPRINT, body, key, p)


@router.post("/visits/{visit_id}/procedures", response_model=VisitState)
async def choose_procedures(
    visit_id: VisitId,
    body: ChooseProceduresInput,
    gw: Gateway,
    p: Stepper,
    key: IdempotencyKey = None,
) -> VisitState:
    """手続選択: procedures and interview answers; the forms are filled. `answers` is keyed
    by the catalog's question keys; a question asked per procedure (通数) takes
    `<procedure>.<key>` for each (`{"juminhyo.copies": "2", "inkan_shomei.copies": "1"}`),
    or one `<key>` for every procedure asking it. 異動者 of a move (転入・転居・転出):
    `movers`, the 宛名番号 of the resident's household members who move, comma-separated
    (the visit's `resident.members`); left out, the whole household moves. `movers_head`:
    who heads them after the move, needed when several move without the 世帯主."""
    return await gw.act(visit_id, Action.CHOOSE_PROCEDURES, body, key, p)


@router.post("/visits/{visit_id}/confirm", response_model=VisitState)
async def confirm(
    visit_id: VisitId, body: ConfirmInput, gw: Gateway, p: Stepper, key: IdempotencyKey = None
) -> VisitState:
    """署名確認: the resident's signature. Answers once the signature is kept, at step
    `print`; the PDF, the printer and the handoff follow by themselves (`GET` the visit to
    see it reach `await_rpa`, with `documents` and `records`)."""
    return await gw.act(visit_id, Action.CONFIRM, body, key, p)


@router.post("/visits/{visit_id}/cancel", response_model=VisitState)
async def cancel(
    visit_id: VisitId, body: CancelInput, gw: Gateway, p: Canceller, key: IdempotencyKey = None
) -> VisitState:
    return await gw.act(visit_id, Action.CANCEL, body, key, p)


@router.get("/visits/{visit_id}/documents/{name}", response_class=Response)
async def document(
    visit_id: VisitId, name: str, gw: Gateway, store: Store, p: DocumentReader
) -> Response:
    """A printed document of the visit, as PDF."""
    if not _DOC_NAME.match(name):
        raise HTTPException(404, "no such document")
    state = await gw.state(visit_id, p)
    key = f"visits/{visit_id}/{name}"
    if not any(d.key == key for d in state.documents):
        raise HTTPException(404, "この来庁にその帳票はありません / no such document for this visit")
    return Response(
        store.get(key),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.get("/visits/{visit_id}/preview.pdf", response_class=Response)
async def preview(request: Request, visit_id: VisitId, gw: Gateway, p: DocumentReader) -> Response:
    """The filled forms before signing, as they will print (unsigned, marked 確認用), for
    the review step's in-page preview. 409 once the visit has moved past the review."""
    state = await gw.state(visit_id, p)
    if state.step != Step.CONFIRM:
        raise HTTPException(409, "確認用PDFは内容確認の間だけ / only while the forms are reviewed")
    s = get_settings(request)

    def run() -> bytes:
        with session_scope(s.sqlalchemy_url) as session:
            pairs = [(form_store.get(session, f.form_code, f.version), f) for f in state.forms]
        renderer = render_pool.shared(s.font_path, s.mjplus_font_path, s.render_processes)
        pdf = renderer.render(
            pairs, header=f"確認用（未署名） 受付番号 {state.ticket_no}", signature=None
        )
        with session_scope(s.sqlalchemy_url) as session:
            audit.record_by(session, p, action="forms.preview", visit_id=visit_id)
        return pdf.data

    data = await run_in_threadpool(run)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'inline; filename="preview.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/catalog", response_model=Catalog, tags=["catalog"])
async def get_catalog(request: Request, catalog: CurrentCatalog, p: CatalogReader) -> Catalog:
    """The catalog new visits pin: procedures, questions, 手続ナビ rules, CSV layouts and
    the current version of every form."""

    def run() -> Catalog:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            return form_store.pin(session, catalog)

    return await run_in_threadpool(run)
