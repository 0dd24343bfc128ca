"""Staff API: create a visit, read it, and one endpoint per human step."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response

from adapters.temporal_client import VisitSummary
from api.audit_trail import audit_visit_access
from api.deps import CurrentCatalog, Gateway, IdempotencyKey, Store
from domain.catalog import Catalog
from domain.steps import Action, Step
from domain.visit import (
    CallInput,
    CancelInput,
    ChooseProceduresInput,
    ChooseResidentInput,
    ConfirmInput,
    IdCardData,
    VisitState,
)

router = APIRouter(
    prefix="/api", tags=["staff 窓口職員"], dependencies=[Depends(audit_visit_access)]
)

VisitId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The visit's id")]
_DOC_NAME = re.compile(r"^[a-z0-9_\-]+\.pdf$")


@dataclass
class CreateVisit:
    channel: str = "walk_in"


@router.post("/visits", status_code=201, response_model=VisitState)
async def create_visit(
    gw: Gateway, body: CreateVisit | None = None, key: IdempotencyKey = None
) -> VisitState:
    """Issue a ticket (受付): starts the visit's workflow and returns its first state."""
    channel = body.channel if body else "walk_in"
    if channel not in ("walk_in", "pre_application"):
        raise HTTPException(422, "channel は walk_in か pre_application です / unknown channel")
    visit_id = await gw.start(channel=channel, idempotency_key=key)
    return await gw.wait_for_ticket(visit_id)


@router.get("/visits", response_model=list[VisitSummary])
async def list_visits(
    gw: Gateway,
    step: Step | None = None,
    counter: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_\-]{1,40}$")] = None,
    needs_attention: bool | None = None,
    open_only: bool = False,
) -> list[VisitSummary]:
    """Visits by step, counter or attention flag (a visibility query, not a scan)."""
    return await gw.list(
        step=step, counter=counter, needs_attention=needs_attention, open_only=open_only
    )


@router.get("/visits/{visit_id}", response_model=VisitState)
async def get_visit(visit_id: VisitId, gw: Gateway) -> VisitState:
    return await gw.state(visit_id)


@router.post("/visits/{visit_id}/call", response_model=VisitState)
async def call(
    visit_id: VisitId, body: CallInput, gw: Gateway, key: IdempotencyKey = None
) -> VisitState:
    """呼出: a counter calls the ticket."""
    return await gw.act(visit_id, Action.CALL, body, key)


@router.post("/visits/{visit_id}/identify", response_model=VisitState)
async def identify(
    visit_id: VisitId, body: IdCardData, gw: Gateway, key: IdempotencyKey = None
) -> VisitState:
    """本人確認: ID card data from the reader or typed by staff; searches the register."""
    return await gw.act(visit_id, Action.IDENTIFY, body, key)


@router.post("/visits/{visit_id}/resident", response_model=VisitState)
async def choose_resident(
    visit_id: VisitId, body: ChooseResidentInput, gw: Gateway, key: IdempotencyKey = None
) -> VisitState:
    """住民選択: staff pick the resident among the candidates."""
    return await gw.act(visit_id, Action.CHOOSE_RESIDENT, body, key)


@router.post("/visits/{visit_id}/procedures", response_model=VisitState)
async def choose_procedures(
    visit_id: VisitId, body: ChooseProceduresInput, gw: Gateway, key: IdempotencyKey = None
) -> VisitState:
    """手続選択: procedures and interview answers; the forms are filled."""
    return await gw.act(visit_id, Action.CHOOSE_PROCEDURES, body, key)


@router.post("/visits/{visit_id}/confirm", response_model=VisitState)
async def confirm(
    visit_id: VisitId, body: ConfirmInput, gw: Gateway, key: IdempotencyKey = None
) -> VisitState:
    """署名確認: the resident's signature; forms print and the data goes to the core system."""
    return await gw.act(visit_id, Action.CONFIRM, body, key)


@router.post("/visits/{visit_id}/cancel", response_model=VisitState)
async def cancel(
    visit_id: VisitId, body: CancelInput, gw: Gateway, key: IdempotencyKey = None
) -> VisitState:
    return await gw.act(visit_id, Action.CANCEL, body, key)


@router.get("/visits/{visit_id}/documents/{name}", response_class=Response)
async def document(visit_id: VisitId, name: str, gw: Gateway, store: Store) -> Response:
    """A printed document of the visit, as PDF."""
    if not _DOC_NAME.match(name):
        raise HTTPException(404, "no such document")
    state = await gw.state(visit_id)
    key = f"visits/{visit_id}/{name}"
    if not any(d.key == key for d in state.documents):
        raise HTTPException(404, "この来庁にその帳票はありません / no such document for this visit")
    return Response(
        store.get(key),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.get("/catalog", response_model=Catalog, tags=["catalog"])
async def get_catalog(catalog: CurrentCatalog) -> Catalog:
    """The catalog version new visits pin: procedures, questions, forms, CSV layouts."""
    return catalog
