"""Counter search on the whole synthetic city (416,120 residents), SQLite and PostgreSQL.

Imports the city, then times 200 searches of each kind through ``adapters.residents`` (the
search and the household lookup the API does), and the same name searches as a plain
``LIKE '%…%'`` for comparison. Target: p95 under 20 ms for every kind on both databases.

    .venv/bin/python -m bench.register_search [--residents N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable

from sqlalchemy import text

from adapters import residents
from adapters.db import session_scope
from bench.register_import import DEFAULT_PG, import_once, synthetic_snapshot
from domain.resident import ResidentRecord
from domain.resident_search import SearchKind
from madoguchi.synth_city import RESIDENTS

SAMPLES = 200


def _query(kind: SearchKind, r: ResidentRecord) -> str:
    return {
        SearchKind.KANA: r.kana.split("　")[0],  # surname reading: the usual counter query
        SearchKind.NAME: r.name,
        SearchKind.BIRTH_DATE: r.birth_date,
        SearchKind.ADDRESS: r.address.removeprefix("香川県高松市").split("番")[0] + "番",
        SearchKind.ATENA_NO: r.atena_no,
        SearchKind.JUMINHYO_CODE: r.juminhyo_code,
    }[kind]


def _time(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


def run(url: str, sample: list[ResidentRecord]) -> None:
    with session_scope(url) as session:
        for kind in SearchKind:
            times = []
            for r in sample:
                q = _query(kind, r)

                def one(q: str = q, kind: SearchKind = kind) -> None:
                    found = residents.search(session, kind, q, 30)
                    residents.households(session, sorted({f.household_no for f in found}))

                times.append(_time(one))
            print(
                f"    {kind:<14} p50 {statistics.median(times):6.2f} ms   p95 {_p95(times):6.2f} ms"
            )
        # The comparison a plain table gives: LIKE on the stored name. It scans the table for
        # a full name (nothing stops it early), and it cannot fold 髙/高 or IVS at all.
        like_sql = text("select * from residents where name like :q limit 30")
        like, indexed = [], []
        for r in sample[:50]:

            def scan(r: ResidentRecord = r) -> None:
                session.connection().execute(like_sql, {"q": f"%{r.name}%"}).all()

            def seek(r: ResidentRecord = r) -> None:
                residents.search(session, SearchKind.NAME, r.name, 30)

            like.append(_time(scan))
            indexed.append(_time(seek))
        ratio = _p95(like) / max(_p95(indexed), 0.01)
        print(
            f"    full name: LIKE '%…%' p95 {_p95(like):7.2f} ms, folded index p95 "
            f"{_p95(indexed):5.2f} ms: LIKE is {ratio:.0f}× slower"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=RESIDENTS)
    parser.add_argument("--postgres", default=os.environ.get("MADO_TEST_POSTGRES_URL", DEFAULT_PG))
    args = parser.parse_args()
    people, store, key, work = synthetic_snapshot(args.residents)
    sample = random.Random(1).sample(people, SAMPLES)
    cores = os.cpu_count()
    print(f"register search, {len(people):,} residents, {SAMPLES} queries per kind, {cores} cores")
    for name, url in (("SQLite", f"sqlite:///{work / 'bench.db'}"), ("PostgreSQL", args.postgres)):
        import_once(url, store, key)
        print(f"  {name}")
        run(url, sample)
    return 0


if __name__ == "__main__":
    sys.exit(main())
