from domain.matching import rank
from domain.resident import ResidentRecord
from domain.visit import IdCardData, IdSource


def person(atena: str, name: str, kana: str, birth: str) -> ResidentRecord:
    return ResidentRecord(
        atena_no=atena, household_no="1", juminhyo_code="0", name=name, kana=kana,
        birth_date=birth, sex="1", relationship="世帯主", head_name=name,
        postal_code="7600001", address="香川県高松市茜町1番1号",
    )  # fmt: skip


def test_card_with_standard_characters_finds_the_variant_spelling_first() -> None:
    register = [
        person("1", "髙橋　一郎", "タカハシ　イチロウ", "1980-01-02"),
        person("2", "高橋　一郎", "タカハシ　イチロウ", "1975-05-05"),
        person("3", "佐藤　花子", "サトウ　ハナコ", "1980-01-02"),
    ]
    card = IdCardData(IdSource.DRIVER_LICENSE, "高橋 一郎", "1980-01-02")
    found = rank(card, register)
    assert [c.atena_no for c in found] == ["1"]
    assert found[0].matched_on == ["name", "birth_date"]
    # Same name with the card's address also qualifies; ranked below the birth-date match.
    card.address = "香川県高松市茜町1番1号"
    assert [c.atena_no for c in rank(card, register)] == ["1", "2"]


def test_one_matching_item_alone_is_not_a_candidate() -> None:
    register = [person("3", "佐藤　花子", "サトウ　ハナコ", "1980-01-02")]
    assert rank(IdCardData(IdSource.MANUAL, "田中　次郎", "1980-01-02"), register) == []
