"""IEEE 1849 XES writer for the visit event log (our own: a few dozen lines of XML)."""

from __future__ import annotations

from collections import defaultdict
from xml.sax.saxutils import quoteattr

from domain.event_log import EventLog, LogEvent

EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
)


def _attr(kind: str, key: str, value: str) -> str:
    return f"<{kind} key={quoteattr(key)} value={quoteattr(value)}/>"


def _event(e: LogEvent) -> str:
    parts = [
        _attr("string", "concept:name", e.activity),
        _attr("string", "lifecycle:transition", e.lifecycle),
        _attr("date", "time:timestamp", e.at.isoformat(timespec="milliseconds")),
    ]
    if e.resource:
        parts.append(_attr("string", "org:resource", e.resource))
    if e.counter:
        parts.append(_attr("string", "org:group", e.counter))
    return "   <event>" + "".join(parts) + "</event>"


def write_xes(log: EventLog) -> str:
    by_case: dict[str, list[LogEvent]] = defaultdict(list)
    for e in log.events:
        by_case[e.case].append(e)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<log xes.version="1849-2016" xes.features="nested-attributes"'
        ' xmlns="http://www.xes-standard.org/">',
    ]
    lines += [
        f" <extension name={quoteattr(n)} prefix={quoteattr(p)} uri={quoteattr(u)}/>"
        for n, p, u in EXTENSIONS
    ]
    lines += [
        ' <global scope="trace">' + _attr("string", "concept:name", "") + "</global>",
        ' <global scope="event">'
        + _attr("string", "concept:name", "")
        + _attr("string", "lifecycle:transition", "complete")
        + _attr("date", "time:timestamp", "1970-01-01T00:00:00.000+00:00")
        + "</global>",
        ' <classifier name="Activity" keys="concept:name"/>',
        ' <classifier name="Activity and lifecycle" keys="concept:name lifecycle:transition"/>',
        " " + _attr("string", "concept:name", "madoguchi counter visits"),
    ]
    for case in log.cases:
        lines.append("  <trace>")
        lines.append("   " + _attr("string", "concept:name", case.case))
        lines.append("   " + _attr("string", "channel", case.channel))
        lines.append("   " + _attr("string", "outcome", case.outcome))
        lines.append("   " + _attr("string", "procedures", " ".join(case.procedures)))
        lines += [_event(e) for e in by_case[case.case]]
        lines.append("  </trace>")
    lines.append("</log>")
    return "\n".join(lines) + "\n"
