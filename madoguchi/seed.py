"""Seeding the application database with the synthetic demo city."""

from __future__ import annotations

from adapters import residents
from adapters.db import session_scope
from madoguchi import demo_city


def seed_demo_city(database_url: str, count: int) -> int:
    """Add ``count`` synthetic residents unless the register already has people. Returns added."""
    with session_scope(database_url) as session:
        if residents.count(session) > 0:
            return 0
        return residents.add_all(session, demo_city.generate(count))
