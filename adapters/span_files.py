"""Spans as JSON lines in a file: the default when no OTLP collector is configured, so a
city without tracing infrastructure still has every request's path on disk.

One line per span with its ids, parent, times and attributes. Spans carry visit ids and
step names, never personal data (the interceptor records workflow and activity names, not
their arguments). The file is rotated at a size limit, keeping one old copy.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult


def span_line(span: ReadableSpan, service: str) -> dict[str, object]:
    ctx = span.get_span_context()
    assert ctx is not None
    return {
        "service": service,
        "name": span.name,
        "kind": span.kind.name,
        "trace_id": f"{ctx.trace_id:032x}",
        "span_id": f"{ctx.span_id:016x}",
        "parent_id": f"{span.parent.span_id:016x}" if span.parent else None,
        "start_ns": span.start_time,
        "end_ns": span.end_time,
        "status": span.status.status_code.name,
        "attributes": {
            k: v if isinstance(v, str | int | float | bool) else list(v or [])
            for k, v in (span.attributes or {}).items()
        },
        "links": [
            f"{link.context.trace_id:032x}/{link.context.span_id:016x}" for link in span.links
        ],
    }


class JsonLinesSpanExporter(SpanExporter):
    def __init__(self, path: Path, service: str, max_bytes: int) -> None:
        self.path = path
        self.service = service
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        text = "".join(
            json.dumps(span_line(s, self.service), ensure_ascii=False) + "\n" for s in spans
        )
        with self._lock:
            try:
                if self.path.exists() and self.path.stat().st_size > self.max_bytes:
                    os.replace(self.path, self.path.with_suffix(".jsonl.1"))
                with open(self.path, "a", encoding="utf-8") as f:
                    f.write(text)
            except OSError:
                return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass


def read_spans(path: Path) -> list[dict[str, object]]:
    """Every span in a trace file and its rotated copy, oldest first."""
    out: list[dict[str, object]] = []
    for p in (path.with_suffix(".jsonl.1"), path):
        if p.exists():
            out += [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]
    return out
