from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from app.clock import SHANGHAI
from app.notify.quiet import in_quiet_hours, parse_hhmm, release_time


def shanghai(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI).astimezone(UTC)


def test_push_at_23h_waits_until_seven_next_morning() -> None:
    at, reason = release_time(shanghai(2026, 11, 27, 23, 15), "22:00", "07:00", 0, 10)
    assert reason == "quiet_hours"
    assert at == shanghai(2026, 11, 28, 7, 0)


def test_push_at_6h_waits_until_seven_same_morning() -> None:
    at, reason = release_time(shanghai(2026, 11, 28, 6, 59), "22:00", "07:00", 0, 10)
    assert (at, reason) == (shanghai(2026, 11, 28, 7, 0), "quiet_hours")


def test_push_in_the_afternoon_goes_now() -> None:
    now = shanghai(2026, 11, 28, 15, 0)
    assert release_time(now, "22:00", "07:00", 3, 10) == (now, None)


def test_daily_cap_moves_push_to_next_morning_after_quiet_hours() -> None:
    at, reason = release_time(shanghai(2026, 11, 28, 15, 0), "22:00", "07:00", 10, 10)
    assert (at, reason) == (shanghai(2026, 11, 29, 7, 0), "daily_cap")


def test_quiet_hours_inside_one_day() -> None:
    start, end = parse_hhmm("12:00"), parse_hhmm("13:30")
    assert in_quiet_hours(datetime(2026, 1, 1, 12, 45), start, end)
    assert not in_quiet_hours(datetime(2026, 1, 1, 13, 30), start, end)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
       st.integers(0, 23), st.integers(0, 23))
def test_release_is_never_inside_quiet_hours_nor_in_the_past(naive: datetime, start_h: int, end_h: int) -> None:
    now = naive.replace(tzinfo=UTC)
    quiet_start, quiet_end = f"{start_h:02d}:00", f"{end_h:02d}:00"
    at, _ = release_time(now, quiet_start, quiet_end, 0, 10)
    assert at >= now
    assert not in_quiet_hours(at.astimezone(SHANGHAI), parse_hhmm(quiet_start), parse_hhmm(quiet_end))
