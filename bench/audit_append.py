"""What one audit append costs: every staff step and every person read writes one.

Appends entries to the hash chain on a fresh SQLite file and, with ``--postgres``, on
PostgreSQL (a throwaway table set in its own database), and prints the CPU time of one
entry and of a household read of four (one turn of the chain's lock), then checks the
chain. CPU time, so what else the machine does matters less than for wall time.

    .venv/bin/python -m bench.audit_append [--entries 2000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlmodel import Session

from adapters import audit
from adapters.db import create_database, dispose, engine_for
from bench.register_import import DEFAULT_PG
from bench.stack import cpu_ms, machine

VISIT = "0" * 32
HOUSEHOLD = [
    audit.Entry("staff01", "resident.read", visit_id=VISIT, subject=f"00000000{k}")
    for k in range(4)
]


def measure(url: str, entries: int) -> tuple[float, float, bool]:
    with Session(engine_for(url)) as session:  # engine_for creates the tables

        def one() -> None:
            audit.record(session, actor="staff01", action="resident.read", visit_id=VISIT)

        def household() -> None:
            audit.record_many(session, HOUSEHOLD)

        single = cpu_ms(entries, one, warm=100)
        four = cpu_ms(entries // 4, household)
        ok = audit.verify(session).ok
    dispose(url)
    return single, four, ok


def _scratch_postgres(url: str) -> tuple[str, Callable[[], None]]:
    name = f"mado_bench_{uuid.uuid4().hex[:12]}"
    scratch = create_database(url, name)

    def drop() -> None:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()

    return scratch, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--postgres", nargs="?", const=DEFAULT_PG, default=None)
    args = parser.parse_args()
    print(f"audit appends, {machine()}")
    print(f"{'database':12} {'one entry ms CPU':>17} {'household of 4 ms CPU':>22} chain")
    with tempfile.TemporaryDirectory() as tmp:
        single, four, ok = measure(f"sqlite:///{tmp}/audit.db", args.entries)
        print(f"{'SQLite':12} {single:17.3f} {four:22.3f} {'ok' if ok else 'BROKEN'}")
    if args.postgres:
        url, drop = _scratch_postgres(args.postgres)
        try:
            single, four, ok = measure(url, args.entries)
        finally:
            drop()
        print(f"{'PostgreSQL':12} {single:17.3f} {four:22.3f} {'ok' if ok else 'BROKEN'}")


if __name__ == "__main__":
    main()
