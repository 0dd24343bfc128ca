"""``mado``: the command line of madoguchi."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from madoguchi.logging import configure_logging
from madoguchi.settings import Settings, get_settings


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
    audit_cmd.add_parser("purge", help="delete entries older than MADO_AUDIT_RETENTION_DAYS")
    export = audit_cmd.add_parser("export", help="entries as CSV for the city's auditors")
    export.add_argument("--since", type=datetime.fromisoformat, default=None)
    export.add_argument("--until", type=datetime.fromisoformat, default=None)
    export.add_argument("--out", default="-", help="file, or - for standard output")
    users_cmd = sub.add_parser("users", help="staff accounts").add_subparsers(
        dest="sub", required=True
    )
    imp = users_cmd.add_parser(
        "import", help="apply the staff roster (CSV); a dry run unless --apply"
    )
    imp.add_argument("file")
    imp.add_argument("--apply", action="store_true")
    pw = users_cmd.add_parser("set-password", help="set a staff member's password (asked for)")
    pw.add_argument("staff_id")
    synth = sub.add_parser(
        "synth-city", help="drop a synthetic city and a year of deltas into inbound/juki/"
    )
    synth.add_argument("--seed", type=int, default=37201)
    synth.add_argument("--residents", type=int, default=416_120)
    synth.add_argument("--households", type=int, default=205_424)
    synth.add_argument("--foreign", type=int, default=6_926)
    synth.add_argument("--months", type=int, default=12)
    bk = sub.add_parser("backup", help="back up the databases, objects and keys (stack may run)")
    bk.add_argument(
        "--out", type=Path, default=None, help="folder for backups (default data/backups)"
    )
    rs = sub.add_parser("restore", help="restore a backup folder (stop the stack first)")
    rs.add_argument("folder", type=Path)
    sim = sub.add_parser("rpa-sim", help="a stand-in for the city's RPA robot, against the API")
    sim.add_argument("--url", default="", help="API base URL (default: this stack's)")
    sim.add_argument("--staff-id", default="rpa01")
    sim.add_argument(
        "--password", default="", help="default: $MADO_RPA_PASSWORD, else the demo password"
    )
    sim.add_argument("--fail-rate", type=float, default=0.05, help="share of records refused")
    sim.add_argument("--interval", type=float, default=2.0, help="seconds between polls")
    sim.add_argument("--once", action="store_true", help="one poll, print what it did, exit")
    sim.add_argument("--seed", type=int, default=None)
    sub.add_parser("bpmn", help="write the per-procedure BPMN variants from the catalog")
    ld = sub.add_parser("load", help="simulated counter staff against a running stack")
    ld.add_argument("--url", default="", help="API base URL (default: this stack's)")
    ld.add_argument("--staff", type=int, default=10)
    ld.add_argument("--duration", type=float, default=60, help="seconds of new visits")
    ld.add_argument("--think-scale", type=float, default=1.0, help="0: no think times")
    ld.add_argument("--staff-id", default="staff01", help="the account the clerks log in as")
    ld.add_argument("--password", default="", help="default: the demo password")
    ld.add_argument("--rpa-password", default="", help="default: $MADO_RPA_PASSWORD or demo")
    rp = sub.add_parser(
        "replay", help="replay workflow histories through the current code (before a release)"
    ).add_subparsers(dest="sub", required=True)
    rp_check = rp.add_parser("check", help="replay history files; exit 1 if any fails")
    rp_check.add_argument("paths", nargs="+", type=Path, help="history files or folders")
    rp_check.add_argument(
        "--key-file", type=Path, default=None, help="payload key (default: this stack's)"
    )
    rp_export = rp.add_parser("export", help="fetch closed workflows' histories as JSON")
    rp_export.add_argument("--out", type=Path, required=True)
    rp_export.add_argument("--limit", type=int, default=100)
    rp_export.add_argument(
        "--query", default="ExecutionStatus != 'Running'",
        help="visibility query (default: every closed workflow)",
    )  # fmt: skip
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
        if args.sub == "purge":
            return audit_cli.purge(settings)
        return audit_cli.export(settings, args.since, args.until, args.out)
    if args.command == "synth-city":
        from adapters.catalog_files import load_juki_layout
        from madoguchi.storage import object_store
        from madoguchi.synth_city import drop_city

        keys = drop_city(
            object_store(settings), load_juki_layout(settings.catalog_dir), seed=args.seed,
            residents=args.residents, households=args.households, foreign=args.foreign,
            months=args.months,
        )  # fmt: skip
        print(f"dropped {len(keys)} files into inbound/juki/; the import poller picks them up")
        return 0
    if args.command in ("backup", "restore"):
        from madoguchi import backup

        if args.command == "backup":
            result = backup.backup(settings, args.out)
            print(f"backup written to {result.directory} ({', '.join(result.files)})")
            return 0
        host, _, port = settings.temporal_address.rpartition(":")
        if _port_open(host, int(port)) or _port_open(settings.api_host, settings.api_port):
            print("restore refused: stop the stack (mado run) first", file=sys.stderr)
            return 1
        try:
            restored = backup.restore(settings, args.folder)
        except backup.BackupError as e:
            print(f"restore refused: {e}", file=sys.stderr)
            return 1
        print("restored: " + ", ".join(restored))
        return 0
    if args.command == "users":
        return _users(args, settings)
    if args.command == "rpa-sim":
        return _rpa_sim(args, settings)
    if args.command == "load":
        return _load(args, settings)
    if args.command == "bpmn":
        from madoguchi.bpmn_models import write_variants

        print(f"{len(write_variants(settings.catalog_dir))} variants written to bpmn/variants/")
        return 0
    if args.command == "replay":
        from madoguchi.process_exit import exit_skipping_teardown

        exit_skipping_teardown(_replay(args, settings))
    if args.command == "seed":
        from madoguchi.seed import seed_demo_city

        added = seed_demo_city(settings.sqlalchemy_url, args.count or settings.demo_residents)
        print(f"added {added} synthetic residents")
        return 0
    return 2


def _load(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio
    import os

    from madoguchi.load import LoadConfig, procedure_mix, residents, run
    from madoguchi.seed import demo_password

    cfg = LoadConfig(
        url=args.url or f"http://127.0.0.1:{settings.api_port}",
        staff=args.staff, duration=args.duration, think_scale=args.think_scale,
        staff_id=args.staff_id, password=args.password or demo_password(args.staff_id),
        robots=[(
            "rpa01",
            args.rpa_password or os.environ.get("MADO_RPA_PASSWORD", "") or demo_password("rpa01"),
        )],
        mix=procedure_mix(settings.catalog_dir),
    )  # fmt: skip
    import httpx

    try:
        report = asyncio.run(run(cfg, residents(settings)))
    except httpx.TransportError as e:
        # The stack went away mid-run (stopped, crashed): say so instead of a traceback.
        print(f"load stopped: the API at {cfg.url} is unreachable ({e})", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 1 if report.errors or report.lost else 0


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from adapters.payload_codec import load_or_create_key
    from adapters.temporal_client import connect
    from madoguchi import replay
    from madoguchi.crypto import payload_key

    if args.sub == "check":
        files = replay.history_files(args.paths)
        if args.key_file and not args.key_file.is_file():
            print(f"no key file {args.key_file}", file=sys.stderr)
            return 2
        key = load_or_create_key(args.key_file) if args.key_file else payload_key(settings)
        return replay.print_outcomes(asyncio.run(replay.check(files, key)))

    async def fetch() -> list[Path]:
        client = await connect(
            settings.temporal_address, settings.temporal_namespace, payload_key(settings)
        )
        return await replay.export(client, args.out, args.query, args.limit)

    written = asyncio.run(fetch())
    print(f"{len(written)} histories written to {args.out}")
    return 0


def _rpa_sim(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio
    import contextlib
    import json
    import os

    from madoguchi.rpa_sim import RpaSimulator, SimConfig
    from madoguchi.seed import demo_password

    config = SimConfig(
        url=args.url or f"http://127.0.0.1:{settings.api_port}",
        staff_id=args.staff_id,
        password=args.password
        or os.environ.get("MADO_RPA_PASSWORD", "")
        or demo_password(args.staff_id),
        fail_rate=args.fail_rate,
        interval=args.interval,
        seed=args.seed,
    )
    sim = RpaSimulator(config)
    if args.once:
        print(json.dumps(asyncio.run(sim.once()).__dict__, ensure_ascii=False))
        return 0
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(sim.run_forever())
    return 0


def _port_open(host: str, port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex((host, port)) == 0


def _users(args: argparse.Namespace, settings: Settings) -> int:
    import getpass

    from adapters import users
    from adapters.db import session_scope
    from adapters.passwords import hash_secret
    from madoguchi import personnel_update

    operator = f"cli:{getpass.getuser()}"
    if args.sub == "import":
        with open(args.file, encoding="utf-8") as f:
            text = f.read()
        result = personnel_update.import_roster(settings, text, apply=args.apply, actor=operator)
        print(personnel_update.describe(result))
        return 1 if result.problems else 0
    password = getpass.getpass(f"new password for {args.staff_id}: ")
    if len(password) < 12:
        print("passwords must have at least 12 characters", file=sys.stderr)
        return 1
    with session_scope(settings.sqlalchemy_url) as session:
        row = users.get(session, args.staff_id)
        if row is None:
            print(f"no such staff id: {args.staff_id}", file=sys.stderr)
            return 1
        row.password_hash = hash_secret(password)
        session.add(row)
        session.commit()
        from adapters import audit

        audit.record(session, actor=operator, action="user.password", subject=args.staff_id)
    print("password set")
    return 0


if __name__ == "__main__":
    sys.exit(main())
