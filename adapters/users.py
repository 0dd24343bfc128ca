"""Staff accounts: who they are, their roles, their credentials and lockout state."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, select

from adapters.passwords import hash_secret
from adapters.tables import UserRow


def as_utc(dt: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without a zone; everything we store is UTC."""
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def card_hash(card_id: str) -> str:
    # The card's ID (FeliCa IDm) is an identifier, not a secret: a hash finds it, and the
    # PIN, hashed with Argon2, is what proves the holder.
    return hashlib.sha256(card_id.strip().upper().encode()).hexdigest()


@dataclass
class StaffAccount:
    staff_id: str
    display_name: str
    roles: list[str]
    department: str
    counter_group: str
    active: bool = True
    card_id: str = ""  # only on import; stored as a hash


def get(session: Session, staff_id: str) -> UserRow | None:
    return session.get(UserRow, staff_id)


def by_card(session: Session, card_id: str) -> UserRow | None:
    return session.exec(select(UserRow).where(UserRow.card_id_hash == card_hash(card_id))).first()


def roles_of(row: UserRow) -> list[str]:
    return list(json.loads(row.roles))


def upsert(
    session: Session, account: StaffAccount, *, password: str | None = None, pin: str | None = None
) -> UserRow:
    row = session.get(UserRow, account.staff_id) or UserRow(
        staff_id=account.staff_id, display_name="", roles="[]", department="", counter_group=""
    )
    row.display_name = account.display_name
    row.roles = json.dumps(sorted(account.roles))
    row.department, row.counter_group = account.department, account.counter_group
    if account.active and not row.active:
        row.deactivated_at = None
    if not account.active and row.active:
        row.deactivated_at = datetime.now(UTC)
    row.active = account.active
    if account.card_id:
        row.card_id_hash = card_hash(account.card_id)
    if password is not None:
        row.password_hash = hash_secret(password)
    if pin is not None:
        row.pin_hash = hash_secret(pin)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def all_users(session: Session) -> list[UserRow]:
    return list(session.exec(select(UserRow).order_by(UserRow.staff_id)).all())
