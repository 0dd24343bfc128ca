"""The resident register as stored in the application database."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from adapters.tables import ResidentRow
from domain.names import kana_key, name_key
from domain.resident import ResidentRecord
from domain.visit import IdCardData

# Enough rows for ranking to find the person even where a birth date is shared widely.
_SEARCH_LIMIT = 500


def to_row(r: ResidentRecord, extras: str = "{}") -> ResidentRow:
    return ResidentRow(
        **{k: getattr(r, k) for k in ResidentRecord.__dataclass_fields__},
        name_key=name_key(r.name),
        kana_key=kana_key(r.kana),
        extras=extras,
    )


def to_record(row: ResidentRow) -> ResidentRecord:
    return ResidentRecord(**{k: getattr(row, k) for k in ResidentRecord.__dataclass_fields__})


def add_all(session: Session, records: Iterable[ResidentRecord]) -> int:
    rows = [to_row(r) for r in records]
    session.add_all(rows)
    session.commit()
    return len(rows)


def count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(ResidentRow)).one())


def get(session: Session, atena_no: str) -> ResidentRecord | None:
    row = session.get(ResidentRow, atena_no)
    return to_record(row) if row else None


def search_for_card(session: Session, card: IdCardData) -> list[ResidentRecord]:
    """Rows that might be the card holder; ranking happens in domain.matching."""
    conditions = [col(ResidentRow.name_key) == name_key(card.name)]
    if card.kana:
        conditions.append(col(ResidentRow.kana_key) == kana_key(card.kana))
    conditions.append(col(ResidentRow.birth_date) == card.birth_date)
    stmt = (
        select(ResidentRow)
        .where(or_(*conditions))
        .where(ResidentRow.status == "住民")
        .limit(_SEARCH_LIMIT)
    )
    return [to_record(row) for row in session.exec(stmt)]
