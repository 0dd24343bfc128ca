"""整理券 (queue tickets): one number per visit per day, allocated idempotently."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from adapters.tables import TicketRow


def issue(session: Session, visit_id: str, day: str) -> int:
    """Return the visit's ticket number, allocating the day's next one the first time."""
    return issue_once(session, visit_id, day)[0]


def issue_once(session: Session, visit_id: str, day: str) -> tuple[int, bool]:
    """The visit's ticket number, and whether this call allocated it (False: the visit had
    one already — a repeated request)."""
    for _ in range(20):
        existing = session.get(TicketRow, visit_id)
        if existing is not None:
            return existing.number, False
        last = session.exec(select(func.max(TicketRow.number)).where(TicketRow.day == day)).one()
        session.add(TicketRow(visit_id=visit_id, day=day, number=(last or 0) + 1))
        try:
            session.commit()
        except IntegrityError:
            # Another visit took that number (or this visit was retried concurrently): look again.
            session.rollback()
            continue
        return (last or 0) + 1, True
    raise RuntimeError("could not allocate a ticket number after 20 attempts")
