"""OpenTelemetry for each process (API, worker): where spans go, and the Temporal runtime
that serves the SDK's own metrics.

Spans: OTLP/HTTP when an endpoint is configured, else a JSON-lines file per process in
``data_dir/traces`` (``console`` prints them, ``off`` turns tracing off). The Temporal
client carries temporalio's ``TracingInterceptor``, so a request's span is the parent of
the workflow's and each activity's spans (see ``adapters/visit_trace`` for how all of a
visit lands in one trace).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
)
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from adapters.span_files import JsonLinesSpanExporter
from adapters.visit_trace import VisitIdGenerator
from madoguchi.logging import get_logger
from madoguchi.settings import Settings

log = get_logger(__name__)


def trace_file(settings: Settings, service: str) -> Path:
    return settings.data_dir / "traces" / f"{service}.jsonl"


def _exporter(settings: Settings, service: str) -> SpanExporter | None:
    kind = settings.trace_exporter
    if kind == "off":
        return None
    if kind == "console":
        return ConsoleSpanExporter(service_name=f"madoguchi-{service}")
    if kind == "otlp":
        # Imported here: only sites with a collector pay for the protobuf machinery.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # Without MADO_OTLP_ENDPOINT the exporter reads OTEL_EXPORTER_OTLP_* as usual.
        return OTLPSpanExporter(endpoint=settings.otlp_endpoint or None)
    return JsonLinesSpanExporter(
        trace_file(settings, service), service, int(settings.trace_file_max_mb * 2**20)
    )


def configure_tracing(settings: Settings, service: str) -> TracerProvider | None:
    """Install this process's tracer provider (once; later calls keep the first)."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    exporter = _exporter(settings, service)
    if exporter is None:
        return None
    provider = TracerProvider(
        resource=Resource.create(
            {
                "service.name": f"madoguchi-{service}",
                "service.instance.id": f"{socket.gethostname()}-{os.getpid()}",
            }
        ),
        id_generator=VisitIdGenerator(),
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    log.info("tracing on", exporter=settings.trace_exporter)
    return provider


def worker_runtime(settings: Settings) -> Runtime | None:
    """A Temporal runtime serving the SDK's metrics (task latencies, slots, polls) for
    Prometheus at ``MADO_WORKER_METRICS_ADDRESS``; None when that is empty or taken (the
    worker then runs without them rather than not at all)."""
    if not settings.worker_metrics_address:
        return None
    try:
        return Runtime(
            telemetry=TelemetryConfig(
                metrics=PrometheusConfig(bind_address=settings.worker_metrics_address)
            )
        )
    except Exception as e:  # a taken port must not stop the worker
        log.warning(
            "worker metrics off", reason=type(e).__name__, url=settings.worker_metrics_address
        )
        return None
