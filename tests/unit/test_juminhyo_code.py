import pytest

from domain.juminhyo_code import check_digit, is_valid, with_check_digit


def test_generated_codes_validate_and_a_changed_digit_does_not() -> None:
    code = with_check_digit("1234567890")
    assert is_valid(code)
    broken = code[:-1] + str((int(code[-1]) + 1) % 10)
    assert not is_valid(broken)
    assert not is_valid("123")


def test_body_must_be_ten_digits() -> None:
    with pytest.raises(ValueError):
        check_digit("12345")
