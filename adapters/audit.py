"""Audit entries for reads and changes of personal data."""

from __future__ import annotations

from sqlmodel import Session

from adapters.tables import AuditRow


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    visit_id: str = "",
    subject: str = "",
    result: str = "ok",
    detail: str = "",
) -> None:
    session.add(
        AuditRow(
            actor=actor,
            action=action,
            visit_id=visit_id,
            subject=subject,
            result=result,
            detail=detail,
        )
    )
    session.commit()
