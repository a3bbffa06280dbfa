"""When a seeker's push may appear: outside quiet hours and within the daily cap (Asia/Shanghai days)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from app.clock import SHANGHAI


def parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def in_quiet_hours(local: datetime, start: time, end: time) -> bool:
    now = local.time()
    if start == end:
        return False
    if start < end:
        return start <= now < end
    # Quiet hours that cross midnight, like 22:00–07:00.
    return now >= start or now < end


def quiet_end_after(local: datetime, start: time, end: time) -> datetime:
    """The first moment at or after `local` outside quiet hours."""
    if not in_quiet_hours(local, start, end):
        return local
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate


def release_time(
    now_utc: datetime, quiet_start: str, quiet_end: str, sent_today: int, daily_cap: int
) -> tuple[datetime, str | None]:
    """When a push created at `now_utc` may be shown, and why it waits (None when it need not)."""
    start, end = parse_hhmm(quiet_start), parse_hhmm(quiet_end)
    local = now_utc.astimezone(SHANGHAI)
    if sent_today >= daily_cap:
        next_day = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return quiet_end_after(next_day, start, end).astimezone(UTC), "daily_cap"
    if in_quiet_hours(local, start, end):
        return quiet_end_after(local, start, end).astimezone(UTC), "quiet_hours"
    return now_utc, None


def local_day_bounds(now_utc: datetime) -> tuple[datetime, datetime]:
    """The Shanghai calendar day containing `now_utc`, as UTC instants."""
    local = now_utc.astimezone(SHANGHAI)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)
