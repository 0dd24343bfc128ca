"""One trace per visit: its trace id is the visit id, and every request about the visit
is a child of one root span whose id is derived from the visit id too.

A visit lives for minutes to days and is touched by many HTTP requests, the workflow and
its activities; an operator looking for "what happened to visit X" should open one trace,
not stitch dozens together. Deriving the ids means no lookup is needed to join a request
to its visit's trace: the visit id in the path is enough.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace import Link, NonRecordingSpan, SpanContext, TraceFlags

TRACER = "madoguchi"
_forced: ContextVar[tuple[int, int] | None] = ContextVar("mado_forced_ids", default=None)


def trace_id_of(visit_id: str) -> int | None:
    """The visit id (a uuid4 in hex) read as a 128-bit trace id; None for other ids."""
    if len(visit_id) != 32:
        return None
    try:
        value = int(visit_id, 16)
    except ValueError:
        return None
    return value or None


def root_span_id(visit_id: str) -> int:
    digest = hashlib.blake2b(f"madoguchi-visit:{visit_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") or 1


class VisitIdGenerator(RandomIdGenerator):
    """Random ids, except for a visit's root span, whose ids are the visit's."""

    def generate_trace_id(self) -> int:
        forced = _forced.get()
        return forced[0] if forced else super().generate_trace_id()

    def generate_span_id(self) -> int:
        forced = _forced.get()
        return forced[1] if forced else super().generate_span_id()


def visit_context(visit_id: str) -> Context | None:
    """A context whose parent is the visit's root span (None for an id that is not one)."""
    tid = trace_id_of(visit_id)
    if tid is None:
        return None
    parent = SpanContext(
        trace_id=tid,
        span_id=root_span_id(visit_id),
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    return trace.set_span_in_context(NonRecordingSpan(parent))


@contextmanager
def visit_root_span(visit_id: str, **attributes: str) -> Iterator[None]:
    """The visit's root span, current while the visit is started. With another tracer
    provider than ours (or none) the ids are random: the trace still links, only not by
    visit id."""
    tid = trace_id_of(visit_id)
    if tid is None:
        yield
        return
    # The request that opens the visit has a trace of its own; the root links to it.
    opener = trace.get_current_span().get_span_context()
    links = [Link(opener)] if opener.is_valid else []
    token = _forced.set((tid, root_span_id(visit_id)))
    try:
        span = trace.get_tracer(TRACER).start_span(
            "visit",
            context=Context(),
            attributes={"visit.id": visit_id, **attributes},
            links=links,
        )
    finally:
        _forced.reset(token)
    with trace.use_span(span, end_on_exit=True):
        yield


__all__ = ["VisitIdGenerator", "root_span_id", "trace_id_of", "visit_context", "visit_root_span"]
