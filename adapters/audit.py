"""The audit log: append-only, every row chained to the one before it by SHA-256.

Each row's hash covers its id, its content and the previous row's hash, so editing a row
breaks its own hash and deleting one breaks the link of the next; ``verify`` names the
first row where the chain breaks. Appends are serialized (PostgreSQL advisory lock, SQLite
``BEGIN IMMEDIATE``) so that the API and the workers, in separate processes, extend one
chain. Removing rows from the very end is the one edit a chain cannot see: production
copies the chain head to write-once storage (S3 Object Lock) on a schedule.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, text, update
from sqlmodel import Session, col, select

from adapters.tables import AuditAnchorRow, AuditRow
from domain.security import Principal

GENESIS = "0" * 64
_TABLE: Table = AuditRow.__table__  # type: ignore[attr-defined]
_PG_LOCK_KEY = 7_201_370_101  # any constant; names the audit chain's advisory lock


# Built once: an append runs on every staff step and every person read, and building
# these statements each time cost about as much CPU as running them.
_LAST_HASH = select(_TABLE.c.row_hash).order_by(_TABLE.c.id.desc()).limit(1)
_INSERT = insert(_TABLE).returning(_TABLE.c.id)
_SET_HASH = (
    update(_TABLE).where(_TABLE.c.id == bindparam("row_id")).values(row_hash=bindparam("digest"))
)
_SQLITE_LOCK = text("BEGIN IMMEDIATE")
_PG_LOCK = text(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")

# What each row's hash covers after its id and time, in this order.
_CHAINED = (
    "actor", "role", "terminal", "action", "visit_id", "subject", "result", "detail", "prev_hash",
)  # fmt: skip


def row_digest(row: AuditRow) -> str:
    return _digest(row.id, row.at, [getattr(row, name) for name in _CHAINED])


def _digest(row_id: int | None, at: datetime, chained: list[str]) -> str:
    # UTC to the microsecond: SQLite and PostgreSQL both hand back exactly this value.
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    content = [row_id, at.isoformat(timespec="microseconds"), *chained]
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(text: str, limit: int) -> str:
    """Control characters escaped: the log shows what was sent, and PostgreSQL takes no NUL."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)[:limit]


@dataclass(frozen=True)
class Entry:
    """One entry to append; ``record_many`` appends several in one turn of the lock."""

    actor: str
    action: str
    role: str = ""
    terminal: str = ""
    visit_id: str = ""
    subject: str = ""
    result: str = "ok"
    detail: str = ""


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    role: str = "",
    terminal: str = "",
    visit_id: str = "",
    subject: str = "",
    result: str = "ok",
    detail: str = "",
) -> None:
    record_many(session, [Entry(actor, action, role, terminal, visit_id, subject, result, detail)])


def record_many(session: Session, entries: list[Entry]) -> None:
    """Append the entries in order, in one transaction: a household read is one wait for
    the chain's lock and one commit, not one per person (each person still has an entry)."""
    if not entries:
        return
    with _locked_chain(session) as chain:
        conn = chain.connection()
        prev = conn.execute(_LAST_HASH).scalar() or GENESIS
        hashes: list[dict[str, object]] = []
        # Core statements, not the ORM's unit of work: an entry is written on every step
        # and every person read, and the ORM's flush per row (for the id the hash covers)
        # cost more CPU than the INSERT itself.
        for e in entries:
            values: dict[str, Any] = {
                "at": datetime.now(UTC), "actor": _clean(e.actor, 64),
                "role": _clean(e.role, 200), "terminal": _clean(e.terminal, 100),
                "action": _clean(e.action, 64), "visit_id": _clean(e.visit_id, 64),
                "subject": _clean(e.subject, 64), "result": _clean(e.result, 32),
                "detail": _clean(e.detail, 500), "prev_hash": prev,
            }  # fmt: skip
            row_id = conn.execute(_INSERT, values).scalar_one()
            prev = _digest(row_id, values["at"], [values[name] for name in _CHAINED])
            hashes.append({"row_id": row_id, "digest": prev})
        conn.execute(_SET_HASH, hashes)
        chain.commit()


def record_by(
    session: Session,
    principal: Principal,
    *,
    action: str,
    visit_id: str = "",
    subject: str = "",
    result: str = "ok",
    detail: str = "",
) -> None:
    """An entry for what a logged-in person did: their id, roles and terminal."""
    record(
        session,
        actor=principal.staff_id,
        role=",".join(principal.roles),
        terminal=principal.terminal,
        action=action,
        visit_id=visit_id,
        subject=subject,
        result=result,
        detail=detail,
    )


@contextmanager
def _locked_chain(session: Session) -> Iterator[Session]:
    """A transaction of its own, holding the chain's lock until it ends, so that the
    caller's open work never mixes into the chain and appends from all processes queue."""
    with Session(session.get_bind()) as chain:
        sqlite = chain.get_bind().dialect.name == "sqlite"
        chain.exec(_SQLITE_LOCK if sqlite else _PG_LOCK)  # type: ignore[call-overload]
        yield chain


def purge_before(session: Session, cutoff: datetime, *, actor: str) -> int:
    """Delete entries older than ``cutoff`` (the retention rule), keeping the chain checkable:
    an anchor keeps the hash of the last deleted entry, where ``verify`` then starts."""
    with _locked_chain(session) as chain:
        last = chain.exec(
            select(AuditRow)
            .where(col(AuditRow.at) < cutoff)
            .order_by(col(AuditRow.id).desc())
            .limit(1)
        ).first()
        if last is None or last.id is None:
            return 0
        through = last.id
        doomed = chain.exec(select(AuditRow).where(col(AuditRow.id) <= through)).all()
        chain.add(
            AuditAnchorRow(
                purged_through_id=through,
                last_hash=last.row_hash,
                rows_purged=len(doomed),
                actor=actor,
            )
        )
        for row in doomed:
            chain.delete(row)
        chain.commit()
    record(
        session, actor=actor, action="audit.purge", detail=f"through={through} rows={len(doomed)}"
    )
    return len(doomed)


def _anchor(session: Session) -> AuditAnchorRow | None:
    return session.exec(
        select(AuditAnchorRow).order_by(col(AuditAnchorRow.id).desc()).limit(1)
    ).first()


@dataclass
class ChainReport:
    ok: bool
    rows: int
    problem: str = ""
    row_id: int | None = None


def verify(session: Session, batch: int = 5000) -> ChainReport:
    anchor = _anchor(session)
    prev, count = (anchor.last_hash if anchor else GENESIS), 0
    for row in _rows(session, batch):
        count += 1
        if row.prev_hash != prev:
            return ChainReport(
                False,
                count,
                "前の行との連鎖が切れています（行の削除・挿入） / chain link broken",
                row.id,
            )
        if row_digest(row) != row.row_hash:
            return ChainReport(
                False, count, "行の内容がハッシュと一致しません（改ざん） / row edited", row.id
            )
        prev = row.row_hash
    return ChainReport(True, count)


def _rows(session: Session, batch: int) -> Iterator[AuditRow]:
    last_id = 0
    while True:
        rows = session.exec(
            select(AuditRow)
            .where(col(AuditRow.id) > last_id)
            .order_by(col(AuditRow.id))
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id or last_id


@dataclass
class AuditQuery:
    actor: str | None = None
    action: str | None = None
    visit_id: str | None = None
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 500


def search(session: Session, q: AuditQuery) -> list[AuditRow]:
    stmt = select(AuditRow)
    for column, value in (
        (AuditRow.actor, q.actor),
        (AuditRow.action, q.action),
        (AuditRow.visit_id, q.visit_id),
        (AuditRow.subject, q.subject),
    ):
        if value:
            stmt = stmt.where(col(column) == value)
    if q.since:
        stmt = stmt.where(col(AuditRow.at) >= q.since)
    if q.until:
        stmt = stmt.where(col(AuditRow.at) < q.until)
    return list(session.exec(stmt.order_by(col(AuditRow.id)).limit(q.limit)).all())
