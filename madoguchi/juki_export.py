"""Writing 住民記録 files as the city's system drops them: CSV plus manifest, into the store.
Used by the synthetic city and by tests; the format is docs/inbound-juki.md."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from adapters.object_store import ObjectStore
from domain.juki_file import Column
from domain.resident import ResidentRecord

INBOUND_PREFIX = "inbound/juki/"


def juki_csv(records: Sequence[ResidentRecord], layout: Mapping[str, Column]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(list(layout))
    for r in records:
        writer.writerow([getattr(r, col.item, "") for col in layout.values()])
    return buf.getvalue().encode("utf-8")


def drop_file(
    store: ObjectStore,
    name: str,
    data: bytes,
    *,
    kind: str,
    rows: int,
    generated_at: datetime | None = None,
) -> str:
    """Put the CSV, then its manifest (the manifest's arrival is what starts an import)."""
    store.put(f"{INBOUND_PREFIX}{name}.csv", data)
    manifest = {
        "file": f"{name}.csv",
        "kind": kind,
        "rows": rows,
        "sha256": hashlib.sha256(data).hexdigest(),
        "generated_at": (generated_at or datetime.now(UTC)).isoformat(),
    }
    key = f"{INBOUND_PREFIX}{name}.manifest.json"
    store.put(key, json.dumps(manifest, ensure_ascii=False).encode("utf-8"))
    return key
