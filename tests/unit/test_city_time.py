from datetime import UTC, datetime

from domain.city_time import city_day


def test_the_ticket_day_turns_at_midnight_in_japan_not_at_nine_in_the_morning() -> None:
    opening = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # 8:30 on the 26th in the city
    nine = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    assert city_day(opening) == city_day(nine) == "2026-11-26"
    assert city_day(datetime(2026, 11, 26, 14, 59, tzinfo=UTC)) == "2026-11-26"
    assert city_day(datetime(2026, 11, 26, 15, 0, tzinfo=UTC)) == "2026-11-27"
