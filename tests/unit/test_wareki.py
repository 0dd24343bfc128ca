from datetime import date

import pytest

from domain.wareki import WarekiError, iso_to_wareki, to_wareki


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1868, 1, 25), "明治元年1月25日"),
        (date(2026, 11, 25), "令和8年11月25日"),
    ],
)
def test_era_boundaries(d: date, expected: str) -> None:
    assert to_wareki(d) == expected


def test_partly_unknown_dates() -> None:
    assert iso_to_wareki("1950-00-00") == "昭和25年（月日不詳）"
    assert iso_to_wareki("1950-04-00") == "昭和25年4月（日不詳）"


def test_before_meiji_and_garbage_are_errors() -> None:
    with pytest.raises(WarekiError):
        to_wareki(date(1868, 1, 24))
    with pytest.raises(WarekiError):
        iso_to_wareki("R8.11.25")
