"""Seeding: the demo city's residents, the default roles, and demo staff accounts."""

from __future__ import annotations

from pathlib import Path

from adapters import form_store, residents, roles, users
from adapters.catalog_files import load_catalog
from adapters.db import session_scope
from adapters.users import StaffAccount
from madoguchi import demo_city

DEPARTMENT = "shimin"  # 市民課
# (staff id, name, role, counter group, card id) — demo only; passwords are "demo-<id>".
DEMO_STAFF: list[tuple[str, str, str, str, str]] = [
    ("staff01", "窓口 一郎", "madoguchi_shokuin", "honcho", "0123456789ABCDEF"),
    ("staff02", "支所 花子", "madoguchi_shokuin", "shisho", ""),
    ("kakunin01", "確認 次郎", "kakuninsha", "honcho", ""),
    ("kantoku01", "監督 三郎", "kantokusha", "honcho", ""),
    ("admin01", "管理 四郎", "system_kanrisha", "honcho", ""),
    ("rpa01", "RPA端末1", "rpa_tanmatsu", "honcho", ""),
    ("bpr01", "分析 五子", "bpr_bunsekisha", "honcho", ""),
]
DEMO_PIN = "1234"


def demo_password(staff_id: str) -> str:
    return f"demo-{staff_id}"


def seed_demo_city(database_url: str, count: int) -> int:
    """Add ``count`` synthetic residents unless the register already has people. Returns added."""
    with session_scope(database_url) as session:
        if residents.count(session) > 0:
            return 0
        return residents.add_all(session, demo_city.generate(count))


def seed_roles(database_url: str, catalog_dir: Path) -> int:
    with session_scope(database_url) as session:
        return roles.seed_defaults(session, catalog_dir)


def seed_forms(database_url: str, catalog_dir: Path) -> None:
    """The shipped form definitions, into a database that has none yet."""
    codes = set(load_catalog(catalog_dir).codes())
    with session_scope(database_url) as session:
        form_store.ensure_seeded(session, catalog_dir, codes)


def seed_demo(database_url: str, catalog_dir: Path, residents_count: int) -> None:
    """A demo city ready to use: residents, roles, forms and demo staff (each only where
    there is none yet) — what tests and benches start from."""
    seed_demo_city(database_url, residents_count)
    seed_roles(database_url, catalog_dir)
    seed_forms(database_url, catalog_dir)
    seed_demo_staff(database_url)


def seed_demo_staff(database_url: str) -> int:
    """Demo accounts, only into an empty user table (never beside the city's real staff)."""
    with session_scope(database_url) as session:
        if users.all_users(session):
            return 0
        for staff_id, name, role, group, card in DEMO_STAFF:
            users.upsert(
                session,
                StaffAccount(staff_id, name, [role], DEPARTMENT, group, card_id=card),
                password=demo_password(staff_id),
                pin=DEMO_PIN if card else None,
            )
        return len(DEMO_STAFF)
