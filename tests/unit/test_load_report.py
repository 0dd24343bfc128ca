"""The load tool's arithmetic: the March-peak day from the tender's volumes, and the
Temporal task latency read from the worker's Prometheus histograms."""

from __future__ import annotations

from madoguchi.load import _histogram_quantile, peak_day_visits, task_latency
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
