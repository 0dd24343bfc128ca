"""How much CPU each process of a running stack used over a window, read from /proc.

Flat out, the question is which process the two cores go to; the load report answers it
from the same run instead of a profiler attached by hand. Linux only: elsewhere the
snapshots are empty and the report says nothing about CPU.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

PROC = Path("/proc")
# First match of the command line wins: the renderer is spawned by the worker with the
# multiprocessing module's own command line.
ROLES = (
    ("temporal", "Temporal server"),
    ("multiprocessing", "PDF renderer"),
    ("madoguchi.worker", "worker"),
    ("madoguchi.api_server", "API"),
    ("madoguchi.cli", "mado run"),
)

Snapshot = dict[int, tuple[str, float]]  # pid → (role, CPU seconds so far)


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system CPU seconds) of a process, None if it is gone."""
    try:
        # The command name in parentheses may hold spaces; the fields follow the last ')'.
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks


def _cmdline(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _role(pid: int, default: str) -> str:
    cmd = _cmdline(pid)
    return next((role for key, role in ROLES if key in cmd), default)


def _is_postgres(cmd: str) -> bool:
    """A PostgreSQL server the stack uses is not the stack's child: its postmaster
    (…/bin/postgres -D …) and its backends ("postgres: …") are found by command line."""
    return cmd.startswith("postgres: ") or "/bin/postgres " in cmd


def snapshot(roots: Iterable[int], *, own: str = "load tool", postgres: bool = False) -> Snapshot:
    """Every process under the roots (themselves included) and this process, by role; with
    postgres, also every PostgreSQL server process on the machine (run nothing else on it
    meanwhile)."""
    if not PROC.is_dir():
        return {}
    pids = [int(p.name) for p in PROC.iterdir() if p.name.isdigit()]
    stats = {pid: s for pid in pids if (s := _stat(pid)) is not None}
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    found: Snapshot = {}
    todo = [r for r in roots if r in stats]
    while todo:
        pid = todo.pop()
        found[pid] = (_role(pid, "other"), stats[pid][1])
        todo += children.get(pid, [])
    if postgres:
        for pid in stats.keys() - found.keys():
            if _is_postgres(_cmdline(pid)):
                found[pid] = ("PostgreSQL", stats[pid][1])
    me = os.getpid()
    if me in stats:
        found[me] = (own, stats[me][1])
    return found


def shares(before: Snapshot, after: Snapshot, seconds: float) -> dict[str, float]:
    """Per role, the CPU used between the snapshots as a percentage of one core; processes
    that started in between count from zero, those that ended are missed."""
    used: dict[str, float] = {}
    for pid, (role, cpu) in after.items():
        used[role] = used.get(role, 0.0) + cpu - before.get(pid, (role, 0.0))[1]
    return {role: 100 * cpu / seconds for role, cpu in used.items()} if seconds > 0 else {}


def per_visit(before: Snapshot, after: Snapshot, visits: int) -> dict[str, float]:
    """Per role, milliseconds of CPU per visit between the snapshots."""
    if visits <= 0:
        return {}
    # Over a "window" of one second, a share in % of a core is 100 × the CPU seconds used.
    used = shares(before, after, 1.0)
    return {role: pct / 100 * 1000 / visits for role, pct in used.items()}


def describe_per_visit(ms: dict[str, float]) -> str:
    """The figure an A/B of a change compares: unlike visits per second it does not move
    with how many visits the clerks happened to start."""
    if not ms:
        return ""
    ranked = sorted(ms.items(), key=lambda item: -item[1])
    parts = ", ".join(f"{role} {v:.0f}" for role, v in ranked)
    return (
        f"CPU ms per complete visit (from the clerks' start until every visit was done, "
        f"the final polling included): {parts}; {sum(ms.values()):.0f} in all"
    )


def describe(share: dict[str, float]) -> str:
    if not share:
        return ""
    ranked = sorted(share.items(), key=lambda item: -item[1])
    parts = ", ".join(f"{role} {pct:.0f} %" for role, pct in ranked)
    cores = os.cpu_count() or 1
    return (
        f"CPU while the clerks worked, % of one core: {parts}; "
        f"{sum(share.values()):.0f} % of the machine's {100 * cores} %"
    )
