from dataclasses import replace

import pytest

from adapters import form_store
from adapters.catalog_files import load_catalog
from domain.binding import BindingContext
from domain.forms import fill_form
from domain.handoff import record_id
from domain.resident import ResidentRecord
from domain.visit import IdCardData, IdSource
from madoguchi.settings import REPO_ROOT

MJ_NAME = "渡邉\U000e0110　葛\U000e0103子"


def ctx(code: str, answers: dict[str, str]) -> BindingContext:
    r = ResidentRecord(
        atena_no="0000000001", household_no="00000001", juminhyo_code="12345678901",
        name=MJ_NAME, kana="ワタナベ　カツコ", birth_date="1960-04-17", sex="2",
        relationship="世帯主", head_name=MJ_NAME, postal_code="7600002",
        address="香川県高松市茜町1番2号", katagaki="メゾン高松101号",
    )  # fmt: skip
    return BindingContext(
        visit_id="v1", ticket_no=7, today="2026-11-25", resident=r,
        applicant=IdCardData(IdSource.MYNUMBER_CARD, MJ_NAME, "1960-04-17"),
        procedure_code=code, procedure_name="転居届", fee_yen=0, answers=answers,
        record_id=record_id("v1", code),
    )  # fmt: skip


def test_form_fields_are_bound_and_formatted_and_mj_characters_kept() -> None:
    catalog = load_catalog(REPO_ROOT / "catalog")
    defs = {
        d.code: d for d, _ in form_store.load_files(REPO_ROOT / "catalog", set(catalog.codes()))
    }
    answers = {"new_address": "香川県高松市番町1丁目", "moved_on": "2026-11-20"}
    binding = ctx("tenkyo", answers)
    binding.visit_procedures = ["tenkyo"]
    form = fill_form(defs["idou"], binding)
    values = {f.key: f.value for f in form.fields}
    assert values["applicant_name"] == MJ_NAME  # IVS intact
    assert values["applicant_birth"] == "昭和35年4月17日"
    assert values["notified_on"] == "令和8年11月25日"
    assert values["moved_on"] == "令和8年11月20日"
    assert values["old_address"] == "香川県高松市茜町1番2号 メゾン高松101号"
    assert values["new_address"] == "香川県高松市番町1丁目"
    assert values["kind"] == "転居"
    members = form.tables[0]
    assert members.columns[:3] == ["氏名", "フリガナ", "生年月日"]
    assert members.rows == [
        [MJ_NAME, "ワタナベ　カツコ", "昭和35年4月17日", "女", "世帯主", "12345678901"]
    ]


def test_each_certificate_prints_and_hands_off_its_own_count() -> None:
    from domain.binding import resolve
    from domain.handoff import build_row

    catalog = load_catalog(REPO_ROOT / "catalog")
    defs = {
        d.code: d for d, _ in form_store.load_files(REPO_ROOT / "catalog", set(catalog.codes()))
    }
    answers = {"juminhyo.copies": "2", "inkan_shomei.copies": "1"}
    for code, form_code, copies in (
        ("juminhyo", "juminhyo_seikyu", "2"),
        ("inkan_shomei", "inkan_shomei_shinsei", "1"),
    ):
        form = fill_form(defs[form_code], ctx(code, answers))
        assert {f.key: f.value for f in form.fields}["copies"] == f"{copies}通"
        proc = catalog.procedure(code)
        assert proc is not None
        row = build_row(proc.layout, ctx(code, answers))
        names = [c.name for c in proc.layout.columns]
        assert row.values[names.index("通数")] == copies and not row.problems
    # An API client's one count for every procedure still binds.
    assert resolve("answer.copies", ctx("koseki", {"copies": "3"})) == "3"


def test_the_move_form_lists_the_movers_the_interview_named_or_the_whole_household() -> None:
    catalog = load_catalog(REPO_ROOT / "catalog")
    defs = {
        d.code: d for d, _ in form_store.load_files(REPO_ROOT / "catalog", set(catalog.codes()))
    }
    head = ctx("tenshutsu", {}).resident
    child = replace(head, atena_no="0000000002", name="渡邉　一子", relationship="子")
    move = {"new_address": "東京都千代田区1-1", "moved_on": "2026-11-20"}
    for answers, listed in (
        (move, [MJ_NAME, "渡邉　一子"]),
        ({**move, "movers": "0000000002"}, ["渡邉　一子"]),
    ):
        binding = replace(ctx("tenshutsu", answers), household=[head, child])
        for form_code in ("idou", "tenshutsu_shomeisho"):
            table = fill_form(defs[form_code], binding).tables[0]
            assert [row[0] for row in table.rows] == listed, (form_code, answers)
    proc = catalog.procedure("tenshutsu")
    assert proc is not None and proc.per_mover


def test_each_move_form_ticks_its_own_kind_and_a_follow_up_every_kind() -> None:
    from domain.binding import resolve

    visit = ["tenshutsu", "setai_henko", "kokuho_idou"]

    def kind(code: str) -> str:
        binding = ctx(code, {"movers": "0000000001"})
        binding.visit_procedures = visit
        return resolve("move.kind", binding)

    assert kind("tenshutsu") == "転出"  # the 世帯主 who leaves
    assert kind("setai_henko") == "世帯変更"  # those who stay, on their own form
    assert kind("kokuho_idou") == "転出・世帯変更"


def test_a_follow_up_form_beside_a_move_lists_those_who_move() -> None:
    catalog = load_catalog(REPO_ROOT / "catalog")
    defs = {
        d.code: d for d, _ in form_store.load_files(REPO_ROOT / "catalog", set(catalog.codes()))
    }
    head = ctx("kokuho_idou", {}).resident
    grown = replace(head, atena_no="0000000002", name="渡邉　一子", relationship="子",
                    birth_date="2000-05-01")  # fmt: skip
    small = replace(head, atena_no="0000000003", name="渡邉　二郎", relationship="子",
                    birth_date="2019-06-01")  # fmt: skip
    household = [head, grown, small]

    def listed(code: str, form_code: str, answers: dict[str, str]) -> list[str]:
        binding = replace(ctx(code, answers), household=household)
        return [row[0] for row in fill_form(defs[form_code], binding).tables[0].rows]

    move = {"new_address": "東京都千代田区1-1", "moved_on": "2026-11-20"}
    # The grown child moves out alone: the 国保 form is theirs, not their parents'.
    alone = {**move, "movers": "0000000002"}
    assert listed("kokuho_idou", "kokuho_idou_todoke", alone) == ["渡邉　一子"]
    # A parent moves with the small child: the 児童手当 form lists the child who moves.
    with_child = {**move, "movers": "0000000001,0000000003"}
    assert listed("kokuho_idou", "kokuho_idou_todoke", with_child) == [MJ_NAME, "渡邉　二郎"]
    assert listed("jidou_teate", "jidou_teate_seikyu", with_child) == ["渡邉　二郎"]
    assert listed("jidou_teate", "jidou_teate_seikyu", alone) == []
    # No move named anyone (or none in the visit): the whole household, as before.
    everyone = [MJ_NAME, "渡邉　一子", "渡邉　二郎"]
    assert listed("kokuho_idou", "kokuho_idou_todoke", move) == everyone


def test_the_new_head_of_household_follows_who_moves() -> None:
    from domain.binding import resolve

    head = ctx("tenshutsu", {}).resident
    wife = replace(head, atena_no="0000000002", name="渡邉　花子", relationship="妻")
    child = replace(head, atena_no="0000000003", name="渡邉　一子", relationship="子")

    def new_head(answers: dict[str, str]) -> str:
        binding = replace(ctx("tenshutsu", answers), household=[head, wife, child])
        return resolve("move.new_head", binding)

    assert new_head({}) == MJ_NAME  # everyone moves: the same 世帯主
    assert new_head({"movers": "0000000001,0000000003"}) == MJ_NAME
    assert new_head({"movers": "0000000003"}) == "渡邉　一子"  # alone: their own household
    assert new_head({"movers": "0000000002,0000000003"}) == ""  # asked at the interview
    named = {"movers": "0000000002,0000000003", "movers_head": "渡邉　花子"}
    assert new_head(named) == "渡邉　花子"
    # 世帯変更届 in the same visit is about the household that stays: its own answer, and
    # their address, which does not change.
    stays = {**named, "new_head": "渡邉　一郎", "new_address": "東京都千代田区1-1"}
    both = replace(ctx("setai_henko", stays), household=[head])
    assert resolve("move.new_head", both) == "渡邉　一郎"
    assert resolve("move.new_address", both) == head.full_address
    # A follow-up (国保) beside the move is about the 異動者: their new 世帯主 and address.
    kokuho = replace(ctx("kokuho_idou", stays), household=[head, wife, child])
    assert resolve("move.new_head", kokuho) == "渡邉　花子"
    assert resolve("move.new_address", kokuho) == "東京都千代田区1-1"
    alone = replace(ctx("kokuho_idou", {"movers": "0000000003"}), household=[head, wife, child])
    assert resolve("move.new_head", alone) == "渡邉　一子"
    # Without a move naming anyone, 国保 shows the answer a 世帯変更届 gave, as before.
    no_move = replace(ctx("kokuho_idou", {"new_head": "渡邉　花子"}), household=[head, wife])
    assert resolve("move.new_head", no_move) == "渡邉　花子"


def test_a_move_is_written_per_mover_and_never_without_one_who_left_the_household() -> None:
    from temporalio.exceptions import ApplicationError

    from activities.inputs import VisitContext
    from activities.visit_activities import _records_of

    catalog = load_catalog(REPO_ROOT / "catalog")
    head = ctx("tenkyo", {}).resident
    child = replace(head, atena_no="0000000002", name="渡邉　一子", relationship="子")
    procs = [catalog.procedure(c) for c in ("tenkyo", "juminhyo", "setai_henko")]

    def records(answers: dict[str, str], household: list[ResidentRecord]) -> list[str]:
        vc = VisitContext("v1", 7, "2026-11-25", "s", "C01", None, ["tenkyo"], answers, None)
        return [
            f"{rid}={person.name}"
            for proc in procs
            if proc is not None
            for rid, person in _records_of(vc, proc, head, household)
        ]

    assert records({}, [head, child]) == [
        f"v1-tenkyo-0000000001={MJ_NAME}", "v1-tenkyo-0000000002=渡邉　一子",
        f"v1-juminhyo={MJ_NAME}",  # a layout written per procedure: one record, the resident
        f"v1-setai_henko={MJ_NAME}",  # same layout as 転居, but it does not ask who moves
    ]  # fmt: skip
    assert records({"movers": "0000000002"}, [head, child])[0] == "v1-tenkyo-0000000002=渡邉　一子"
    # The child named at the interview left the household before the handoff.
    with pytest.raises(ApplicationError, match="異動者が世帯にいません"):
        records({"movers": "0000000001,0000000002"}, [head])


def test_a_change_of_household_beside_the_head_moving_out_is_written_for_those_who_stay() -> None:
    """The 世帯主 moves out alone and the household that stays gets a new 世帯主: the core
    system's 世帯変更 records are about the people who stay — never the leaving 世帯主's
    宛名番号 — each with the new 世帯主 and the address that does not change."""
    from activities.inputs import VisitContext
    from activities.visit_activities import _records_of
    from domain.handoff import build_row

    catalog = load_catalog(REPO_ROOT / "catalog")
    head = ctx("tenshutsu", {}).resident
    wife = replace(head, atena_no="0000000002", name="渡邉　花子", relationship="妻")
    child = replace(head, atena_no="0000000003", name="渡邉　一子", relationship="子")
    household = [head, wife, child]
    answers = {
        "movers": head.atena_no, "new_address": "東京都千代田区千代田1番1号",
        "moved_on": "2026-11-20", "change_kind": "世帯主変更", "new_head": wife.name,
    }  # fmt: skip
    vc = VisitContext(
        "v1", 7, "2026-11-25", "s", "C01", None, ["tenshutsu", "setai_henko"], answers, None
    )
    setai_henko = catalog.procedure("setai_henko")
    assert setai_henko is not None and setai_henko.layout.ref == "idou@4"
    records = _records_of(vc, setai_henko, head, household)
    assert [(rid, p.name) for rid, p in records] == [
        ("v1-setai_henko-0000000002", "渡邉　花子"),
        ("v1-setai_henko-0000000003", "渡邉　一子"),
    ]
    columns = [c.name for c in setai_henko.layout.columns]
    for rid, person in records:
        binding = replace(
            ctx("setai_henko", answers), resident=person, household=household, record_id=rid
        )
        row = dict(zip(columns, build_row(setai_henko.layout, binding).values, strict=True))
        assert row["宛名番号"] == person.atena_no != head.atena_no
        assert row["氏名"] == person.name and row["新世帯主"] == wife.name
        assert row["新住所"] == row["旧住所"] == head.full_address  # they do not move
    # Without a move naming who leaves (a 世帯変更届 on its own), one record, as before.
    alone = replace(vc, procedures=["setai_henko"], answers={"new_head": wife.name})
    assert [rid for rid, _ in _records_of(alone, setai_henko, head, household)] == [
        "v1-setai_henko"
    ]
    # A visit pinned to idou@3 (records: mover) writes its one record as it did.
    pinned = replace(setai_henko, layout=replace(setai_henko.layout, version="3", records="mover"))
    assert [(rid, p.name) for rid, p in _records_of(vc, pinned, head, household)] == [
        ("v1-setai_henko", MJ_NAME)
    ]
