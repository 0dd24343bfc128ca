"""Applying a staff roster: dry run by default, one transaction when applied, audited."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session

from adapters import audit, roles, sessions, users
from adapters.db import session_scope
from adapters.tables import UserRow
from domain.personnel import Plan, RosterEntry, RowProblem, parse_roster, plan
from madoguchi.settings import Settings


@dataclass
class ImportResult:
    problems: list[RowProblem] = field(default_factory=list)
    plan: Plan = field(default_factory=Plan)
    applied: bool = False


def _entry(row: UserRow) -> RosterEntry:
    return RosterEntry(
        row.staff_id, row.display_name, tuple(sorted(users.roles_of(row))), row.department,
        row.counter_group, row.active,
    )  # fmt: skip


def _apply(session: Session, roster: list[RosterEntry], the_plan: Plan) -> None:
    now = datetime.now(UTC)
    for e in roster:
        row = session.get(UserRow, e.staff_id) or UserRow(
            staff_id=e.staff_id, display_name="", roles="[]", department="", counter_group=""
        )
        row.display_name, row.roles = e.display_name, json.dumps(list(e.roles))
        row.department, row.counter_group = e.department, e.counter_group
        if row.active and not e.active:
            row.deactivated_at = now
        row.active = e.active
        if e.card_id:
            row.card_id_hash = users.card_hash(e.card_id)
        session.add(row)
    for change in the_plan.changes:
        if change.what == "deactivate":
            gone = session.get(UserRow, change.staff_id)
            assert gone is not None
            gone.active, gone.deactivated_at = False, now
            session.add(gone)
    session.commit()


def import_roster(
    settings: Settings, text: str, *, apply: bool, actor: str, terminal: str = ""
) -> ImportResult:
    with session_scope(settings.sqlalchemy_url) as session:
        known = {r.code for r in roles.all_roles(session)}
        roster, problems = parse_roster(text, known)
        if problems:
            return ImportResult(problems=problems)
        the_plan = plan([_entry(u) for u in users.all_users(session)], roster)
        if not apply:
            return ImportResult(plan=the_plan)
        _apply(session, roster, the_plan)
        for change in the_plan.changes:
            if change.what == "deactivate":
                sessions.end_all(session, change.staff_id)  # a deactivated user is out at once
            audit.record(
                session, actor=actor, terminal=terminal, action=f"user.{change.what}",
                subject=change.staff_id, detail=f"{change.before} -> {change.after}"[:500],
            )  # fmt: skip
        return ImportResult(plan=the_plan, applied=True)


def describe(result: ImportResult) -> str:
    if result.problems:
        lines = [f"取り込めません / not imported: {len(result.problems)} problems"]
        lines += [f"  {p}" for p in result.problems]
        return "\n".join(lines)
    p = result.plan
    head = (
        "適用しました / applied"
        if result.applied
        else "ドライラン（未適用） / dry run, nothing changed"
    )
    lines = [
        head,
        f"  追加 add: {p.count('add')}  ロール変更 roles: {p.count('roles')}  "
        f"配置換 placement: {p.count('placement')}  無効化 deactivate: {p.count('deactivate')}  "
        f"再有効化 reactivate: {p.count('reactivate')}  変更なし unchanged: {p.unchanged}",
    ]
    lines += [f"  {c.what:<10} {c.staff_id:<20} {c.before} -> {c.after}" for c in p.changes]
    return "\n".join(lines)
