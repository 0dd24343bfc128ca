"""Admin screens: roles as a grid of permissions, and the staff roster upload with its dry run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from adapters import roles, users
from adapters.db import session_scope
from adapters.roles import RoleError, parse_role
from api.auth import require
from api.deps import settings as get_settings
from api.ui_pages import page
from domain.security import Permission, Principal, Scope
from madoguchi import personnel_update

router = APIRouter(prefix="/admin", include_in_schema=False)
RoleManager = Annotated[Principal, Depends(require(Permission.ROLE_MANAGE))]
UserManager = Annotated[Principal, Depends(require(Permission.USER_MANAGE))]


def _roles_page(request: Request, error: str = "", status: int = 200) -> HTMLResponse:
    with session_scope(get_settings(request).sqlalchemy_url) as session:
        all_roles = roles.all_roles(session)
    return page(
        request,
        "admin_roles.html",
        {
            "roles": all_roles,
            "permissions": list(Permission),
            "scopes": list(Scope),
            "error": error,
        },
        status,
    )


@router.get("/roles", response_class=HTMLResponse)
async def roles_screen(request: Request, p: RoleManager) -> HTMLResponse:
    return await run_in_threadpool(_roles_page, request)


@router.post("/roles/{code}")
async def save_role(request: Request, code: str, p: RoleManager) -> Response:
    form = await request.form()
    raw = {
        "code": code,
        "name": str(form.get("name", "")).strip(),
        "scope": str(form.get("scope", "")),
        "permissions": [str(x) for x in form.getlist("permissions")],
    }
    try:
        role = parse_role(raw, f"ロール {code}")
        if not role.name:
            raise RoleError(f"ロール {code}: 名前が空です / name is empty")
    except RoleError as e:
        return await run_in_threadpool(_roles_page, request, str(e), 422)

    def run() -> None:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            roles.save_by(session, role, p)

    await run_in_threadpool(run)
    return RedirectResponse("/admin/roles", status_code=303)


def _users_page(
    request: Request, result: personnel_update.ImportResult | None, roster: str = ""
) -> HTMLResponse:
    with session_scope(get_settings(request).sqlalchemy_url) as session:
        staff = users.all_users(session)
    status = 422 if result and result.problems else 200
    return page(
        request,
        "admin_users.html",
        {"staff": staff, "result": result, "roster": roster, "roles_of": users.roles_of},
        status,
    )


@router.get("/users", response_class=HTMLResponse)
async def users_screen(request: Request, p: UserManager) -> HTMLResponse:
    return await run_in_threadpool(_users_page, request, None)


@router.post("/users/import", response_class=HTMLResponse)
async def import_roster(request: Request, p: UserManager) -> HTMLResponse:
    form = await request.form()
    upload = form.get("file")
    roster = str(form.get("roster", ""))
    if upload is not None and not isinstance(upload, str):
        data = await upload.read(2_000_001)
        try:
            roster = data.decode("utf-8")
        except UnicodeDecodeError:
            roster = ""
    result = await run_in_threadpool(
        personnel_update.import_roster,
        get_settings(request),
        roster,
        apply=form.get("apply") == "1",
        actor=p.staff_id,
        terminal=p.terminal,
    )
    return await run_in_threadpool(_users_page, request, result, roster)
