"""The application's Prometheus metrics, defined once per process (the client library's
registry is global). Labels are route templates, step and status names — never a visit id
or anything about a person, so cardinality stays small and the metrics are not personal data.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_SECONDS = Histogram(
    "mado_http_request_duration_seconds",
    "Server time per request, by route template",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
VISIT_STEPS = Counter(
    "mado_visit_steps_total",
    "Steps sent to visits and what became of them (rate × 60 = steps per minute)",
    ["action", "outcome"],
)
OPEN_VISITS = Gauge("mado_open_visits", "Visits not yet finished, by step", ["step"])
STALLED_VISITS = Gauge("mado_stalled_visits", "Visits the supervisor's list shows", ["kind"])
HANDOFF_RECORDS = Gauge(
    "mado_handoff_records", "Records for the core system by outbox status", ["status"]
)
IMPORT_FILES = Gauge("mado_import_files", "Inbound register files by status", ["status"])
IMPORT_ROWS = Gauge(
    "mado_import_rows", "Rows of running imports, applied and quarantined so far", ["state"]
)


def set_all(gauge: Gauge, values: dict[str, float]) -> None:
    """Replace a labelled gauge's series: a label that went to zero reads 0, not stale."""
    gauge.clear()
    for label, value in values.items():
        gauge.labels(label).set(value)
