"""The admin screen for forms: upload, check, preview, publish and restore."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from adapters.form_store import MAX_UPLOAD_BYTES, FormStoreError
from api.auth import require
from api.deps import settings as get_settings
from api.forms_api import Code, Version
from api.ui_pages import page
from domain.form_definition import FormDefinitionError
from domain.security import Permission, Principal
from madoguchi import form_admin

router = APIRouter(prefix="/admin/forms", include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.CATALOG_READ))]
Publisher = Annotated[Principal, Depends(require(Permission.FORM_PUBLISH))]


def _page(request: Request, problems: list[str] | None = None, message: str = "") -> HTMLResponse:
    s = get_settings(request)
    context = {
        "forms": form_admin.listing(s),
        "planned": form_admin.planned(s.catalog_dir),
        "problems": problems or [],
        "message": message,
    }
    return page(request, "admin_forms.html", context, 422 if problems else 200)


@router.get("", response_class=HTMLResponse)
async def forms_screen(request: Request, p: Reader) -> HTMLResponse:
    return await run_in_threadpool(_page, request)


@router.post("/upload", response_class=HTMLResponse)
async def upload(request: Request, p: Publisher) -> HTMLResponse:
    form = await request.form()
    upload = form.get("file")
    data = b""
    if upload is not None and not isinstance(upload, str):
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
    s = get_settings(request)
    check_only = form.get("check_only") == "1"
    try:
        if check_only:
            d = await run_in_threadpool(form_admin.check, s, data)
            message = f"問題ありません（未登録）/ valid, not kept: {d.code} v{d.version} {d.title}"
        else:
            d = await run_in_threadpool(form_admin.upload, s, data, p.staff_id)
            message = f"登録しました（未公開）/ kept, not yet published: {d.code} v{d.version}"
    except FormDefinitionError as e:
        return await run_in_threadpool(_page, request, e.problems)
    return await run_in_threadpool(_page, request, None, message)


@router.post("/{code}/versions/{version}/publish")
async def publish(request: Request, code: Code, version: Version, p: Publisher) -> Response:
    try:
        await run_in_threadpool(
            form_admin.publish, get_settings(request), code, version, p.staff_id
        )
    except FormStoreError as e:
        return await run_in_threadpool(_page, request, [str(e)])
    return RedirectResponse("/admin/forms", status_code=303)
