from dataclasses import replace
from datetime import date

from adapters.catalog_files import load_catalog
from domain.validation import (
    check_iso_date,
    validate_choose_procedures,
    validate_confirm,
    validate_correction,
    validate_identify,
)
from domain.visit import (
    ChooseProceduresInput,
    ConfirmInput,
    CorrectAnswersInput,
    FilledForm,
    HouseholdMember,
    IdCardData,
    IdSource,
    ResidentCandidate,
    Signature,
)
from madoguchi.settings import REPO_ROOT

TODAY = date(2026, 11, 25)


def test_dates_accept_unknown_parts_but_not_impossible_ones() -> None:
    assert check_iso_date("1950-00-00", TODAY) is None
    assert check_iso_date("1950-04-00", TODAY) is None
    assert check_iso_date("1950-00-04", TODAY) is not None
    assert check_iso_date("2026-02-29", TODAY) == "存在しない日付です / no such date"
    assert check_iso_date("2026-11-26", TODAY) == "未来の日付です / date is in the future"
    assert check_iso_date("1868-01-24", TODAY) is not None
    assert check_iso_date("26/11/2026", TODAY) is not None


def test_identify_names_each_bad_field() -> None:
    card = IdCardData(source=IdSource.MANUAL, name=" ", birth_date="x", sex="3", kana="ア" * 101)
    fields = [p.field for p in validate_identify(card, TODAY)]
    assert fields == ["name", "birth_date", "kana", "sex"]


def test_procedures_questions_come_from_the_catalog() -> None:
    catalog = load_catalog(REPO_ROOT / "catalog")
    good = ChooseProceduresInput(["juminhyo"], {"copies": "2"})
    assert validate_choose_procedures(good, catalog) == []
    too_many = ChooseProceduresInput(["juminhyo"], {"copies": "11"})
    assert [p.field for p in validate_choose_procedures(too_many, catalog)] == ["answers.copies"]
    dup = ChooseProceduresInput(["juminhyo", "juminhyo"], {"copies": "1"})
    assert "duplicate" in validate_choose_procedures(dup, catalog)[0].message
    assert validate_choose_procedures(ChooseProceduresInput([]), catalog)[0].field == "procedures"


def test_each_certificate_has_its_own_count() -> None:
    catalog = load_catalog(REPO_ROOT / "catalog")
    two_and_one = {"juminhyo.copies": "2", "inkan_shomei.copies": "1"}
    both = ChooseProceduresInput(["juminhyo", "inkan_shomei"], two_and_one)
    assert validate_choose_procedures(both, catalog) == []
    bad = {"juminhyo.copies": "2", "inkan_shomei.copies": "11"}
    problems = validate_choose_procedures(ChooseProceduresInput(both.procedures, bad), catalog)
    assert [(p.field, p.message.split(":")[0]) for p in problems] == [
        ("answers.inkan_shomei.copies", "印鑑登録証明書 通数")
    ]
    missing = ChooseProceduresInput(both.procedures, {"juminhyo.copies": "2"})
    assert [p.field for p in validate_choose_procedures(missing, catalog)] == [
        "answers.inkan_shomei.copies"
    ]
    # A visit pinned before 通数 was asked per procedure takes the staff screen's keys too.
    for proc in catalog.procedures:
        for q in proc.questions:
            q.per_procedure = False
    assert validate_choose_procedures(both, catalog) == []
    # A count for a procedure not chosen is not one of this visit's questions.
    stray = ChooseProceduresInput(["juminhyo"], two_and_one)
    assert [p.field for p in validate_choose_procedures(stray, catalog)] == [
        "answers.inkan_shomei.copies"
    ]


def test_confirm_needs_a_signature_within_the_pad_and_the_visit_forms() -> None:
    forms = [FilledForm("f1", "1", "t", "p", [])]
    good = ConfirmInput(Signature([[[0.1, 0.1], [0.2, 0.2]]]), ["f1"])
    assert validate_confirm(good, forms) == []
    outside = ConfirmInput(Signature([[[0.1, 1.5], [0.2, 0.2]]]), ["f1"])
    assert validate_confirm(outside, forms)[0].field == "signature"
    other_forms = ConfirmInput(Signature([[[0.1, 0.1], [0.2, 0.2]]]), ["f2"])
    assert validate_confirm(other_forms, forms)[0].field == "confirmed_form_codes"


def test_an_interview_date_must_be_a_real_day() -> None:
    from domain.catalog import Question
    from domain.validation import _check_answer

    q = Question("moved_on", "異動年月日", kind="date")
    assert _check_answer(q, "2026-11-20") is None
    assert _check_answer(q, "2026-13-40") == "存在しない日付です / no such date"
    assert _check_answer(q, "2026-02-29") == "存在しない日付です / no such date"
    assert _check_answer(q, "20261120") == "日付は YYYY-MM-DD 形式です / date must be YYYY-MM-DD"


def test_a_count_that_is_not_a_number_is_called_that_whatever_its_length() -> None:
    from domain.catalog import Question
    from domain.validation import _check_answer

    q = Question("copies", "通数", kind="int", max_length=2, min_value=1, max_value=20)
    assert _check_answer(q, "abc") == "数字で入力してください / must be a whole number"
    # A superscript two is a digit to str.isdigit() but not a number to int().
    assert _check_answer(q, "²") == "数字で入力してください / must be a whole number"
    assert _check_answer(q, "123") == "2文字までです / too long"
    assert _check_answer(q, "2") is None


def _family() -> ResidentCandidate:
    """The resident (101, 世帯主) of a household of three."""
    return ResidentCandidate(
        atena_no="101", household_no="9", name="", kana="", birth_date="1980-01-01", sex="1",
        address="", relationship="世帯主", score=100,
        members=[
            HouseholdMember("101", "甲（世帯主）", head=True), HouseholdMember("102", "乙（妻）"),
            HouseholdMember("103", "丙（子）"),
        ],
    )  # fmt: skip


def test_movers_are_people_of_the_residents_household_each_once() -> None:
    catalog = load_catalog(REPO_ROOT / "catalog")
    resident = _family()
    move = {"new_address": "高松市番町1-8-15", "moved_on": "2026-11-20"}

    def problems(movers: str | None, who: ResidentCandidate = resident) -> list[str]:
        answers = move if movers is None else {**move, "movers": movers}
        inp = ChooseProceduresInput(["tenkyo"], answers)
        return [str(p) for p in validate_choose_procedures(inp, catalog, who)]

    assert problems(None) == []  # named none: the whole household moves
    assert problems("102") == [] and problems("101, 102") == []
    assert problems("101,104") == [
        "answers.movers: 異動者: 世帯の人ではない宛名番号が1件あります"
        " / not a member of the resident's household"
    ]
    assert "重複" in problems("101,101")[0]
    assert "1人以上" in problems(" , ")[0]
    # A resident chosen before households were kept: nobody can be checked, so none named.
    old = replace(resident, members=[])
    assert "世帯が読み込まれていません" in problems("101", old)[0]
    assert problems(None, old) == []


def test_several_moving_without_the_head_of_household_name_their_new_one() -> None:
    catalog = load_catalog(REPO_ROOT / "catalog")
    resident = _family()
    move = {"new_address": "高松市番町1-8-15", "moved_on": "2026-11-20"}

    def problems(answers: dict[str, str]) -> list[str]:
        inp = ChooseProceduresInput(["tenshutsu"], {**move, **answers})
        return [str(p) for p in validate_choose_procedures(inp, catalog, resident)]

    assert problems({"movers": "102,103"}) == [
        "answers.movers_head: 新しい世帯主（世帯主が異動しないとき）: 世帯主が異動しないため"
        "入力してください / the head of household stays: name the movers' new head"
    ]
    assert problems({"movers": "102,103", "movers_head": "乙"}) == []
    assert problems({"movers": "101,103"}) == []  # the 世帯主 moves with them
    assert problems({"movers": "103"}) == []  # alone: heads their own household


def test_a_correction_must_change_what_the_forms_were_filled_with() -> None:
    answers = {"copies": "2", "new_address": "高松市番町1-8-15"}  # one count, from an API client
    same = CorrectAnswersInput({"juminhyo.copies": "2"}, "確認")
    assert "nothing was changed" in validate_correction(same, answers)[0].message
    assert validate_correction(CorrectAnswersInput({"juminhyo.copies": "3"}, "確認"), answers) == []
    moved = CorrectAnswersInput({"new_address": "高松市番町1-8-16"}, "番地の誤り")
    assert validate_correction(moved, answers) == []


def test_a_visit_pinned_before_movers_were_asked_takes_the_whole_household() -> None:
    catalog = load_catalog(REPO_ROOT / "catalog")
    for proc in catalog.procedures:  # the catalog as it was before 2026.11-5
        proc.questions = [q for q in proc.questions if q.kind != "members"]
    move = {"new_address": "高松市番町1-8-15", "moved_on": "2026-11-20"}
    everyone = ChooseProceduresInput(["tenkyo"], {**move, "movers": "101,102,103"})
    assert validate_choose_procedures(everyone, catalog, _family()) == []
    # Its pinned forms list the whole household: a part of it cannot be taken.
    some = ChooseProceduresInput(["tenkyo"], {**move, "movers": "101,102"})
    assert "全員を選ぶか" in validate_choose_procedures(some, catalog, _family())[0].message
