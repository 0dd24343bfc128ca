"""Applying parsed 住民記録 rows to the register, one chunk per transaction.

The chunk's marker row is written in the same transaction as its residents, quarantine and
history rows, so a crash leaves a chunk either wholly applied or not at all, and a retry
skips what is done.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime

from sqlmodel import Session

from adapters.residents import to_record, to_row
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

_FIELDS = tuple(ResidentRecord.__dataclass_fields__)


def record_from(row: ParsedRow) -> ResidentRecord:
    return ResidentRecord(**{k: row.items.get(k, "") for k in _FIELDS})


def _json(record: ResidentRecord) -> str:
    return json.dumps(asdict(record), ensure_ascii=False, sort_keys=True)


def apply_chunk(
    session: Session,
    file_key: str,
    chunk: int,
    parsed: list[ParsedRow],
    layout: Mapping[str, Column],
    today: date,
) -> tuple[int, int]:
    """(applied, quarantined) for the chunk; a chunk applied before is not applied again."""
    done = session.get(ImportChunkRow, (file_key, chunk))
    if done is not None:
        return done.applied, done.quarantined
    applied = quarantined = 0
    for row in parsed:
        issues = problems(row, layout, today)
        if issues:
            quarantined += 1
            for item, reason in issues:
                session.add(QuarantineRow(file_key=file_key, row=row.row, item=item, reason=reason))
            continue
        record = record_from(row)
        existing = session.get(ResidentRow, record.atena_no)
        before = _json(to_record(existing)) if existing is not None else ""
        after = _json(record)
        extras = json.dumps(row.extras, ensure_ascii=False)
        if before == after and existing is not None and existing.extras == extras:
            applied += 1  # unchanged: nothing to write, nothing to record
            continue
        if existing is None:
            session.add(to_row(record, extras))
        else:
            for name in _FIELDS:
                setattr(existing, name, getattr(record, name))
            existing.name_key, existing.kana_key = name_key(record.name), kana_key(record.kana)
            existing.extras = extras
            session.add(existing)
        session.add(
            ResidentHistoryRow(
                atena_no=record.atena_no,
                file_key=file_key,
                row=row.row,
                idou_jiyu=record.idou_jiyu,
                idou_on=record.idou_on,
                before=before,
                after=after,
            )
        )
        applied += 1
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


def finish(session: Session, file_key: str) -> ImportRow | None:
    imp = session.get(ImportRow, file_key)
    if imp is not None:
        imp.status, imp.finished_at = "done", datetime.now(UTC)
        session.add(imp)
        session.commit()
    return imp
