"""OCEL 2.0 (JSON) writer for the visit event log: visits, procedure applications, clerks
and counters as objects; every step's start and complete as events related to them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from domain.event_log import EventLog, LogEvent

EPOCH = datetime(1970, 1, 1, tzinfo=UTC).isoformat()


def _time(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def write_ocel(log: EventLog) -> str:
    objects: list[dict[str, object]] = []
    procedures_of: dict[str, list[str]] = {}
    for case in log.cases:
        procedures_of[case.case] = list(case.procedure_objects.values())
        objects.append(
            {
                "id": case.case,
                "type": "visit",
                "attributes": [
                    {"name": "channel", "time": EPOCH, "value": case.channel},
                    {"name": "outcome", "time": EPOCH, "value": case.outcome},
                ],
                "relationships": [
                    {"objectId": oid, "qualifier": "applies for"}
                    for oid in case.procedure_objects.values()
                ],
            }
        )
        objects += [
            {
                "id": oid,
                "type": "procedure",
                "attributes": [{"name": "code", "time": EPOCH, "value": code}],
            }
            for code, oid in case.procedure_objects.items()
        ]
    staff = sorted({e.resource for e in log.events if e.resource})
    counters = sorted({e.counter for e in log.events if e.counter})
    objects += [{"id": s, "type": "staff", "attributes": []} for s in staff]
    objects += [{"id": f"counter-{c}", "type": "counter", "attributes": []} for c in counters]

    def relationships(e: LogEvent) -> list[dict[str, str]]:
        rel = [{"objectId": e.case, "qualifier": "visit"}]
        rel += [{"objectId": oid, "qualifier": "procedure"} for oid in procedures_of[e.case]]
        if e.resource:
            rel.append({"objectId": e.resource, "qualifier": "handled by"})
        if e.counter:
            rel.append({"objectId": f"counter-{e.counter}", "qualifier": "at counter"})
        return rel

    event_types = sorted({f"{e.activity} {e.lifecycle}" for e in log.events})
    document = {
        "objectTypes": [
            {
                "name": "visit",
                "attributes": [
                    {"name": "channel", "type": "string"},
                    {"name": "outcome", "type": "string"},
                ],
            },
            {"name": "procedure", "attributes": [{"name": "code", "type": "string"}]},
            {"name": "staff", "attributes": []},
            {"name": "counter", "attributes": []},
        ],
        "eventTypes": [
            {"name": t, "attributes": [{"name": "lifecycle", "type": "string"}]}
            for t in event_types
        ],
        "objects": objects,
        "events": [
            {
                "id": f"e{i}",
                "type": f"{e.activity} {e.lifecycle}",
                "time": _time(e.at),
                "attributes": [{"name": "lifecycle", "value": e.lifecycle}],
                "relationships": relationships(e),
            }
            for i, e in enumerate(log.events, start=1)
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1)
