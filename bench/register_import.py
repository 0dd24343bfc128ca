"""Full import of the synthetic city's snapshot (416,120 rows), on SQLite and PostgreSQL.

Runs the real activities (inspect, then the chunked apply) on a fresh database each time,
outside Temporal so that only the import itself is timed. Target: under 60 s each.

    .venv/bin/python -m bench.register_import [--residents N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import SQLModel
from temporalio.testing import ActivityEnvironment

from activities.import_activities import ApplyInput, ImportActivities, InspectInput
from adapters.catalog_files import load_juki_layout
from adapters.db import engine_for
from adapters.object_store import LocalDirectoryStore
from domain.resident import ResidentRecord
from madoguchi.juki_export import drop_file, juki_csv
from madoguchi.settings import REPO_ROOT
from madoguchi.synth_city import FOREIGN, HOUSEHOLDS, RESIDENTS, CityGenerator

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/madoguchi_test"


def import_once(url: str, store: LocalDirectoryStore, manifest_key: str) -> tuple[float, int]:
    engine = engine_for(url)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    acts = ImportActivities(database_url=url, store=store, catalog_dir=REPO_ROOT / "catalog")
    env = ActivityEnvironment()
    started = time.perf_counter()
    inspected = env.run(acts.inspect_inbound, InspectInput(manifest_key))
    applied = env.run(acts.apply_inbound, ApplyInput(inspected.file_key, chunk_size=5000))
    return time.perf_counter() - started, applied.applied


def synthetic_snapshot(
    residents: int,
) -> tuple[list[ResidentRecord], LocalDirectoryStore, str, Path]:
    """The synthetic city at ``residents`` people, dropped as a full snapshot into a fresh
    local store: (people, store, manifest key, working folder)."""
    households = round(residents * HOUSEHOLDS / RESIDENTS)
    foreign = round(residents * FOREIGN / RESIDENTS)
    people = list(CityGenerator().city(residents, households, foreign))
    work = Path(tempfile.mkdtemp(prefix="mado-bench-"))
    store = LocalDirectoryStore(work / "objects")
    data = juki_csv(people, load_juki_layout(REPO_ROOT / "catalog"))
    return people, store, drop_file(store, "full", data, kind="full", rows=len(people)), work


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=RESIDENTS)
    parser.add_argument("--postgres", default=os.environ.get("MADO_TEST_POSTGRES_URL", DEFAULT_PG))
    args = parser.parse_args()
    started = time.perf_counter()
    people, store, key, work = synthetic_snapshot(args.residents)
    generated = time.perf_counter() - started
    data_mb = sum(p.stat().st_size for p in (work / "objects").rglob("*.csv")) / 1e6
    print(f"register import, {len(people):,} residents, {os.cpu_count()} cores")
    print(f"  generate city      {generated:6.1f} s   CSV {data_mb:.0f} MB")
    for name, url in (("SQLite", f"sqlite:///{work / 'bench.db'}"), ("PostgreSQL", args.postgres)):
        seconds, applied = import_once(url, store, key)
        rate = applied / seconds
        print(f"  import {name:<11} {seconds:6.1f} s   {rate:8,.0f} rows/s   ({applied:,} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
