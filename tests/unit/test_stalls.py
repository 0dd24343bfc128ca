"""Which visits the supervisor sees as stalled, and the reason given."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.stalls import FailingActivity, OpenVisit, count, find_stalls, thresholds

NOW = datetime(2026, 3, 30, 10, 0, tzinfo=UTC)


def visit(vid: str, step: str, minutes_ago: float, **kw: object) -> OpenVisit:
    base: dict[str, object] = {
        "counter": "C01", "staff": "staff01", "procedures": ["tenkyo"], "needs_attention": False
    }  # fmt: skip
    base.update(kw)
    return OpenVisit(vid, step, NOW - timedelta(minutes=minutes_ago), **base)  # type: ignore[arg-type]


def test_thresholds_per_step_with_overrides_and_unknown_steps_named() -> None:
    limits = thresholds({"reception": 20})
    assert limits["reception"] == timedelta(minutes=20)
    assert limits["await_rpa"] == timedelta(minutes=60)
    with pytest.raises(ValueError, match="no such step for a stall threshold: lobby"):
        thresholds({"lobby": 5})


def test_stalled_visits_with_their_reason_oldest_first() -> None:
    visits = [
        visit("a", "reception", 45, counter="", staff=""),
        visit("b", "reception", 5, counter="", staff=""),  # within its 30 minutes
        visit("c", "await_rpa", 90),
        visit("d", "fill", 1),
        visit("e", "confirm", 3, needs_attention=True),
    ]
    failing = [FailingActivity("d", "fill_forms", 4, "database is locked")]
    stalls = find_stalls(
        visits, thresholds({}), NOW, failing=failing,
        attention={"e": "印刷に失敗 / printer offline"}, rpa_detail={"c": "未送信 1件 (pending)"},
    )  # fmt: skip
    assert [(s.visit_id, s.kind) for s in stalls] == [
        ("c", "rpa_waiting"), ("a", "step_too_old"), ("e", "needs_attention"),
        ("d", "activity_failing"),
    ]  # fmt: skip
    by_id = {s.visit_id: s for s in stalls}
    assert by_id["a"].reason.startswith("受付で 45分 経過（基準 30分）")
    assert "未送信 1件" in by_id["c"].reason and by_id["c"].actions == ["retry", "reassign"]
    assert (
        "fill_forms が 4 回失敗" in by_id["d"].reason and "database is locked" in by_id["d"].reason
    )
    assert "printer offline" in by_id["e"].reason and by_id["e"].actions == ["reassign", "cancel"]


def test_counts_by_step_counter_and_procedure() -> None:
    c = count([
        visit("a", "reception", 1, counter="", procedures=[]),
        visit("b", "interview", 1, procedures=["tenkyo", "juminhyo"]),
        visit("c", "interview", 1, counter="C02", procedures=["tenkyo"]),
    ])  # fmt: skip
    assert (c.waiting, c.in_progress) == (1, 2)
    assert c.by_step == {"reception": 1, "interview": 2}
    assert c.by_counter == {"C01": 1, "C02": 1}
    assert c.by_procedure == {"tenkyo": 2, "juminhyo": 1}
