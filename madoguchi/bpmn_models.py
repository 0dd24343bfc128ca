"""The BPMN models in ``bpmn/``: the visit process and its per-procedure variants (written
from the catalog by `mado bpmn`), listed for the screens."""

from __future__ import annotations

import json
from pathlib import Path

from domain.bpmn_variants import ProcedureFacts, variant
from madoguchi.settings import REPO_ROOT

BPMN_DIR = REPO_ROOT / "bpmn"
BASE = BPMN_DIR / "counter_visit.bpmn"
VARIANTS = BPMN_DIR / "variants"


def procedure_facts(catalog_dir: Path) -> list[ProcedureFacts]:
    procedures = json.loads((catalog_dir / "procedures.json").read_text("utf-8"))["procedures"]
    forms: dict[str, list[str]] = {}
    for path in sorted((catalog_dir / "forms").glob("*.json")):
        if path.name == "form.schema.json":
            continue
        form = json.loads(path.read_text("utf-8"))
        for code in form.get("procedures", []):
            forms.setdefault(code, []).append(form["title"])
    navi = json.loads((catalog_dir / "navi.json").read_text("utf-8"))
    proposals: dict[str, list[str]] = {}
    for rule in navi["rules"]:
        title = navi["items"][rule["item"]]["title"]
        for code in rule.get("for_procedures", []):
            if title not in proposals.setdefault(code, []):
                proposals[code].append(title)
    return [
        ProcedureFacts(
            p["code"],
            p["name"],
            [q["label"] for q in p.get("questions", [])],
            forms.get(p["code"], []),
            int(p.get("fee_yen", 0)),
            p.get("layout", ""),
            proposals.get(p["code"], []),
        )
        for p in procedures
    ]


def expected_variants(catalog_dir: Path) -> dict[str, str]:
    base = BASE.read_text(encoding="utf-8")
    return {f"{p.code}.bpmn": variant(base, p) for p in procedure_facts(catalog_dir)}


def write_variants(catalog_dir: Path) -> list[Path]:
    VARIANTS.mkdir(exist_ok=True)
    for old in VARIANTS.glob("*.bpmn"):
        old.unlink()
    written = []
    for name, text in expected_variants(catalog_dir).items():
        (VARIANTS / name).write_text(text, encoding="utf-8")
        written.append(VARIANTS / name)
    return written


def model_names() -> list[str]:
    """``counter_visit`` first, then ``variants/<procedure>``."""
    return ["counter_visit"] + [f"variants/{p.stem}" for p in sorted(VARIANTS.glob("*.bpmn"))]
