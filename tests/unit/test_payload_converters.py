"""Payloads are read and written with pydantic since 2026-11-26, with the SDK's own
converter before: over every visit start, update and answer of the replay corpus (real
visits), each reads what the other wrote as the same values — histories of visits in
flight read back the same, and a worker not yet upgraded reads what a new API sends."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter, DefaultPayloadConverter

from adapters.payload_codec import encrypted_data_converter, load_or_create_key
from domain.visit import StartVisit, VisitState
from workflows.counter_visit import CounterVisit

CORPUS = Path(__file__).parents[1] / "replay" / "histories"
KEY = load_or_create_key(Path(__file__).parents[1] / "replay" / "payload.key")
PYDANTIC = encrypted_data_converter(KEY)
SDK = dataclasses.replace(PYDANTIC, payload_converter_class=DefaultPayloadConverter)
UPDATES = workflow._Definition.must_from_class(CounterVisit).updates


def _payload(raw: dict[str, Any]) -> Payload:
    meta = {k: base64.b64decode(v) for k, v in raw["metadata"].items()}
    return Payload(metadata=meta, data=base64.b64decode(raw.get("data", "")))


def _corpus() -> list[tuple[str, Payload, type]]:
    """(where, payload, type) of every visit start, update input and update answer."""
    found: list[tuple[str, Payload, type]] = []
    for path in sorted(CORPUS.glob("CounterVisit-*.json")):
        for e in json.loads(path.read_text())["events"]:
            where = f"{path.name}#{e['eventId']}"
            if a := e.get("workflowExecutionStartedEventAttributes"):
                found += [(where, _payload(p), StartVisit) for p in a["input"]["payloads"]]
            elif a := e.get("workflowExecutionUpdateAcceptedEventAttributes"):
                req = a["acceptedRequest"]["input"]
                arg_types = UPDATES[req["name"]].arg_types or []
                payloads = req.get("args", {}).get("payloads", [])
                found += [(where, _payload(p), t) for p, t in zip(payloads, arg_types, strict=True)]
            elif a := e.get("workflowExecutionUpdateCompletedEventAttributes"):
                for p in a["outcome"].get("success", {}).get("payloads", []):
                    found.append((where, _payload(p), VisitState))
    return found


CASES = _corpus()


def _decode(conv: DataConverter, payload: Payload, hint: type) -> Any:
    return asyncio.run(conv.decode([payload], [hint]))[0]


def _encode(conv: DataConverter, value: Any) -> Payload:
    return asyncio.run(conv.encode([value]))[0]


def test_the_corpus_holds_starts_updates_and_answers() -> None:
    kinds = {hint for _, _, hint in CASES}
    assert {StartVisit, VisitState} <= kinds and len(kinds) >= 6
    assert any(hint is VisitState and _decode(SDK, p, hint).forms for _, p, hint in CASES)


@pytest.mark.parametrize(("where", "payload", "hint"), CASES, ids=[c[0] for c in CASES])
def test_each_reads_the_other(where: str, payload: Payload, hint: type) -> None:
    by_sdk = _decode(SDK, payload, hint)
    # repr, not ==: a str enum equals its plain value, but code may rely on the enum type.
    assert repr(_decode(PYDANTIC, payload, hint)) == repr(by_sdk)
    assert repr(_decode(SDK, _encode(PYDANTIC, by_sdk), hint)) == repr(by_sdk)
