"""The BPMN model of the visit and the workflow's steps must name the same things."""

import xml.etree.ElementTree as ET

from domain.steps import AUTOMATIC_STEPS, STEP_ORDER, Step
from madoguchi.settings import REPO_ROOT

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
MODEL = REPO_ROOT / "bpmn" / "counter_visit.bpmn"


def test_every_step_is_a_bpmn_task_or_end_event_and_the_reverse() -> None:
    process = ET.parse(MODEL).getroot().find("bpmn:process", NS)
    assert process is not None
    tasks = {
        el.get("id"): el.tag.split("}")[1]
        for kind in ("userTask", "serviceTask", "receiveTask", "task")
        for el in process.findall(f"bpmn:{kind}", NS)
    }
    ends = {el.get("id") for el in process.findall("bpmn:endEvent", NS)}
    assert set(tasks) == {s.value for s in STEP_ORDER if s != Step.DONE}
    assert ends == {Step.DONE.value, Step.CANCELLED.value}
    # Automatic steps are service tasks; people act in the others.
    for step in AUTOMATIC_STEPS:
        assert tasks[step.value] == "serviceTask"


def test_every_shape_in_the_diagram_points_at_an_element() -> None:
    root = ET.parse(MODEL).getroot()
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    refs = {el.get("bpmnElement") for el in root.iter() if el.get("bpmnElement")}
    assert refs <= ids
