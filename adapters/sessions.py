"""Server-side login sessions. The client holds a random token; we keep only its hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, col, delete, select

from adapters.tables import SessionRow, UserRow
from adapters.users import as_utc

# Built once: every request of a logged-in screen resolves its session, and building the
# statement each time cost about a third of the lookup's CPU.
_LIVE = (
    select(SessionRow, UserRow)
    .outerjoin(UserRow, col(UserRow.staff_id) == col(SessionRow.staff_id))
    .where(col(SessionRow.token_hash) == bindparam("token_hash"))
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class NewSession:
    token: str
    csrf_token: str


def create(session: Session, staff_id: str, *, kind: str, terminal: str) -> NewSession:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    session.add(
        SessionRow(
            token_hash=token_hash(token),
            staff_id=staff_id,
            csrf_token=csrf,
            kind=kind,
            terminal=terminal,
        )
    )
    session.commit()
    return NewSession(token, csrf)


def resolve(
    session: Session, token: str, *, idle: timedelta, absolute: timedelta
) -> tuple[SessionRow, UserRow | None] | None:
    """The live session for a token and its user (None if the account is gone), touching the
    session's idle clock; expired sessions are removed. One query for both, since every
    request of a logged-in screen asks."""
    found = session.exec(_LIVE, params={"token_hash": token_hash(token)}).first()
    if found is None:
        return None
    row, user = found
    now = datetime.now(UTC)
    created, seen = as_utc(row.created_at), as_utc(row.last_seen_at)
    assert created is not None and seen is not None
    if now - seen > idle or now - created > absolute:
        session.delete(row)
        session.commit()
        return None
    # Touch at most once a minute: a busy screen should not write on every request.
    if now - seen > timedelta(minutes=1):
        row.last_seen_at = now
        session.add(row)
        session.commit()
    return row, user


def end(session: Session, token: str) -> None:
    session.exec(delete(SessionRow).where(col(SessionRow.token_hash) == token_hash(token)))
    session.commit()


def end_all(session: Session, staff_id: str) -> int:
    rows = session.exec(select(SessionRow).where(SessionRow.staff_id == staff_id)).all()
    for row in rows:
        session.delete(row)
    session.commit()
    return len(rows)
