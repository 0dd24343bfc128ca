"""Tablets paired to counters, and what each counter has sent to its tablet."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, delete, select

from adapters.tables import TabletPairingRow, TabletRequestRow, TabletRow
from adapters.users import as_utc

CODE_DIGITS = 8


class TabletError(Exception):
    pass


def _now() -> datetime:
    return datetime.now(UTC)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_pairing_code(session: Session, counter: str, staff: str, minutes: float = 10) -> str:
    """A single-use code, valid for a few minutes, that pairs one tablet to the counter."""
    session.exec(delete(TabletPairingRow).where(col(TabletPairingRow.expires_at) < _now()))
    while True:
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        if session.get(TabletPairingRow, code) is None:
            break
    session.add(
        TabletPairingRow(
            code=code, counter=counter, created_by=staff,
            expires_at=_now() + timedelta(minutes=minutes),
        )
    )  # fmt: skip
    session.commit()
    return code


def pair(session: Session, code: str) -> tuple[str, str]:
    """The code for a tablet token (kept only as a hash) and the counter it serves."""
    row = session.get(TabletPairingRow, code.strip())
    expires = as_utc(row.expires_at) if row else None
    if row is None or expires is None or expires < _now():
        raise TabletError("接続コードが正しくないか、期限切れです / unknown or expired code")
    counter, staff = row.counter, row.created_by
    session.delete(row)  # single use
    token = secrets.token_urlsafe(32)
    session.add(TabletRow(token_hash=_hash(token), counter=counter, paired_by=staff))
    session.commit()
    return token, counter


def tablet(session: Session, token: str) -> TabletRow | None:
    return session.get(TabletRow, _hash(token)) if token else None


def send(
    session: Session, counter: str, visit_id: str, language: str, staff: str, seconds: float
) -> None:
    """Replace whatever the counter's tablet showed by this visit."""
    row = session.get(TabletRequestRow, counter) or TabletRequestRow(
        counter=counter, visit_id=visit_id, language=language, sent_by=staff, expires_at=_now()
    )
    row.visit_id, row.language, row.sent_by = visit_id, language, staff
    row.expires_at = _now() + timedelta(seconds=seconds)
    session.add(row)
    session.commit()


def current(session: Session, counter: str) -> TabletRequestRow | None:
    """What the counter's tablet should show now; nothing once it timed out."""
    row = session.get(TabletRequestRow, counter)
    expires = as_utc(row.expires_at) if row else None
    if row is None or expires is None or expires < _now():
        return None
    return row


def sent_visit(session: Session, visit_id: str) -> TabletRequestRow | None:
    stmt = select(TabletRequestRow).where(TabletRequestRow.visit_id == visit_id)
    row = session.exec(stmt).first()
    return row if row is not None and current(session, row.counter) is not None else None


def clear(session: Session, counter: str, visit_id: str) -> None:
    """The tablet forgets the visit (signed, or taken back by staff)."""
    row = session.get(TabletRequestRow, counter)
    if row is not None and row.visit_id == visit_id:
        session.delete(row)
        session.commit()
