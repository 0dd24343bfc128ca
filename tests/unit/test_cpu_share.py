"""The load report's CPU line: each process under the stack is counted under its role."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from bench import cpu_share

pytestmark = pytest.mark.skipif(not cpu_share.PROC.is_dir(), reason="reads /proc (Linux)")

# A parent that starts a busy child, as `mado run` starts the worker.
PARENT = """
import subprocess, sys
role = "madoguchi." + "worker"  # spelled apart: only the child's command line holds it
child = subprocess.Popen([sys.executable, "-c", "# " + role + "\\n"
                          "import time\\nend = time.monotonic() + 0.6\\n"
                          "while time.monotonic() < end: pass\\ntime.sleep(30)"])
print(child.pid, flush=True)
child.wait()
"""


def test_a_busy_child_of_the_stack_is_counted_under_its_role() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", "# madoguchi.cli run\n" + PARENT], stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        before = cpu_share.snapshot([parent.pid])
        start = time.monotonic()
        time.sleep(1.0)
        after = cpu_share.snapshot([parent.pid])
        share = cpu_share.shares(before, after, time.monotonic() - start)
    finally:
        parent.kill()
        parent.wait()
        subprocess.run(["kill", str(child)], check=False)
    assert after[child][0] == "worker" and after[parent.pid][0] == "mado run"
    assert share["worker"] > 10  # busy for most of the window (counted from its start)
    assert share["mado run"] < 10  # the parent only waits
    assert "load tool" in share  # the measuring process itself
    assert "worker" in cpu_share.describe(share) and "of the machine's" in cpu_share.describe(share)


def test_no_processes_no_line() -> None:
    assert cpu_share.describe(cpu_share.shares({}, {}, 0)) == ""


def test_postgresql_server_processes_count_only_when_asked(postgres_url: str) -> None:
    with_pg = {role for role, _ in cpu_share.snapshot([], postgres=True).values()}
    without = {role for role, _ in cpu_share.snapshot([]).values()}
    assert "PostgreSQL" in with_pg
    assert without == {"load tool"}


def test_cpu_per_visit_divides_each_role_by_the_visits_done() -> None:
    before = {1: ("worker", 10.0), 2: ("Temporal server", 4.0)}
    after = {1: ("worker", 13.0), 2: ("Temporal server", 6.0), 3: ("API", 1.0)}
    ms = cpu_share.per_visit(before, after, 20)
    assert ms == pytest.approx({"worker": 150.0, "Temporal server": 100.0, "API": 50.0})
    line = cpu_share.describe_per_visit(ms)
    assert "worker 150, Temporal server 100, API 50; 300 in all" in line
    assert cpu_share.per_visit(before, after, 0) == {}
    assert cpu_share.describe_per_visit({}) == ""
