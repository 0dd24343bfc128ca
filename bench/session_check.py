"""What the login check of one request costs: every request of a logged-in screen or API
client resolves its session token to the staff member and their roles.

Seeds the demo staff into a fresh SQLite file, logs in once, then resolves the token N
times (``accounts.principal_for_token``: the session row and its user in one query, the
roles in a second) and prints the CPU time of one check.

    .venv/bin/python -m bench.session_check [--checks 3000]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.stack import cpu_ms, machine
from madoguchi import accounts
from madoguchi.seed import demo_password, seed_demo
from madoguchi.settings import REPO_ROOT, Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), catalog_dir=REPO_ROOT / "catalog")
        seed_demo(settings.sqlalchemy_url, settings.catalog_dir, 10)
        login = accounts.login_with_password(
            settings, "staff01", demo_password("staff01"), kind="bearer", terminal="bench"
        )

        def check() -> None:
            found = accounts.principal_for_token(settings, login.token, terminal="")
            assert found is not None and found[0].staff_id == "staff01"

        cpu = cpu_ms(args.checks, check, warm=200)
    print(f"login check of one request, SQLite, {machine()}")
    print(f"{cpu:.3f} ms of CPU a check ({args.checks} checks)")


if __name__ == "__main__":
    main()
