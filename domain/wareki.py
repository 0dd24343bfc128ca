"""和暦 (Japanese era) dates for forms. Data files carry ISO dates; forms print 和暦."""

from __future__ import annotations

from datetime import date

# (era name, first day). The first year of an era is 元年.
ERAS: tuple[tuple[str, date], ...] = (
    ("令和", date(2019, 5, 1)),
    ("平成", date(1989, 1, 8)),
    ("昭和", date(1926, 12, 25)),
    ("大正", date(1912, 7, 30)),
    ("明治", date(1868, 1, 25)),
)


class WarekiError(ValueError):
    pass


def era_of(d: date) -> tuple[str, int]:
    for name, start in ERAS:
        if d >= start:
            return name, d.year - start.year + 1
    raise WarekiError(f"{d.isoformat()} is before 明治 and has no 和暦")


def to_wareki(d: date) -> str:
    name, year = era_of(d)
    year_text = "元" if year == 1 else str(year)
    return f"{name}{year_text}年{d.month}月{d.day}日"


def iso_to_wareki(text: str) -> str:
    """Format an ISO date, or a partly unknown one (不詳) such as ``1950-00-00``."""
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise WarekiError(f"not an ISO date: {text!r}")
    year, month, day = (int(p) for p in parts)
    if month == 0:
        name, era_year = era_of(date(year, 12, 31))
        return f"{name}{'元' if era_year == 1 else era_year}年（月日不詳）"
    if day == 0:
        name, era_year = era_of(date(year, month, 28))
        return f"{name}{'元' if era_year == 1 else era_year}年{month}月（日不詳）"
    return to_wareki(date(year, month, day))


# 元号コード as core systems of local government write it (1 明治 … 5 令和).
ERA_CODES = {"明治": "1", "大正": "2", "昭和": "3", "平成": "4", "令和": "5"}


def iso_to_gengo7(text: str) -> str:
    """``2026-11-25`` → ``5081125``: era code, two-digit year of the era, month, day."""
    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise WarekiError(f"not an ISO date: {text!r}") from None
    name, year = era_of(d)
    return f"{ERA_CODES[name]}{year:02d}{d.month:02d}{d.day:02d}"
