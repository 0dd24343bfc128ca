"""Form definitions over HTTP: list, check, upload, preview, publish and restore — without code.

Uploads are JSON (the schema is ``catalog/forms/form.schema.json``). Every problem names the
form, the place and why (422). A new version is kept but not used until it is published;
publishing an older version restores it. Visits in flight keep the versions they pinned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from adapters.form_store import MAX_UPLOAD_BYTES, FormStoreError
from api.auth import require
from api.deps import settings as get_settings
from domain.form_definition import FormDefinitionError
from domain.security import Permission, Principal
from madoguchi import form_admin
from madoguchi.form_admin import FormRow, PlannedForm

router = APIRouter(prefix="/api/admin/forms", tags=["forms 帳票定義"])
Reader = Annotated[Principal, Depends(require(Permission.CATALOG_READ))]
Publisher = Annotated[Principal, Depends(require(Permission.FORM_PUBLISH))]
_CODE = r"^[a-z][a-z0-9_]{1,39}$"
_VERSION = r"^[0-9A-Za-z.\-]{1,20}$"


@dataclass
class FormList:
    forms: list[FormRow]
    planned: list[PlannedForm]


@dataclass
class CheckAnswer:
    code: str
    version: str
    title: str


class Problems(HTTPException):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(422, "; ".join(problems[:30]))


async def _body(request: Request) -> bytes:
    data = await request.body()
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(413, f"帳票定義は{MAX_UPLOAD_BYTES // 1024}KBまでです / too large")
    return data


@router.get("", response_model=FormList)
async def list_forms(request: Request, p: Reader) -> FormList:
    """Every form with its current version and kept versions, and the forms still to define."""
    s = get_settings(request)
    rows = await run_in_threadpool(form_admin.listing, s)
    return FormList(rows, form_admin.planned(s.catalog_dir))


@router.post("/check", response_model=CheckAnswer)
async def check_form(request: Request, p: Publisher) -> CheckAnswer:
    """Validate a definition without keeping it."""
    data = await _body(request)
    try:
        d = await run_in_threadpool(form_admin.check, get_settings(request), data)
    except FormDefinitionError as e:
        raise Problems(e.problems) from None
    return CheckAnswer(d.code, d.version, d.title)


@router.post("/check/preview", response_class=Response)
async def preview_upload(request: Request, p: Publisher) -> Response:
    """A definition not yet kept, rendered with sample data (PDF)."""
    data = await _body(request)
    s = get_settings(request)
    try:
        d = await run_in_threadpool(form_admin.check, s, data)
    except FormDefinitionError as e:
        raise Problems(e.problems) from None
    pdf = await run_in_threadpool(form_admin.preview, s, d)
    return Response(pdf, media_type="application/pdf", headers={"Cache-Control": "no-store"})


@router.post("", response_model=CheckAnswer, status_code=201)
async def upload_form(request: Request, p: Publisher) -> CheckAnswer:
    """Keep a new version (not used until published). The same bytes again change nothing."""
    data = await _body(request)
    try:
        d = await run_in_threadpool(form_admin.upload, get_settings(request), data, p.staff_id)
    except FormDefinitionError as e:
        raise Problems(e.problems) from None
    return CheckAnswer(d.code, d.version, d.title)


Code = Annotated[str, Path(pattern=_CODE)]
Version = Annotated[str, Path(pattern=_VERSION)]


def _missing(e: FormStoreError) -> HTTPException:
    return HTTPException(404, f"その帳票定義はありません / {e}")


@router.get("/{code}/versions/{version}", response_class=Response)
async def get_definition(request: Request, code: Code, version: Version, p: Reader) -> Response:
    """One kept version, exactly as stored (JSON)."""
    try:
        body = await run_in_threadpool(form_admin.definition, get_settings(request), code, version)
    except FormStoreError as e:
        raise _missing(e) from None
    return Response(body, media_type="application/json")


@router.get("/{code}/versions/{version}/preview", response_class=Response)
async def preview_version(request: Request, code: Code, version: Version, p: Reader) -> Response:
    """A kept version rendered with sample data (PDF), before or after publishing."""
    try:
        pdf = await run_in_threadpool(
            form_admin.preview_stored, get_settings(request), code, version
        )
    except FormStoreError as e:
        raise _missing(e) from None
    return Response(pdf, media_type="application/pdf", headers={"Cache-Control": "no-store"})


@router.post("/{code}/versions/{version}/publish", response_model=CheckAnswer)
async def publish_version(
    request: Request, code: Code, version: Version, p: Publisher
) -> CheckAnswer:
    """New visits print this version from now on; publishing an older one restores it."""
    s = get_settings(request)
    try:
        await run_in_threadpool(form_admin.publish, s, code, version, p.staff_id)
    except FormStoreError as e:
        raise _missing(e) from None
    return CheckAnswer(code, version, "")
