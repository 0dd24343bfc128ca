from domain.personnel import RosterEntry, parse_roster, plan

ROLES = {"madoguchi_shokuin", "kantokusha"}
HEADER = "staff_id,display_name,roles,department,counter_group,active,card_id\n"


def test_every_bad_row_is_named_with_column_and_reason() -> None:
    text = HEADER + (
        "a1,窓口 一,madoguchi_shokuin,shimin,honcho,1,\n"
        "a1,重複,madoguchi_shokuin,shimin,honcho,1,\n"
        "b 2,,wizard,shimin,honcho,maybe,XYZ\n"
    )
    entries, problems = parse_roster(text, ROLES)
    assert [e.staff_id for e in entries] == ["a1"]
    assert [(p.row, p.column) for p in problems] == [
        (3, "staff_id"),
        (4, "display_name"),
        (4, "staff_id"),
        (4, "roles"),
        (4, "active"),
        (4, "card_id"),
    ]
    assert "wizard" in str(problems[3]) and str(problems[0]).startswith("3行目 staff_id")


def test_missing_columns_reject_the_file() -> None:
    _, problems = parse_roster("staff_id,display_name\nx,y\n", ROLES)
    assert problems[0].row == 1 and "roles" in problems[0].column


def test_plan_shows_additions_role_changes_moves_and_deactivations() -> None:
    current = [
        RosterEntry("s1", "一", ("madoguchi_shokuin",), "shimin", "honcho"),
        RosterEntry("s2", "二", ("madoguchi_shokuin",), "shimin", "honcho"),
        RosterEntry("s3", "三", ("madoguchi_shokuin",), "shimin", "honcho"),
    ]
    roster = [
        RosterEntry("s1", "一", ("kantokusha",), "shimin", "honcho"),
        RosterEntry("s2", "二", ("madoguchi_shokuin",), "shimin", "shisho"),
        RosterEntry("s4", "四", ("madoguchi_shokuin",), "shimin", "honcho"),
    ]
    p = plan(current, roster)
    assert [(c.staff_id, c.what) for c in p.changes] == [
        ("s1", "roles"),
        ("s2", "placement"),
        ("s4", "add"),
        ("s3", "deactivate"),
    ]
    assert p.changes[0].before == "madoguchi_shokuin" and p.changes[0].after == "kantokusha"
