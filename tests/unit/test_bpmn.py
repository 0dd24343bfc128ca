"""The BPMN models (the visit and its per-procedure variants) and the workflow's steps
must name the same things; the variants must be what the catalog makes of them."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from domain.bpmn_svg import render
from domain.steps import AUTOMATIC_STEPS, STEP_ORDER, Step
from madoguchi.bpmn_models import BPMN_DIR, expected_variants, model_names
from madoguchi.settings import REPO_ROOT

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
MODELS = [BPMN_DIR / f"{name}.bpmn" for name in model_names()]


@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_every_step_is_a_bpmn_task_or_end_event_and_the_reverse(model: Path) -> None:
    process = ET.parse(model).getroot().find("bpmn:process", NS)
    assert process is not None
    tasks = {
        el.get("id"): el.tag.split("}")[1]
        for kind in ("userTask", "serviceTask", "receiveTask", "task", "subProcess")
        for el in process.findall(f"bpmn:{kind}", NS)
    }
    ends = {el.get("id") for el in process.findall("bpmn:endEvent", NS)}
    assert set(tasks) == {s.value for s in STEP_ORDER if s != Step.DONE}
    assert ends == {Step.DONE.value, Step.CANCELLED.value}
    # Automatic steps are service tasks; people act in the others.
    for step in AUTOMATIC_STEPS:
        assert tasks[step.value] == "serviceTask"


@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_every_shape_in_the_diagram_points_at_an_element_and_draws(model: Path) -> None:
    root = ET.parse(model).getroot()
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    refs = {el.get("bpmnElement") for el in root.iter() if el.get("bpmnElement")}
    assert refs <= ids
    svg = render(model.read_text(encoding="utf-8"))
    assert svg.count('class="task"') == len(STEP_ORDER) - 1


def test_the_variants_are_up_to_date_with_the_catalog() -> None:
    expected = expected_variants(REPO_ROOT / "catalog")
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in (BPMN_DIR / "variants").glob("*")}
    assert set(on_disk) == set(expected), "run `mado bpmn`"
    stale = [name for name, text in expected.items() if on_disk[name] != text]
    assert stale == [], f"run `mado bpmn`: {stale}"
    assert "聞き取り: 転入した日" in on_disk["tennyu.bpmn"]
    assert "手数料 300円" in on_disk["juminhyo.bpmn"]
