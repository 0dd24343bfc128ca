"""Applying rows to the register, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

from sqlmodel import select

from adapters import register_import, residents
from adapters.catalog_files import load_juki_layout
from adapters.db import session_scope
from adapters.tables import ResidentHistoryRow
from domain.juki_file import ParsedRow
from madoguchi import demo_city
from madoguchi.settings import REPO_ROOT

LAYOUT = load_juki_layout(REPO_ROOT / "catalog")
TODAY = date(2026, 11, 25)


def parsed(n: int, **items: str) -> ParsedRow:
    base = {k: str(v) for k, v in register_import._values(demo_city.generate(1, seed=5)[0]).items()}
    return ParsedRow(n, {**base, **items}, {"独自項目": f"v{n}"})


def test_same_person_twice_in_a_chunk_then_an_update_then_a_rerun(database_url: str) -> None:
    with session_scope(database_url) as session:
        first = parsed(2, idou_jiyu="出生")
        fixed = parsed(3, kana="タカマツ　ハルカ", idou_jiyu="職権修正")
        assert register_import.apply_chunk(session, "f1", 0, [first, fixed], LAYOUT, TODAY) == (
            2,
            0,
        )
        atena = first.items["atena_no"]
        stored = residents.get(session, atena)
        assert stored is not None and stored.kana == "タカマツ　ハルカ"
        moved = parsed(2, address="香川県高松市番町1番1号", idou_jiyu="転居")
        assert register_import.apply_chunk(session, "f2", 0, [moved], LAYOUT, TODAY) == (1, 0)
        # Applying a chunk again changes nothing.
        assert register_import.apply_chunk(session, "f2", 0, [moved], LAYOUT, TODAY) == (1, 0)
        history = session.exec(
            select(ResidentHistoryRow)
            .where(ResidentHistoryRow.atena_no == atena)
            .order_by(ResidentHistoryRow.id)  # type: ignore[arg-type]
        ).all()
        assert [h.idou_jiyu for h in history] == ["出生", "職権修正", "転居"]
        assert json.loads(history[1].before)["kana"] == first.items["kana"]
        assert json.loads(history[2].after)["address"] == "香川県高松市番町1番1号"
        assert residents.get(session, atena).address == "香川県高松市番町1番1号"  # type: ignore[union-attr]
