"""Time in one place: aware UTC datetimes (SQLModel stores them as UTC on both databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_shanghai() -> date:
    """Dates people talk about (start dates, ages, valid-until) are China's calendar days."""
    return datetime.now(SHANGHAI).date()
