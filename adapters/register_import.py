"""Applying parsed 住民記録 rows to the register, one chunk per transaction.

The chunk's marker row is written in the same transaction as its residents, quarantine and
history rows, so a crash leaves a chunk either wholly applied or not at all, and a retry
skips what is done.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime

from sqlalchemy import insert
from sqlmodel import Session, col, select

from adapters.residents import to_record
from adapters.tables import (
    ImportChunkRow,
    ImportRow,
    QuarantineRow,
    ResidentHistoryRow,
    ResidentRow,
)
from domain.juki_file import Column, ParsedRow, problems
from domain.names import kana_key, name_key
from domain.resident import ResidentRecord
from domain.resident_search import address_key

_FIELDS = tuple(ResidentRecord.__dataclass_fields__)


def record_from(row: ParsedRow) -> ResidentRecord:
    return ResidentRecord(**{k: row.items.get(k, "") for k in _FIELDS})


def _values(record: ResidentRecord) -> dict[str, str]:
    # The record is flat: reading the fields is much cheaper than dataclasses.asdict.
    return {k: getattr(record, k) for k in _FIELDS}


def _json(record: ResidentRecord) -> str:
    return json.dumps(_values(record), ensure_ascii=False, sort_keys=True)


def _new_row(record: ResidentRecord, extras: str) -> dict[str, object]:
    """A residents row as plain values: a bulk insert of these skips the ORM's per-object cost."""
    return {
        **_values(record),
        "name_key": name_key(record.name),
        "kana_key": kana_key(record.kana),
        "address_key": address_key(record.address),
        "extras": extras,
    }


def apply_chunk(
    session: Session,
    file_key: str,
    chunk: int,
    parsed: list[ParsedRow],
    layout: Mapping[str, Column],
    today: date,
) -> tuple[int, int]:
    """(applied, quarantined) for the chunk; a chunk applied before is not applied again.

    One query finds the chunk's existing residents; new people and history go in as bulk
    inserts (a full snapshot is almost all new people), changed people are updated.
    """
    done = session.get(ImportChunkRow, (file_key, chunk))
    if done is not None:
        return done.applied, done.quarantined
    good: list[tuple[ParsedRow, ResidentRecord]] = []
    quarantine: list[dict[str, object]] = []
    for row in parsed:
        issues = problems(row, layout, today)
        if issues:
            quarantine += [
                {"file_key": file_key, "row": row.row, "item": item, "reason": reason}
                for item, reason in issues
            ]
        else:
            good.append((row, record_from(row)))
    quarantined = len({q["row"] for q in quarantine})
    ids = [r.atena_no for _, r in good]
    existing = {
        e.atena_no: e
        for e in session.exec(select(ResidentRow).where(col(ResidentRow.atena_no).in_(ids))).all()
    }
    new_people: dict[str, dict[str, object]] = {}
    history: list[dict[str, object]] = []
    now = datetime.now(UTC)
    for row, record in good:
        extras = json.dumps(row.extras, ensure_ascii=False)
        after = _json(record)
        pending = new_people.get(record.atena_no)
        if pending is not None:
            # The same new person twice in one chunk (a delta): the later row wins.
            before = json.dumps(
                {k: pending[k] for k in _FIELDS}, ensure_ascii=False, sort_keys=True
            )
            pending.update(_new_row(record, extras))
            history.append(_history(file_key, row.row, record, before, after, now))
            continue
        old = existing.get(record.atena_no)
        before = _json(to_record(old)) if old is not None else ""
        if old is not None and before == after and old.extras == extras:
            continue  # unchanged: nothing to write, nothing to record
        if old is None:
            new_people[record.atena_no] = _new_row(record, extras)
        else:
            for name in _FIELDS:
                setattr(old, name, getattr(record, name))
            old.name_key, old.kana_key = name_key(record.name), kana_key(record.kana)
            old.address_key = address_key(record.address)
            old.extras = extras
            session.add(old)
        history.append(_history(file_key, row.row, record, before, after, now))
    if new_people:
        session.execute(insert(ResidentRow), list(new_people.values()))
    if history:
        session.execute(insert(ResidentHistoryRow), history)
    if quarantine:
        session.execute(insert(QuarantineRow), quarantine)
    applied = len(good)
    session.add(
        ImportChunkRow(file_key=file_key, chunk=chunk, applied=applied, quarantined=quarantined)
    )
    imp = session.get(ImportRow, file_key)
    if imp is not None:
        imp.applied += applied
        imp.quarantined += quarantined
        session.add(imp)
    session.commit()
    return applied, quarantined


def _history(
    file_key: str, row: int, record: ResidentRecord, before: str, after: str, at: datetime
) -> dict[str, object]:
    return {
        "atena_no": record.atena_no, "file_key": file_key, "row": row,
        "idou_jiyu": record.idou_jiyu, "idou_on": record.idou_on,
        "before": before, "after": after, "at": at,
    }  # fmt: skip


def finish(session: Session, file_key: str) -> ImportRow | None:
    imp = session.get(ImportRow, file_key)
    if imp is not None:
        imp.status, imp.finished_at = "done", datetime.now(UTC)
        session.add(imp)
        session.commit()
    return imp
