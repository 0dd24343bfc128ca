"""Administration: staff accounts (the yearly roster) and roles — without code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from adapters import roles, users
from adapters.db import session_scope
from adapters.roles import RoleError, parse_role
from api.auth import require
from api.deps import settings as get_settings
from domain.security import Permission, Principal, Role
from madoguchi import personnel_update

router = APIRouter(prefix="/api/admin", tags=["admin システム管理者"])
UserManager = Annotated[Principal, Depends(require(Permission.USER_MANAGE))]
RoleManager = Annotated[Principal, Depends(require(Permission.ROLE_MANAGE))]
MAX_ROSTER_BYTES = 2_000_000


@dataclass
class StaffSummary:
    staff_id: str
    display_name: str
    roles: list[str]
    department: str
    counter_group: str
    active: bool
    has_card: bool


@router.get("/users", response_model=list[StaffSummary])
async def list_users(request: Request, p: UserManager) -> list[StaffSummary]:
    def run() -> list[StaffSummary]:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            return [
                StaffSummary(
                    u.staff_id,
                    u.display_name,
                    users.roles_of(u),
                    u.department,
                    u.counter_group,
                    u.active,
                    bool(u.card_id_hash),
                )
                for u in users.all_users(session)
            ]

    return await run_in_threadpool(run)


@dataclass
class RosterChange:
    staff_id: str
    what: str
    before: str
    after: str


@dataclass
class RosterAnswer:
    applied: bool
    problems: list[str]
    changes: list[RosterChange]
    unchanged: int


@router.post("/users/import", response_model=RosterAnswer)
async def import_users(request: Request, p: UserManager, apply: bool = False) -> RosterAnswer:
    """The staff roster as CSV (UTF-8) in the body. A dry run unless ``apply=true``; nothing
    is applied while any row has a problem (422, each naming row, column and reason)."""
    body = await request.body()
    if len(body) > MAX_ROSTER_BYTES:
        raise HTTPException(413, "名簿が大きすぎます / roster too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(
            422, "UTF-8 のCSVを送ってください / the roster must be UTF-8 CSV"
        ) from None
    result = await run_in_threadpool(
        personnel_update.import_roster, get_settings(request), text,
        apply=apply, actor=p.staff_id, terminal=p.terminal,
    )  # fmt: skip
    answer = RosterAnswer(
        applied=result.applied,
        problems=[str(x) for x in result.problems],
        changes=[RosterChange(c.staff_id, c.what, c.before, c.after) for c in result.plan.changes],
        unchanged=result.plan.unchanged,
    )
    if result.problems:
        raise HTTPException(422, "; ".join(answer.problems[:20]))
    return answer


@router.get("/roles", response_model=list[Role])
async def list_roles(request: Request, p: RoleManager) -> list[Role]:
    def run() -> list[Role]:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            return roles.all_roles(session)

    return await run_in_threadpool(run)


@dataclass
class RoleUpdate:
    name: str
    scope: str
    permissions: list[str]


@router.put("/roles/{code}", response_model=Role)
async def save_role(request: Request, code: str, body: RoleUpdate, p: RoleManager) -> Role:
    """Create or change a role: its name, scope and permissions. Takes effect at once."""
    try:
        role = parse_role(
            {"code": code, "name": body.name, "scope": body.scope, "permissions": body.permissions},
            f"role {code}",
        )
    except RoleError as e:
        raise HTTPException(422, str(e)) from None
    if not (1 <= len(code) <= 40 and code.replace("_", "").isalnum()):
        raise HTTPException(422, "code: 英数字と _ で40文字までです / letters, digits and _")

    def run() -> None:
        with session_scope(get_settings(request).sqlalchemy_url) as session:
            roles.save_by(session, role, p)

    await run_in_threadpool(run)
    return role
