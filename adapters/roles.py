"""Roles as data: seeded from ``catalog/roles.json``, then edited by the city's admin."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from adapters import audit
from adapters.tables import RoleRow
from domain.security import Permission, Principal, Role, Scope

# Built once: every request of a logged-in screen reads its roles.
_BY_CODES = select(RoleRow).where(col(RoleRow.code).in_(bindparam("codes", expanding=True)))


class RoleError(ValueError):
    pass


def parse_role(raw: Mapping[str, object], where: str) -> Role:
    try:
        perms = [Permission(str(p)) for p in raw["permissions"]]  # type: ignore[attr-defined]
        return Role(
            code=str(raw["code"]),
            name=str(raw["name"]),
            permissions=perms,
            scope=Scope(str(raw["scope"])),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise RoleError(f"{where}: {e}") from None


def load_default_roles(catalog_dir: Path) -> list[Role]:
    raw = json.loads((catalog_dir / "roles.json").read_text(encoding="utf-8"))
    return [parse_role(r, f"roles.json role {i + 1}") for i, r in enumerate(raw["roles"])]


def _to_role(row: RoleRow) -> Role:
    return Role(
        code=row.code,
        name=row.name,
        permissions=[Permission(p) for p in json.loads(row.permissions)],
        scope=Scope(row.scope),
    )


def seed_defaults(session: Session, catalog_dir: Path) -> int:
    """Add the default roles the city does not have yet; never overwrite the city's edits."""
    added = 0
    for role in load_default_roles(catalog_dir):
        if session.get(RoleRow, role.code) is None:
            save(session, role, actor="seed")
            added += 1
    return added


def save(session: Session, role: Role, *, actor: str) -> None:
    row = session.get(RoleRow, role.code) or RoleRow(
        code=role.code, name="", scope="", permissions=""
    )
    row.name, row.scope = role.name, role.scope.value
    row.permissions = json.dumps(sorted(p.value for p in role.permissions))
    row.updated_at, row.updated_by = datetime.now(UTC), actor
    session.add(row)
    session.commit()


def save_by(session: Session, role: Role, principal: Principal) -> None:
    """An administrator's change to a role, with its audit entry."""
    save(session, role, actor=principal.staff_id)
    audit.record_by(
        session,
        principal,
        action="role.save",
        subject=role.code,
        detail=f"{role.scope}:{','.join(sorted(role.permissions))}",
    )


def get_many(session: Session, codes: list[str]) -> list[Role]:
    if not codes:
        return []
    rows = session.exec(_BY_CODES, params={"codes": codes}).all()
    return [_to_role(r) for r in rows]


def all_roles(session: Session) -> list[Role]:
    return [_to_role(r) for r in session.exec(select(RoleRow).order_by(RoleRow.code)).all()]
