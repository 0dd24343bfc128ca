from domain.steps import (
    ALLOWED,
    AUTOMATIC_STEPS,
    FINAL_STEPS,
    Action,
    Step,
    is_allowed,
    wrong_step_message,
)


def test_every_action_has_a_row_and_no_action_is_allowed_when_final_or_automatic() -> None:
    assert set(ALLOWED) == set(Action)
    for steps in ALLOWED.values():
        assert not steps & FINAL_STEPS
        assert not steps & AUTOMATIC_STEPS


def test_cancel_is_refused_once_data_went_to_the_core_system() -> None:
    assert is_allowed(Action.CANCEL, Step.CONFIRM)
    assert not is_allowed(Action.CANCEL, Step.AWAIT_RPA)


def test_wrong_step_message_names_action_step_and_where_it_is_allowed() -> None:
    msg = wrong_step_message(Action.CONFIRM, Step.RECEPTION)
    assert "署名確認" in msg and "受付" in msg and "内容確認・署名" in msg
    assert "'confirm'" in msg and "'reception'" in msg
