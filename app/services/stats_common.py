"""What every statistic shares: the filters (origin, district, employer, period) and the region tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, true
from sqlmodel import Session, col, select

from app.auth import Caller
from app.clock import SHANGHAI, today_shanghai
from app.errors import Forbidden, ValidationFailed
from app.models.region import Region
from app.models.seeker import Seeker

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    start: date | None
    end: date

    @property
    def start_at(self) -> datetime | None:
        return day_start(self.start) if self.start else None

    @property
    def end_at(self) -> datetime:
        """Exclusive: the first moment after the period, China time."""
        return day_start(self.end + timedelta(days=1))

    def contains(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and day <= self.end

    def contains_moment(self, moment: datetime) -> bool:
        start = self.start_at
        return (start is None or moment >= start) and moment < self.end_at


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SHANGHAI).astimezone(UTC)


def parse_period(text: str | None, *, today: date | None = None) -> Period:
    """"2025", "2025-03", "2025-Q1" or "2025-01-01..2025-03-31"; none means everything up to today.
    A period reaching past today ends today: figures are never about the future."""
    day = today or today_shanghai()
    if not text:
        return Period(None, day)
    start, end = _bounds(text.strip())
    if end < start:
        raise _bad_period(text)
    return Period(start, min(end, day) if start <= day else end)


def _bounds(text: str) -> tuple[date, date]:
    try:
        if m := _YEAR.match(text):
            year = int(m[1])
            return date(year, 1, 1), date(year, 12, 31)
        if m := _MONTH.match(text):
            year, month = int(m[1]), int(m[2])
            first = date(year, month, 1)
            return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        if m := _QUARTER.match(text):
            year, quarter = int(m[1]), int(m[2])
            first = date(year, 3 * quarter - 2, 1)
            return first, (first + timedelta(days=95)).replace(day=1) - timedelta(days=1)
        if m := _RANGE.match(text):
            return date.fromisoformat(m[1]), date.fromisoformat(m[2])
    except ValueError as exc:
        raise _bad_period(text) from exc
    raise _bad_period(text)


def _bad_period(text: str) -> ValidationFailed:
    return ValidationFailed(
        f"period：无法识别的统计期 {text}（示例：2025、2025-03、2025-Q1、2025-01-01..2025-03-31）",
        f"period: cannot read {text!r} (2025, 2025-03, 2025-Q1 or 2025-01-01..2025-03-31)",
        field="period", rule="period_format",
    )


@dataclass(frozen=True)
class StatsFilter:
    origin_code: str | None = None
    district_code: str | None = None
    employer_id: int | None = None
    period: Period = field(default_factory=lambda: parse_period(None))
    # Set for a station's key: every figure then counts that station's own seekers and nobody else.
    station_id: int | None = None

    def seekers(self) -> ColumnElement[bool]:
        """The clause keeping a query (joined to seeker) to the people this caller may count."""
        return col(Seeker.station_id) == self.station_id if self.station_id is not None else true()

    def seeker_scope(self, regions: Regions) -> ColumnElement[bool]:
        """The seekers a figure counts (a query joined to seeker): from the origin filter's regions, and
        the ones this caller may count."""
        origin = (col(Seeker.origin_code).in_(sorted(regions.under(self.origin_code))) if self.origin_code
                  else true())
        return and_(origin, self.seekers())


def stats_filter_for(caller: Caller, origin_code: str | None, district_code: str | None, employer_id: int | None,
                     period: str | None) -> StatsFilter:
    """The bureau counts everyone; a station's key counts its own seekers, whatever filters it sends, so no
    figure it sees includes another station's people."""
    station_id = None if caller.is_admin else caller.station_id
    if not caller.is_admin and station_id is None:
        # The routes admit the bureau and stations only; a non-bureau caller without a station must never
        # fall through to the bureau's unscoped figures.
        raise Forbidden("统计仅限人社局和劳务协作站", "Only the bureau and labour stations may read statistics",
                        rule="role")
    return StatsFilter(origin_code, district_code, employer_id, parse_period(period), station_id)


def bureau_only(f: StatsFilter) -> None:
    """For figures about employers' posts, which cannot be cut down to one station's people."""
    if f.station_id is not None:
        raise Forbidden("此统计仅限人社局", "Only the bureau may read this statistic", rule="role")


class Regions:
    """The region table in memory: names, parents, seats, and every code under a code."""

    def __init__(self, session: Session) -> None:
        self.by_code = {r.code: r for r in session.exec(select(Region)).all()}
        self.children: dict[str, list[str]] = {}
        for region in self.by_code.values():
            if region.parent_code:
                self.children.setdefault(region.parent_code, []).append(region.code)

    def under(self, code: str) -> set[str]:
        """The code and all regions below it (a prefecture's counties, a province's prefectures…)."""
        found, stack = set(), [code]
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(self.children.get(current, ()))
        return found

    def name(self, code: str) -> str:
        region = self.by_code.get(code)
        return region.name if region else code

    def prefecture_of(self, code: str) -> str:
        region = self.by_code.get(code)
        if region is None:
            return code
        if region.level in ("county", "district") and region.parent_code:
            return region.parent_code
        return code


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
