"""The city's clock: Japan's time, whatever the servers' time zone (they run on UTC)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def city_day(at: datetime) -> str:
    """The city's date at an instant (ISO): the counter opens at 8:30, 23:30 UTC the day
    before, so a UTC date would turn in the middle of the morning."""
    return at.astimezone(JST).date().isoformat()
