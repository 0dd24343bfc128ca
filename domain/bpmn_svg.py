"""BPMN 2.0 diagram (its DI: shapes and edges) drawn as SVG, optionally as a heatmap: each
task filled by how long the step takes. Our own renderer: no JavaScript modeler needed to
look at the process, and the heat sits on the very diagram the consultants edit."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
TASKS = {"task", "userTask", "serviceTask", "receiveTask", "sendTask", "manualTask", "subProcess"}
EVENTS = {"startEvent", "endEvent", "boundaryEvent", "intermediateCatchEvent"}


@dataclass(frozen=True)
class Heat:
    value: float  # 0..1, share of the hottest step
    label: str  # on the task, short: e.g. "中央値 4分12秒"
    detail: str = ""  # in the tooltip: e.g. "p90 9分3秒, 120件"


def _colour(value: float) -> str:
    """Pale yellow (quick) to deep red (slow); text stays dark enough on every shade."""
    v = min(1.0, max(0.0, value))
    r, g, b = 255, int(247 - 160 * v), int(200 - 170 * v)
    return f"#{r:02x}{g:02x}{b:02x}"


def render(bpmn_xml: str, heat: dict[str, Heat] | None = None, title: str = "") -> str:
    root = ET.fromstring(bpmn_xml)  # noqa: S314 - the models shipped in bpmn/, not uploads
    kinds: dict[str, tuple[str, str]] = {}  # element id -> (tag, name)
    for el in root.iter():
        if el.get("id") and "}" in el.tag:
            kinds[el.get("id", "")] = (el.tag.split("}")[1], el.get("name", ""))
    parts: list[str] = []
    max_x = max_y = 0.0
    for edge in root.iter(f"{{{NS['bpmndi']}}}BPMNEdge"):
        points = [
            (float(p.get("x", 0)), float(p.get("y", 0))) for p in edge.findall("di:waypoint", NS)
        ]
        if len(points) >= 2:
            d = " ".join(f"{x:.0f},{y:.0f}" for x, y in points)
            parts.append(f'<polyline points="{d}" class="flow" marker-end="url(#arrow)"/>')
    heat = heat or {}
    for shape in root.iter(f"{{{NS['bpmndi']}}}BPMNShape"):
        ref = shape.get("bpmnElement", "")
        bounds = shape.find("dc:Bounds", NS)
        if bounds is None:
            continue
        x, y = float(bounds.get("x", 0)), float(bounds.get("y", 0))
        w, h = float(bounds.get("width", 0)), float(bounds.get("height", 0))
        max_x, max_y = max(max_x, x + w), max(max_y, y + h)
        tag, name = kinds.get(ref, ("task", ref))
        label = escape(name or ref)
        if tag in EVENTS:
            cx, cy, r = x + w / 2, y + h / 2, w / 2
            stroke = 3 if tag == "endEvent" else 1.5
            fill = "#fff" if tag != "boundaryEvent" else "#fdecea"
            parts.append(
                f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="{r:.0f}" fill="{fill}" '
                f'stroke="#333" stroke-width="{stroke}"><title>{label}</title></circle>'
            )
            if tag != "boundaryEvent":
                parts.append(
                    f'<text x="{cx:.0f}" y="{y + h + 14:.0f}" text-anchor="middle">{label}</text>'
                )
            continue
        if tag in ("exclusiveGateway", "parallelGateway", "inclusiveGateway"):
            cx, cy = x + w / 2, y + h / 2
            parts.append(
                f'<polygon points="{cx},{y} {x + w},{cy} {cx},{y + h} {x},{cy}" fill="#fff" '
                f'stroke="#333"><title>{label}</title></polygon>'
            )
            continue
        hot = heat.get(ref)
        fill = _colour(hot.value) if hot else "#ffffff"
        tip = f"{label} — {escape(hot.label)} {escape(hot.detail)}" if hot else label
        parts.append(
            f'<g class="task" data-id={quoteattr(ref)}><rect x="{x:.0f}" y="{y:.0f}" '
            f'width="{w:.0f}" height="{h:.0f}" rx="8" fill="{fill}" stroke="#333">'
            f"<title>{tip}</title></rect>"
            f'<text x="{x + w / 2:.0f}" y="{y + h / 2 - (4 if hot else -4):.0f}" '
            f'text-anchor="middle">{label}</text>'
        )
        if hot:
            parts.append(
                f'<text x="{x + w / 2:.0f}" y="{y + h / 2 + 16:.0f}" text-anchor="middle" '
                f'class="heat">{escape(hot.label)}</text>'
            )
        parts.append("</g>")
    width, height = max_x + 40, max_y + 40
    heading = f"<title>{escape(title)}</title>" if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" '
        f"aria-label={quoteattr(title or 'BPMN')}>{heading}"
        "<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='7' "
        "markerHeight='7' orient='auto'><path d='M0,0 L10,5 L0,10 z' fill='#333'/></marker>"
        "</defs><style>text{font:13px sans-serif;fill:#111}.heat{font-size:12px}"
        ".flow{fill:none;stroke:#333;stroke-width:1.5}</style>" + "".join(parts) + "</svg>"
    )


def task_ids(bpmn_xml: str) -> set[str]:
    root = ET.fromstring(bpmn_xml)  # noqa: S314 - the models shipped in bpmn/, not uploads
    return {
        el.get("id", "")
        for el in root.iter()
        if "}" in el.tag and el.tag.split("}")[1] in TASKS and el.get("id")
    }


def task_notes(bpmn_xml: str) -> list[tuple[str, str]]:
    root = ET.fromstring(bpmn_xml)  # noqa: S314 - the models shipped in bpmn/, not uploads
    out = []
    for el in root.iter():
        if "}" in el.tag and el.tag.split("}")[1] in TASKS:
            doc = el.find("bpmn:documentation", NS)
            if doc is not None and doc.text:
                out.append((el.get("name", el.get("id", "")), doc.text))
    return out
