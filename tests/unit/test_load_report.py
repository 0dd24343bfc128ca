"""The load tool's arithmetic: the March-peak day from the tender's volumes, and the
Temporal task latency read from the worker's Prometheus histograms."""

from __future__ import annotations

from madoguchi.load import LoadReport, _histogram_quantile, peak_day_visits, task_latency
from madoguchi.settings import REPO_ROOT

WORKER_METRICS = """\
# HELP temporal_workflow_task_schedule_to_start_latency x
# TYPE temporal_workflow_task_schedule_to_start_latency histogram
temporal_workflow_task_schedule_to_start_latency_bucket{task_queue="q",le="10"} 50
temporal_workflow_task_schedule_to_start_latency_bucket{task_queue="q",le="50"} 90
temporal_workflow_task_schedule_to_start_latency_bucket{task_queue="q",le="100"} 100
temporal_workflow_task_schedule_to_start_latency_bucket{task_queue="q",le="+Inf"} 100
temporal_workflow_task_schedule_to_start_latency_sum{task_queue="q"} 1234
temporal_workflow_task_schedule_to_start_latency_count{task_queue="q"} 100
"""


def test_a_march_peak_day_is_three_average_days_of_the_tenders_volumes() -> None:
    # 10,014 + 10,586 + 10,148 moves, 35 % / 25 % / 30 % of the certificates, 243 days.
    assert peak_day_visits(REPO_ROOT / "catalog", factor=1.0) == 702
    assert peak_day_visits(REPO_ROOT / "catalog") == 2106


def test_task_latency_from_the_sdk_histograms() -> None:
    assert task_latency(WORKER_METRICS) == {"workflow": (10.0, 75.0)}
    assert _histogram_quantile([(10.0, 0.0), (float("inf"), 0.0)], 0.5) == 0.0
    # Beyond the last finite bucket the answer is that bucket's bound, as Prometheus says.
    assert _histogram_quantile([(10.0, 1.0), (float("inf"), 10.0)], 0.95) == 10.0


def _report(timeline: dict[str, list[tuple[float, float]]]) -> LoadReport:
    return LoadReport(
        staff=1, duration=100, think_scale=1.0,
        latencies={k: [ms for _, ms in v] for k, v in timeline.items()}, errors=[],
        started=1, confirmed=1, done=1, lost=[], not_done=[], completed_per_second=0.1,
        timeline=timeline,
    )  # fmt: skip


def test_the_report_shows_whether_a_step_slows_down_as_the_run_goes_on() -> None:
    # identify gets slower every quarter; procedures is only asked in the first and last.
    identify = [(float(t), 10.0 + t) for t in range(100)]
    procedures = [(5.0, 50.0), (95.0, 70.0)]
    report = _report({"identify": identify, "procedures": procedures})
    parts = report.p95_by_part()
    assert list(parts) == ["identify", "procedures"]  # in the order of a visit
    assert parts["identify"] == sorted(parts["identify"], key=lambda p: p or 0)
    assert parts["identify"][0] is not None and parts["identify"][0] < 40
    assert parts["identify"][3] is not None and parts["identify"][3] > 100
    assert parts["procedures"] == [50.0, None, None, 70.0]
    lines = report.lines()
    at = lines.index("p95 ms by quarter of the run (does a step slow down as the data grows?)")
    assert lines[at + 1].split() == ["sent", "at", "s", "0-25", "25-50", "50-74", "74-99"]
    assert lines[at + 3].split() == ["procedures", "50.0", "-", "-", "70.0"]


def test_a_run_without_requests_has_no_quarters() -> None:
    assert _report({}).p95_by_part() == {}
