"""The handoff outbox in SQL: records waiting for a batch, batches waiting for a robot,
leases, and the robot's reports.

Exactly once rests on three things: a record joins a batch only by a conditional UPDATE
(``batch_id IS NULL AND status = 'pending'``) inside the transaction that creates the batch;
batch ids are chosen by the workflow, so a re-run activity finds its own batch again; and a
lease is taken by a conditional UPDATE on the batch row, so two robots can never both hold
it. Times are UTC; SQLite hands them back without a zone (``as_utc``).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, func, select

from adapters.tables import HandoffBatchRow, HandoffLayoutRow, HandoffRecordRow
from adapters.users import as_utc
from domain.catalog import CsvColumn, CsvLayout, Degradation

PENDING, HELD, BATCHED, DONE, ERROR = "pending", "held", "batched", "done", "error"
OPEN, READY, FINISHED = "open", "ready", "done"


def utcnow() -> datetime:
    return datetime.now(UTC)


class OutboxError(Exception):
    """A request the outbox refuses; ``status`` is the HTTP status it maps to."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class NewRecord:
    record_id: str
    visit_id: str
    procedure_code: str
    layout: CsvLayout
    values: list[str]
    problems: list[str] = field(default_factory=list)
    degraded: list[str] = field(default_factory=list)


@dataclass
class Lease:
    batch_id: str
    lease_id: str
    until: datetime


@dataclass
class Report:
    record_id: str
    visit_id: str
    outcome: str
    message: str
    seq: int
    changed: bool  # False: the same report again, nothing new happened
    delivered: bool = False  # the visit already has it


def layout_to_json(layout: CsvLayout) -> str:
    return json.dumps(asdict(layout), ensure_ascii=False, sort_keys=True)


def layout_from_json(text: str) -> CsvLayout:
    raw: dict[str, Any] = json.loads(text)
    raw["columns"] = [CsvColumn(**c) for c in raw["columns"]]
    raw["degradation"] = Degradation(**raw["degradation"])
    return CsvLayout(**raw)


# -- the visit side ---------------------------------------------------------------------


def enqueue(session: Session, records: list[NewRecord]) -> list[HandoffRecordRow]:
    """Put a visit's records in the outbox once: a retried activity finds them there and
    leaves them as they are (they may already be in a batch)."""
    out = []
    for r in records:
        if session.get(HandoffLayoutRow, r.layout.ref) is None:
            session.add(HandoffLayoutRow(ref=r.layout.ref, body=layout_to_json(r.layout)))
            session.flush()
        row = session.get(HandoffRecordRow, r.record_id)
        if row is None:
            row = HandoffRecordRow(
                record_id=r.record_id,
                visit_id=r.visit_id,
                procedure_code=r.procedure_code,
                layout=r.layout.ref,
                values_json=json.dumps(r.values, ensure_ascii=False),
                status=HELD if r.problems else PENDING,
                problems=json.dumps(r.problems, ensure_ascii=False),
                degraded=json.dumps(r.degraded, ensure_ascii=False),
            )
            session.add(row)
        out.append(row)
    session.commit()
    return out


def layout(session: Session, ref: str) -> CsvLayout:
    row = session.get(HandoffLayoutRow, ref)
    if row is None:
        raise OutboxError(500, f"layout {ref} was never recorded")
    return layout_from_json(row.body)


# -- batches ----------------------------------------------------------------------------


def pending_layouts(session: Session) -> list[str]:
    stmt = select(HandoffRecordRow.layout).where(HandoffRecordRow.status == PENDING).distinct()
    return sorted(session.exec(stmt).all())


def open_batches(session: Session) -> list[str]:
    """Batches reserved but not yet ready: a batch run that died part way leaves these."""
    stmt = select(HandoffBatchRow.batch_id).where(HandoffBatchRow.status == OPEN)
    return sorted(session.exec(stmt).all())


def reserve(session: Session, batch_id: str, layout_ref: str, limit: int) -> int:
    """Create the batch and move up to ``limit`` pending records of the layout into it, in
    one transaction. Called again with the same id, it changes nothing and says how many
    records the batch has."""
    existing = session.get(HandoffBatchRow, batch_id)
    if existing is not None:
        return batch_size(session, batch_id)
    session.add(HandoffBatchRow(batch_id=batch_id, layout=layout_ref, status=OPEN))
    session.flush()
    oldest = (
        select(HandoffRecordRow.record_id)
        .where(HandoffRecordRow.layout == layout_ref, HandoffRecordRow.status == PENDING)
        .order_by(col(HandoffRecordRow.created_at), col(HandoffRecordRow.record_id))
        .limit(limit)
    )
    ids = list(session.exec(oldest).all())
    if ids:
        session.execute(
            update(HandoffRecordRow)
            .where(
                col(HandoffRecordRow.record_id).in_(ids),
                col(HandoffRecordRow.status) == PENDING,
                col(HandoffRecordRow.batch_id).is_(None),
            )
            .values(batch_id=batch_id, status=BATCHED, attempt=HandoffRecordRow.attempt + 1)
        )
    count = batch_size(session, batch_id)
    if count == 0:
        session.delete(session.get(HandoffBatchRow, batch_id))
    session.commit()
    return count


def batch_size(session: Session, batch_id: str) -> int:
    stmt = select(func.count()).where(HandoffRecordRow.batch_id == batch_id)
    return int(session.exec(stmt).one())


def batch_rows(session: Session, batch_id: str) -> list[HandoffRecordRow]:
    stmt = (
        select(HandoffRecordRow)
        .where(HandoffRecordRow.batch_id == batch_id)
        .order_by(col(HandoffRecordRow.record_id))
    )
    return list(session.exec(stmt).all())


def batch(session: Session, batch_id: str) -> HandoffBatchRow:
    row = session.get(HandoffBatchRow, batch_id)
    if row is None:
        raise OutboxError(404, f"一括ファイル {batch_id} はありません / unknown batch")
    return row


def mark_ready(
    session: Session, batch_id: str, object_key: str, manifest_key: str, sha256: str, count: int
) -> bool:
    """Open → ready; False when it already was (a retried activity)."""
    row = batch(session, batch_id)
    if row.status != OPEN:
        return False
    row.status, row.ready_at = READY, utcnow()
    row.object_key, row.manifest_key = object_key, manifest_key
    row.sha256, row.record_count = sha256, count
    session.add(row)
    session.commit()
    return True


# -- the robot's side -------------------------------------------------------------------


def claimable(session: Session, now: datetime | None = None) -> list[HandoffBatchRow]:
    """Ready batches nobody holds, and those whose lease ran out (a robot that crashed)."""
    now = now or utcnow()
    stmt = (
        select(HandoffBatchRow)
        .where(
            HandoffBatchRow.status == READY,
            or_(
                col(HandoffBatchRow.lease_until).is_(None),
                col(HandoffBatchRow.lease_until) < now,
            ),
        )
        .order_by(col(HandoffBatchRow.ready_at), col(HandoffBatchRow.batch_id))
    )
    return list(session.exec(stmt).all())


def claim(session: Session, batch_id: str, holder: str, seconds: float) -> Lease:
    now = utcnow()
    row = batch(session, batch_id)
    if row.status != READY:
        raise OutboxError(
            409, f"一括ファイル {batch_id} は{_status_ja(row.status)}です / {row.status}"
        )
    lease = Lease(batch_id, secrets.token_hex(16), now + timedelta(seconds=seconds))
    result = session.execute(
        update(HandoffBatchRow)
        .where(
            col(HandoffBatchRow.batch_id) == batch_id,
            col(HandoffBatchRow.status) == READY,
            or_(
                col(HandoffBatchRow.lease_until).is_(None),
                col(HandoffBatchRow.lease_until) < now,
                and_(
                    col(HandoffBatchRow.lease_holder) == holder,
                    col(HandoffBatchRow.lease_until) >= now,
                ),
            ),
        )
        .values(
            lease_id=lease.lease_id,
            lease_holder=holder,
            lease_until=lease.until,
            claims=HandoffBatchRow.claims + 1,
        )
    )
    session.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise OutboxError(
            409, f"一括ファイル {batch_id} は他の端末が処理中です / leased by another"
        )
    return lease


def _status_ja(status: str) -> str:
    return {OPEN: "作成中", READY: "処理待ち", FINISHED: "処理済み"}.get(status, status)


def check_lease(session: Session, batch_id: str, lease_id: str) -> HandoffBatchRow:
    row = batch(session, batch_id)
    if not lease_id or row.lease_id != lease_id:
        raise OutboxError(
            409, "このリースは無効です（他の端末に移りました）/ the lease moved on to another robot"
        )
    until = as_utc(row.lease_until)
    if until is None or until < utcnow():
        raise OutboxError(409, "リースの期限が切れています / the lease has expired; claim again")
    return row


def report(
    session: Session,
    batch_id: str,
    lease_id: str,
    record_id: str,
    outcome: str,
    message: str,
    robot: str,
) -> Report:
    """The robot's word on one record. The same report again changes nothing; a report
    that contradicts a finished one is refused."""
    row_batch = batch(session, batch_id)
    record = session.get(HandoffRecordRow, record_id)
    if record is None:
        raise OutboxError(404, f"レコード {record_id} はありません / unknown record")
    if record.batch_id != batch_id:
        raise OutboxError(
            409, f"レコード {record_id} はこの一括ファイルのものではありません / not in this batch"
        )
    same = record.status == outcome and record.outcome_message == message
    if same:  # a repeat: answer as before, even if the lease has since ended
        delivered = record.delivered_seq >= record.report_seq
        return Report(
            record_id, record.visit_id, outcome, message, record.report_seq, False, delivered
        )
    check_lease(session, batch_id, lease_id)
    if record.status == DONE:
        raise OutboxError(409, f"レコード {record_id} は完了報告済みです / already reported done")
    record.status, record.outcome_message = outcome, message
    record.reported_by, record.reported_at = robot, utcnow()
    record.report_seq += 1
    session.add(record)
    session.flush()
    _finish_if_complete(session, row_batch)
    session.commit()
    return Report(record_id, record.visit_id, outcome, message, record.report_seq, True)


def _finish_if_complete(session: Session, row: HandoffBatchRow) -> None:
    left = select(func.count()).where(
        HandoffRecordRow.batch_id == row.batch_id, HandoffRecordRow.status == BATCHED
    )
    if int(session.exec(left).one()) == 0:
        row.status = FINISHED
        session.add(row)


def undelivered(session: Session, limit: int = 500) -> list[HandoffRecordRow]:
    """Reports the visits have not yet received (an API that died before telling them)."""
    stmt = (
        select(HandoffRecordRow)
        .where(col(HandoffRecordRow.report_seq) > col(HandoffRecordRow.delivered_seq))
        .order_by(col(HandoffRecordRow.reported_at))
        .limit(limit)
    )
    return list(session.exec(stmt).all())


def mark_delivered(session: Session, record_id: str, seq: int) -> None:
    session.execute(
        update(HandoffRecordRow)
        .where(
            col(HandoffRecordRow.record_id) == record_id,
            col(HandoffRecordRow.delivered_seq) < seq,
        )
        .values(delivered_seq=seq)
    )
    session.commit()


# -- supervisors ------------------------------------------------------------------------


def record(session: Session, record_id: str) -> HandoffRecordRow:
    row = session.get(HandoffRecordRow, record_id)
    if row is None:
        raise OutboxError(404, f"レコード {record_id} はありません / unknown record")
    return row


def requeue(session: Session, record_id: str, values: list[str] | None = None) -> None:
    """Back to pending for the next batch: after the robot reported an error, or for a held
    record once it can be written (``values``: the row as it now passes the checks).

    A record still in a batch cannot be re-queued: the robot may yet type it, and typing
    it twice is a double registration. Wait for its report, or mark it done by hand."""
    row = record(session, record_id)
    if row.status not in (ERROR, HELD):
        raise OutboxError(
            409,
            f"レコード {record_id} は再送できません（状態: {row.status}）"
            " / only records the robot failed or that were held can be re-queued",
        )
    if values is not None:
        row.values_json = json.dumps(values, ensure_ascii=False)
        row.problems = "[]"
    row.status, row.batch_id, row.outcome_message = PENDING, None, ""
    session.add(row)
    session.commit()


def mark_done_by_hand(session: Session, record_id: str, staff: str, reason: str) -> Report:
    row = record(session, record_id)
    if row.status == DONE:
        raise OutboxError(409, f"レコード {record_id} は完了済みです / already done")
    row.status, row.outcome_message = DONE, f"手動完了: {reason}"
    row.reported_by, row.reported_at = staff, utcnow()
    row.report_seq += 1
    session.add(row)
    session.commit()
    return Report(record_id, row.visit_id, DONE, row.outcome_message, row.report_seq, True)


def counts(session: Session) -> dict[str, int]:
    stmt = select(HandoffRecordRow.status, func.count()).group_by(HandoffRecordRow.status)
    return {str(s): int(n) for s, n in session.exec(stmt).all()}


def records_by_status(session: Session, statuses: list[str], limit: int) -> list[HandoffRecordRow]:
    stmt = (
        select(HandoffRecordRow)
        .where(col(HandoffRecordRow.status).in_(statuses))
        .order_by(col(HandoffRecordRow.created_at))
        .limit(limit)
    )
    return list(session.exec(stmt).all())


def visit_records(session: Session, visit_id: str) -> list[HandoffRecordRow]:
    stmt = select(HandoffRecordRow).where(HandoffRecordRow.visit_id == visit_id)
    return list(session.exec(stmt).all())
