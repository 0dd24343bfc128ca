"""Counter search on SQLite and PostgreSQL: every kind of query, variants folded."""

from __future__ import annotations

from dataclasses import replace

from adapters import residents
from adapters.db import session_scope
from domain.resident import ResidentRecord
from domain.resident_search import MatchStatus, SearchKind, match_card
from domain.visit import IdCardData, IdSource
from madoguchi import demo_city


def people() -> list[ResidentRecord]:
    base = demo_city.generate(40, seed=11)
    akane = "香川県高松市茜町1番2号"
    special = [
        replace(base[0], atena_no="1000000001", name="髙橋　一郎", kana="タカハシ　イチロウ"),
        replace(
            base[1], atena_no="1000000002", name="渡邉\U000e0110　明美", kana="ワタナベ　アケミ"
        ),
        replace(
            base[2],
            atena_no="1000000003",
            name="ヴィクター　ジョーンズ",
            kana="ヴィクター　ジョーンズ",
        ),
        replace(base[3], atena_no="1000000004", name="髙橋　一郎", kana="タカハシ　イチロウ"),
    ]
    special[0] = replace(special[0], birth_date="1980-01-02", household_no="H1", address=akane)
    special[1] = replace(special[1], birth_date="1960-04-17", household_no="H1", address=akane)
    special[2] = replace(special[2], household_no="H2")
    special[3] = replace(
        special[3],
        birth_date="1980-01-02",
        household_no="H3",
        sex="1",
        address="香川県高松市番町5番5号",
    )
    return special + base[4:]


def test_every_kind_of_search(database_url: str) -> None:
    with session_scope(database_url) as session:
        residents.add_all(session, people())

        def atenas(kind: SearchKind, q: str) -> list[str]:
            return [r.atena_no for r in residents.search(session, kind, q)]

        assert atenas(SearchKind.NAME, "高橋 一郎") == ["1000000001", "1000000004"]  # 髙 folded
        assert "1000000002" in atenas(SearchKind.NAME, "渡辺")  # 邉+IVS folded, surname prefix
        assert "1000000002" in atenas(SearchKind.KANA, "わたなべ")  # hiragana
        assert "1000000002" in atenas(SearchKind.KANA, "ﾜﾀﾅﾍﾞ ｱｹﾐ")  # half width
        assert "1000000003" in atenas(SearchKind.KANA, "ビクタ")  # ヴィ/ビ, long vowel
        assert "1000000001" in atenas(SearchKind.BIRTH_DATE, "1980-01-02")
        assert set(atenas(SearchKind.ADDRESS, "茜町１番")) >= {"1000000001", "1000000002"}
        assert atenas(SearchKind.ATENA_NO, "1000000002") == ["1000000002"]
        code = people()[1].juminhyo_code
        assert atenas(SearchKind.JUMINHYO_CODE, code) == ["1000000002"]
        assert atenas(SearchKind.NAME, "存在しない名前") == []
        homes = residents.households(session, ["H1"])
        assert sorted(r.atena_no for r in homes["H1"]) == ["1000000001", "1000000002"]


def test_card_match_one_none_several(database_url: str) -> None:
    with session_scope(database_url) as session:
        residents.add_all(session, people())
        card = IdCardData(IdSource.MYNUMBER_CARD, "髙橋 一郎", "1980-01-02")
        several = match_card(card, residents.search_for_card(session, card))
        assert several.status == MatchStatus.SEVERAL and len(several.candidates) == 2
        card.address, card.sex = "香川県高松市番町5番5号", "1"
        one = match_card(card, residents.search_for_card(session, card))
        assert one.status == MatchStatus.ONE and one.person is not None
        assert one.person.atena_no == "1000000004"
        nobody = IdCardData(IdSource.DRIVER_LICENSE, "高松 太郎", "1999-09-09")
        none = match_card(nobody, residents.search_for_card(session, nobody))
        assert none.status == MatchStatus.NONE and "no resident" in none.message
