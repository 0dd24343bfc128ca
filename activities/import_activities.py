"""Activities of a resident import: inspect the inbound file, apply it in chunks, finish."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path, PurePosixPath

from sqlmodel import select
from temporalio import activity

from activities.context import bind_activity_log_context
from adapters import audit, register_import
from adapters.catalog_files import load_juki_layout
from adapters.db import session_scope
from adapters.object_store import ObjectStore
from adapters.tables import ImportRow
from domain.juki_file import FileRejected, check_file, header_map, parse_manifest, rows
from madoguchi.logging import get_logger

log = get_logger(__name__)


@dataclass
class InspectInput:
    manifest_key: str


@dataclass
class Inspected:
    file_key: str
    sha256: str
    kind: str
    rows: int
    status: str  # ok | rejected | duplicate
    reason: str = ""


@dataclass
class ApplyInput:
    file_key: str
    chunk_size: int = 2000


@dataclass
class Applied:
    applied: int
    quarantined: int


class ImportActivities:
    def __init__(self, *, database_url: str, store: ObjectStore, catalog_dir: Path) -> None:
        self.database_url = database_url
        self.store = store
        self.catalog_dir = catalog_dir

    def _record(
        self, key: str, sha: str, kind: str, rows_: int, status: str, reason: str = ""
    ) -> None:
        with session_scope(self.database_url) as session:
            row = session.get(ImportRow, key) or ImportRow(file_key=key, sha256=sha)
            row.sha256, row.kind, row.rows, row.status, row.reason = (
                sha,
                kind,
                rows_,
                status,
                reason[:500],
            )
            if status in ("rejected", "duplicate"):
                row.finished_at = datetime.now(UTC)
            session.add(row)
            session.commit()
            audit.record(
                session,
                actor="system:import",
                action=f"register.import.{status}",
                subject=key[-64:],
                detail=reason[:500],
                terminal="worker",
            )

    @activity.defn(name="inspect_inbound")
    def inspect_inbound(self, inp: InspectInput) -> Inspected:
        bind_activity_log_context()
        key = inp.manifest_key
        try:
            manifest = parse_manifest(json.loads(self.store.get(key)))
        except (KeyError, json.JSONDecodeError, FileRejected) as e:
            self._record(key, "", "", 0, "rejected", str(e))
            return Inspected(key, "", "", 0, "rejected", str(e))
        file_key = str(PurePosixPath(key).parent / manifest.file)
        with session_scope(self.database_url) as session:
            earlier = session.get(ImportRow, file_key)
            same = session.exec(
                select(ImportRow).where(
                    ImportRow.sha256 == manifest.sha256, ImportRow.status == "done"
                )
            ).first()
        if (earlier is not None and earlier.status == "done") or same is not None:
            reason = f"既に取込済みです / already imported as {(same or earlier).file_key}"  # type: ignore[union-attr]
            if earlier is None:
                self._record(
                    file_key, manifest.sha256, manifest.kind, manifest.rows, "duplicate", reason
                )
            return Inspected(
                file_key, manifest.sha256, manifest.kind, manifest.rows, "duplicate", reason
            )
        try:
            text = check_file(manifest, self.store.get(file_key))
            header_map(
                next(iter(text.splitlines()), "").split(","), load_juki_layout(self.catalog_dir)
            )
        except (KeyError, FileRejected) as e:
            reason = (
                str(e)
                if isinstance(e, FileRejected)
                else f"ファイルがありません / missing {file_key}"
            )
            self._record(
                file_key, manifest.sha256, manifest.kind, manifest.rows, "rejected", reason
            )
            return Inspected(
                file_key, manifest.sha256, manifest.kind, manifest.rows, "rejected", reason
            )
        self._record(file_key, manifest.sha256, manifest.kind, manifest.rows, "running")
        log.info("inbound file accepted", rows=manifest.rows, kind=manifest.kind)
        return Inspected(file_key, manifest.sha256, manifest.kind, manifest.rows, "ok")

    @activity.defn(name="apply_inbound")
    def apply_inbound(self, inp: ApplyInput) -> Applied:
        """Long-running: heartbeats after every chunk; a retry skips the chunks already done."""
        bind_activity_log_context()
        layout = load_juki_layout(self.catalog_dir)
        text = self.store.get(inp.file_key).decode("utf-8-sig")
        today = datetime.now(UTC).date()
        parsed = rows(text, layout)
        chunk = 0
        applied = quarantined = 0
        while batch := list(islice(parsed, inp.chunk_size)):
            with session_scope(self.database_url) as session:
                a, q = register_import.apply_chunk(
                    session, inp.file_key, chunk, batch, layout, today
                )
            applied, quarantined = applied + a, quarantined + q
            activity.heartbeat(chunk, applied, quarantined)
            chunk += 1
        log.info("inbound file applied", applied=applied, quarantined=quarantined)
        return Applied(applied, quarantined)

    @activity.defn(name="finish_import")
    def finish_import(self, inp: ApplyInput) -> None:
        bind_activity_log_context()
        with session_scope(self.database_url) as session:
            imp = register_import.finish(session, inp.file_key)
            counts = f"applied={imp.applied} quarantined={imp.quarantined}" if imp else ""
            audit.record(
                session,
                actor="system:import",
                action="register.import.done",
                subject=inp.file_key[-64:],
                terminal="worker",
                detail=counts,
            )


@dataclass
class PollInput:
    prefix: str = "inbound/juki/"


class InboundLister:
    def __init__(self, *, database_url: str, store: ObjectStore) -> None:
        self.database_url = database_url
        self.store = store

    @activity.defn(name="list_new_manifests")
    def list_new_manifests(self, inp: PollInput) -> list[str]:
        """Manifests in the inbound prefix whose file has no import record yet, oldest
        ``generated_at`` first: a delta must never apply before the snapshot it follows."""
        manifests = [k for k in self.store.list(inp.prefix) if k.endswith(".manifest.json")]
        with session_scope(self.database_url) as session:
            known = set(session.exec(select(ImportRow.file_key)).all())
        new = [
            k for k in manifests
            if k not in known and k.removesuffix(".manifest.json") + ".csv" not in known
        ]  # fmt: skip
        return sorted(new, key=lambda k: (self._generated_at(k), k))

    def _generated_at(self, key: str) -> str:
        try:
            return str(json.loads(self.store.get(key)).get("generated_at", ""))
        except (KeyError, ValueError, AttributeError):
            return ""  # unreadable: first in line, and the import will reject it
