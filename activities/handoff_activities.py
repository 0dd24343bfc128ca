"""Activities of a handoff batch: reserve records, write the CSV and its manifest, make the
batch ready for the robots, and deliver reports the API could not.

Each is idempotent on the batch id the workflow chose, so a worker killed at any point and
a retry on another worker end with every record in exactly one batch.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.context import bind_activity_log_context
from adapters import audit, outbox
from adapters.db import session_scope
from adapters.faults import hold_point
from adapters.object_store import ObjectStore
from adapters.temporal_client import VisitGateway
from domain.handoff import manifest, render_csv
from madoguchi import rpa_delivery
from madoguchi.logging import get_logger

log = get_logger(__name__)
BATCH_PREFIX = "outbound/batches"


@dataclass
class HandoffWork:
    open_batches: list[str] = field(default_factory=list)
    pending_layouts: list[str] = field(default_factory=list)


@dataclass
class ReserveInput:
    batch_id: str
    layout: str  # code@version
    limit: int


@dataclass
class BatchFile:
    batch_id: str
    object_key: str
    manifest_key: str
    sha256: str
    record_count: int


@dataclass
class DeliverInput:
    limit: int = 500


class HandoffActivities:
    def __init__(
        self, *, database_url: str, store: ObjectStore, client: Client | None, task_queue: str
    ) -> None:
        self.database_url = database_url
        self.store = store
        self.client = client
        self.task_queue = task_queue

    @activity.defn(name="list_handoff_work")
    def list_handoff_work(self) -> HandoffWork:
        bind_activity_log_context()
        with session_scope(self.database_url) as session:
            return HandoffWork(outbox.open_batches(session), outbox.pending_layouts(session))

    @activity.defn(name="reserve_batch")
    def reserve_batch(self, inp: ReserveInput) -> int:
        bind_activity_log_context()
        with session_scope(self.database_url) as session:
            return outbox.reserve(session, inp.batch_id, inp.layout, inp.limit)

    @activity.defn(name="write_batch_file")
    def write_batch_file(self, batch_id: str) -> BatchFile:
        """The batch's CSV and manifest; written again on a retry, byte for byte the same."""
        bind_activity_log_context()
        with session_scope(self.database_url) as session:
            b = outbox.batch(session, batch_id)
            layout = outbox.layout(session, b.layout)
            rows = outbox.batch_rows(session, batch_id)
            created_at = b.created_at.isoformat(timespec="seconds")
        hold_point("write_batch.before_file", activity.heartbeat)
        try:
            data = render_csv(layout, [json.loads(r.values_json) for r in rows])
        except UnicodeEncodeError as e:  # checked at enqueue; a hand-edited row could slip
            raise ApplicationError(
                f"batch {batch_id}: a record cannot be written in {layout.encoding}",
                type="HandoffEncoding",
                non_retryable=True,
            ) from e
        ids = [r.record_id for r in rows]
        key = f"{BATCH_PREFIX}/{layout.code}/{batch_id}.csv"
        doc = manifest(batch_id, layout, ids, data, created_at)
        self.store.put(key, data)
        manifest_key = f"{BATCH_PREFIX}/{layout.code}/{batch_id}.manifest.json"
        self.store.put(manifest_key, json.dumps(doc, ensure_ascii=False, indent=1).encode())
        hold_point("write_batch.after_file", activity.heartbeat)
        return BatchFile(batch_id, key, manifest_key, hashlib.sha256(data).hexdigest(), len(ids))

    @activity.defn(name="publish_batch")
    def publish_batch(self, f: BatchFile) -> None:
        bind_activity_log_context()
        with session_scope(self.database_url) as session:
            changed = outbox.mark_ready(
                session, f.batch_id, f.object_key, f.manifest_key, f.sha256, f.record_count
            )
        if changed:
            with session_scope(self.database_url) as session:
                audit.record(
                    session, actor="system", action="handoff.batch", subject=f.batch_id,
                    detail=f"records={f.record_count} sha256={f.sha256[:16]}", terminal="worker",
                )  # fmt: skip
        hold_point("publish_batch.after_record", activity.heartbeat)
        log.info("handoff batch ready", batch_id=f.batch_id, records=f.record_count)

    @activity.defn(name="deliver_reports")
    async def deliver_reports(self, inp: DeliverInput) -> int:
        bind_activity_log_context()
        if self.client is None:
            return 0
        gw = VisitGateway(self.client, self.task_queue, rpa_timeout_seconds=0, heartbeat_seconds=0)
        return await rpa_delivery.deliver_pending(gw, self.database_url, inp.limit)
