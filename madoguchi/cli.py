"""``mado``: the command line of madoguchi."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from madoguchi.logging import configure_logging
from madoguchi.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mado", description="madoguchi 書かない窓口")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start the embedded stack (Temporal, worker, API + UI)")
    sub.add_parser("worker", help="run one Temporal worker")
    seed = sub.add_parser("seed", help="seed the demo city if the register is empty")
    seed.add_argument("--count", type=int, default=None)
    audit_cmd = sub.add_parser("audit", help="the audit log").add_subparsers(
        dest="sub", required=True
    )
    audit_cmd.add_parser("verify", help="check the hash chain; exit 1 naming the first bad row")
    export = audit_cmd.add_parser("export", help="entries as CSV for the city's auditors")
    export.add_argument("--since", type=datetime.fromisoformat, default=None)
    export.add_argument("--until", type=datetime.fromisoformat, default=None)
    export.add_argument("--out", default="-", help="file, or - for standard output")
    args = parser.parse_args(argv)

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    if args.command == "run":
        from madoguchi.stack import run_stack

        return run_stack(settings)
    if args.command == "worker":
        from madoguchi.worker import main as worker_main

        worker_main()
        return 0
    if args.command == "audit":
        from madoguchi import audit_cli

        if args.sub == "verify":
            return audit_cli.verify(settings)
        return audit_cli.export(settings, args.since, args.until, args.out)
    if args.command == "seed":
        from madoguchi.seed import seed_demo_city

        added = seed_demo_city(settings.sqlalchemy_url, args.count or settings.demo_residents)
        print(f"added {added} synthetic residents")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
