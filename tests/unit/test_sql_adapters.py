"""Repositories on SQLite and PostgreSQL alike."""

from adapters import residents, tickets
from adapters.db import session_scope
from domain.visit import IdCardData, IdSource
from madoguchi import demo_city


def test_register_search_finds_variant_spellings(database_url: str) -> None:
    people = demo_city.generate(80, seed=7)
    people[5].name = "渡邉\U000e0110　明美"
    people[5].kana = "ワタナベ　アケミ"
    with session_scope(database_url) as session:
        assert residents.add_all(session, people) == 80
        assert residents.count(session) == 80
        card = IdCardData(IdSource.MYNUMBER_CARD, "渡辺 明美", people[5].birth_date)
        found = residents.search_for_card(session, card)
        assert people[5].atena_no in {r.atena_no for r in found}
        stored = residents.get(session, people[5].atena_no)
        assert stored is not None and stored.name == "渡邉\U000e0110　明美"  # MJ survives the DB


def test_tickets_are_numbered_per_day_and_idempotent_per_visit(database_url: str) -> None:
    with session_scope(database_url) as session:
        assert tickets.issue(session, "a", "2026-11-25") == 1
        assert tickets.issue(session, "b", "2026-11-25") == 2
        assert tickets.issue(session, "a", "2026-11-25") == 1
        assert tickets.issue(session, "c", "2026-11-26") == 1
