"""``mado audit``: verify the chain, export entries for the city's auditors."""

from __future__ import annotations

import csv
import io
import sys
from datetime import UTC, datetime, timedelta

from adapters import audit
from adapters.db import session_scope
from adapters.tables import AuditRow
from madoguchi.settings import Settings

EXPORT_COLUMNS = [
    "id", "at", "actor", "role", "terminal", "action", "visit_id", "subject", "result",
    "detail", "prev_hash", "row_hash",
]  # fmt: skip


def verify(settings: Settings) -> int:
    with session_scope(settings.sqlalchemy_url) as session:
        report = audit.verify(session)
    if report.ok:
        print(f"audit log OK: {report.rows} rows, chain intact")
        return 0
    print(f"audit log BROKEN at row {report.row_id}: {report.problem}", file=sys.stderr)
    return 1


def purge(settings: Settings) -> int:
    cutoff = datetime.now(UTC) - timedelta(days=settings.audit_retention_days)
    with session_scope(settings.sqlalchemy_url) as session:
        purged = audit.purge_before(session, cutoff, actor="cli:audit-purge")
    days = settings.audit_retention_days
    print(f"purged {purged} audit rows older than {cutoff.date()} (retention {days} days)")
    return 0


def to_csv(rows: list[AuditRow]) -> str:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for r in rows:
        writer.writerow([getattr(r, c) if c != "at" else r.at.isoformat() for c in EXPORT_COLUMNS])
    return buf.getvalue()


def export(settings: Settings, since: datetime | None, until: datetime | None, out: str) -> int:
    with session_scope(settings.sqlalchemy_url) as session:
        rows = audit.search(session, audit.AuditQuery(since=since, until=until, limit=10_000_000))
    text = to_csv(rows)
    if out == "-":
        sys.stdout.write(text)
    else:
        with open(out, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        print(f"exported {len(rows)} audit rows to {out}")
    return 0
