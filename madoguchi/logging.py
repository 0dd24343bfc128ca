"""structlog setup: JSON lines, visit and workflow ids on every line, personal data redacted.

Redaction happens in the pipeline, not at call sites, so a careless ``log.info(..., name=x)``
still cannot leak. Three rules, applied to every value except a short allowlist of
operational keys:
- values under personal-data keys (name, address, birth date, numbers …) are replaced whole;
- runs of 8+ digits (個人番号, 住民票コード, phone numbers) are masked;
- runs of kanji/kana are masked: our log messages are English by convention, so Japanese
  text in a log value is almost always a name or an address.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog
from opentelemetry import trace

REDACTED = "[REDACTED]"

PERSONAL_KEYS = frozenset(
    {
        "name",
        "kana",
        "full_name",
        "name_kana",
        "address",
        "birth_date",
        "birthdate",
        "dob",
        "sex",
        "phone",
        "my_number",
        "kojin_bango",
        "juminhyo_code",
        "atena_no",
        "signature",
        "strokes",
        "id_card",
        "card",
        "resident",
        "candidates",
        "fields",
        "氏名",
        "氏名_フリガナ",
        "住所",
        "生年月日",
        "性別",
        "個人番号",
        "住民票コード",
        "宛名番号",
    }
)

# Operational keys whose values are ours, never a resident's.
SAFE_KEYS = frozenset(
    {
        "timestamp",
        "level",
        "logger",
        "logger_name",
        "visit_id",
        "workflow_id",
        "run_id",
        "activity_type",
        "activity_id",
        "workflow_type",
        "attempt",
        "step",
        "task_queue",
        "namespace",
        "counter",
        "staff",
        "method",
        "path",
        "status",
        "duration_ms",
        "code",
        "procedures",
        "url",
        "trace_id",
        "span_id",
        "exporter",
    }
)

_LONG_NUMBER = re.compile(r"\d{8,}")
_JAPANESE = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
    r"\ue000-\uf8ff\U000f0000-\U0010ffff\ufe00-\ufe0f\U000e0100-\U000e01ef]+"
)


def redact_text(text: str) -> str:
    return _JAPANESE.sub(REDACTED, _LONG_NUMBER.sub(REDACTED, text))


def _redact_value(key: str, value: Any) -> Any:
    if key.lower() in PERSONAL_KEYS:
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_redact_value(key, v) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return redact_text(repr(value))


def redact_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if key in SAFE_KEYS:
            continue
        event_dict[key] = _redact_value(key, event_dict[key])
    return event_dict


def _lift_temporal_context(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Temporal's logger adapters put workflow/activity info in ``extra``; surface the ids."""
    for extra_key in ("temporal_workflow", "temporal_activity"):
        info = event_dict.pop(extra_key, None)
        if isinstance(info, Mapping):
            for src, dst in (
                ("workflow_id", "workflow_id"),
                ("run_id", "run_id"),
                ("workflow_type", "workflow_type"),
                ("activity_type", "activity_type"),
                ("attempt", "attempt"),
            ):
                if src in info:
                    event_dict.setdefault(dst, info[src])
    wf_id = event_dict.get("workflow_id")
    if isinstance(wf_id, str) and wf_id.startswith("visit-"):
        event_dict.setdefault("visit_id", wf_id.removeprefix("visit-"))
    return event_dict


def _add_trace_ids(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """The current span's ids, so a log line leads to its trace and back."""
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        event_dict.setdefault("trace_id", f"{ctx.trace_id:032x}")
        event_dict.setdefault("span_id", f"{ctx.span_id:016x}")
    return event_dict


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _lift_temporal_context,
        _add_trace_ids,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact_personal_data,
    ]


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
