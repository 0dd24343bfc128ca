"""The resident register as stored in the application database."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from adapters.tables import ResidentRow
from domain.names import kana_key, name_key
from domain.resident import ACTIVE_STATUSES, ResidentRecord
from domain.resident_search import SearchKind, address_key, prefix_upper_bound, search_key
from domain.visit import IdCardData

# Enough rows for ranking to find the person even where a birth date is shared widely.
_SEARCH_LIMIT = 500


def to_row(r: ResidentRecord, extras: str = "{}") -> ResidentRow:
    return ResidentRow(
        **{k: getattr(r, k) for k in ResidentRecord.__dataclass_fields__},
        name_key=name_key(r.name),
        kana_key=kana_key(r.kana),
        address_key=address_key(r.address),
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
        .where(col(ResidentRow.status).in_(ACTIVE_STATUSES))
        .limit(_SEARCH_LIMIT)
    )
    return [to_record(row) for row in session.exec(stmt)]


_KEY_COLUMN = {
    SearchKind.KANA: ResidentRow.kana_key,
    SearchKind.NAME: ResidentRow.name_key,
    SearchKind.ADDRESS: ResidentRow.address_key,
    SearchKind.BIRTH_DATE: ResidentRow.birth_date,
    SearchKind.ATENA_NO: ResidentRow.atena_no,
    SearchKind.JUMINHYO_CODE: ResidentRow.juminhyo_code,
}
_PREFIX_KINDS = frozenset({SearchKind.KANA, SearchKind.NAME, SearchKind.ADDRESS})


def search(session: Session, kind: SearchKind, text: str, limit: int = 50) -> list[ResidentRecord]:
    """One indexed range or equality: prefixes for names, kana and addresses, exact otherwise.
    Current residents first (消除 after), then by kana and birth date."""
    key = search_key(kind, text)
    if not key:
        return []
    column = col(_KEY_COLUMN[kind])
    condition: ColumnElement[bool]
    if kind in _PREFIX_KINDS:
        condition = (column >= key) & (column < prefix_upper_bound(key))
    else:
        condition = column == key
    stmt = select(ResidentRow).where(condition).limit(limit * 4)
    rows = [to_record(r) for r in session.exec(stmt)]
    rows.sort(key=lambda r: (r.status != "住民", kana_key(r.kana), r.birth_date))
    return rows[:limit]


def households(session: Session, numbers: list[str]) -> dict[str, list[ResidentRecord]]:
    if not numbers:
        return {}
    stmt = (
        select(ResidentRow)
        .where(col(ResidentRow.household_no).in_(numbers))
        .where(col(ResidentRow.status).in_(ACTIVE_STATUSES))
    )
    found: dict[str, list[ResidentRecord]] = {n: [] for n in numbers}
    for row in session.exec(stmt):
        found[row.household_no].append(to_record(row))
    return found
