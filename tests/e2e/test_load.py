"""A short load run in CI: a few simulated clerks for a few seconds, flat out, against the
embedded stack — no errors, and no visit lost (every one started still there, every one
signed done once the robot has caught up). Timings are the bench's business, not this."""

from __future__ import annotations

import asyncio

import pytest

from madoguchi.load import LoadConfig, procedure_mix, residents, run
from madoguchi.seed import demo_password
from madoguchi.settings import Settings
from tests.e2e.conftest import Stack, new_stack

pytestmark = pytest.mark.slow


def test_a_short_load_run_has_no_errors_and_loses_no_visit(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    stack: Stack = new_stack(tmp_path_factory.mktemp("load"))
    stack.env["MADO_HANDOFF_INTERVAL_SECONDS"] = "2"
    stack.start()
    try:
        settings = Settings(data_dir=stack.data_dir, database_url="")
        cfg = LoadConfig(
            url=stack.url, staff=4, duration=8, think_scale=0,
            password=demo_password("staff01"), robots=[("rpa01", demo_password("rpa01"))],
            mix=procedure_mix(settings.catalog_dir), settle_seconds=90,
        )  # fmt: skip
        report = asyncio.run(run(cfg, residents(settings)))
    finally:
        stack.stop()
    print("\n".join(report.lines()))
    assert report.errors == []
    assert report.lost == [] and report.not_done == []
    assert report.started >= 4 and report.confirmed == report.done
    assert report.started - report.confirmed <= cfg.staff  # only visits cut off by the end
    assert set(report.latencies) == {"ticket", "call", "identify", "resident", "procedures",
                                     "confirm"}  # fmt: skip
