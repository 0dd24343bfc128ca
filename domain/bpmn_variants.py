"""Per-procedure variants of the visit's BPMN model, generated from the catalog: the same
tasks (the workflow's steps) with what this procedure does at each — the questions asked,
手続ナビ, the forms filled, the fee, the CSV layout the core system receives."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NAMESPACES = {
    "bpmn": BPMN,
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)


@dataclass
class ProcedureFacts:
    code: str
    name: str
    questions: list[str]
    forms: list[str]
    fee_yen: int
    layout: str
    navi_items: list[str] = field(default_factory=list)  # what 手続ナビ may propose with it


def _notes(p: ProcedureFacts) -> dict[str, str]:
    interview = "聞き取り: " + ("、".join(p.questions) if p.questions else "なし（本人確認のみ）")
    if p.navi_items:
        interview += f"。手続ナビが提案しうる関連手続: {'、'.join(p.navi_items)}"
    fee = f"手数料 {p.fee_yen}円（交付時）" if p.fee_yen else "手数料なし"
    return {
        "interview": interview,
        "fill": "作成する帳票: " + ("、".join(p.forms) if p.forms else "なし"),
        "print": f"印刷（署名入りPDF）。{fee}",
        "handoff": f"基幹システムへ CSV（レイアウト {p.layout}）" if p.layout else "CSV なし",
        "await_rpa": "RPA が基幹システムへ入力し結果を報告",
    }


def variant(base_xml: str, p: ProcedureFacts) -> str:
    """The base model with this procedure's name and each task's documentation."""
    root = ET.fromstring(base_xml)  # noqa: S314 - the models shipped in bpmn/, not uploads
    process = root.find(f"{{{BPMN}}}process")
    assert process is not None, "the base model has no process"
    old_id = process.get("id", "")
    process.set("id", f"{old_id}_{p.code}")
    process.set("name", f"来庁 — {p.name} ({p.code})")
    for doc in process.findall(f"{{{BPMN}}}documentation"):
        doc.text = (
            f"Variant of {old_id} for {p.code}, generated from the catalog by `mado bpmn`; "
            "task ids are the workflow step ids."
        )
    notes = _notes(p)
    for el in process:
        note = notes.get(el.get("id", ""))
        if note is None:
            continue
        doc = ET.Element(f"{{{BPMN}}}documentation")
        doc.text = note
        el.insert(0, doc)
    for plane in root.iter(f"{{{NAMESPACES['bpmndi']}}}BPMNPlane"):
        if plane.get("bpmnElement") == old_id:
            plane.set("bpmnElement", f"{old_id}_{p.code}")
    root.set("id", f"{root.get('id', 'definitions')}_{p.code}")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
