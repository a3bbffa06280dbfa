"""Month by month, in China's calendar months: people hired, arriving at work, leaving, and reaching stable
employment (90 days after arrival, still employed) — the flows behind the employment figures.

Each figure counts people (a person counts once in a month, whatever their placements); the months are
the last N up to the period's end, or the months the period spans. The current month runs up to today."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, true
from sqlmodel import Session, col, select

from app.clock import SHANGHAI
from app.errors import ValidationFailed
from app.models.application import Application, ApplicationEvent
from app.models.placement import Placement
from app.models.seeker import Seeker
from app.models.vacancy import Vacancy
from app.services.placements import stable_on
from app.services.stats_common import Regions, StatsFilter, day_start
from app.settings import get_settings

COLUMNS = [("month", "月份"), ("hired", "录用人数"), ("arrived", "到岗人数"), ("left", "离职人数"),
           ("stable", "满3个月稳定就业人数")]
FIGURES = ("hired", "arrived", "left", "stable")
DEFAULT_MONTHS = 12
MAX_MONTHS = 120


def _add_months(first: date, n: int) -> date:
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_starts(f: StatsFilter, months: int | None) -> list[date]:
    end = f.period.end.replace(day=1)
    if months is None:
        start = f.period.start
        months = DEFAULT_MONTHS if start is None else (end.year - start.year) * 12 + end.month - start.month + 1
    if months > MAX_MONTHS:
        raise ValidationFailed(f"months：最多 {MAX_MONTHS} 个月（统计期跨 {months} 个月）",
                               f"months: at most {MAX_MONTHS} months (the period spans {months})",
                               field="months", rule="too_many_months")
    return [_add_months(end, -k) for k in reversed(range(months))]


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _local_day(moment: datetime) -> date:
    # SQLite hands back naive datetimes; they were stored as UTC.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(SHANGHAI).date()


def monthly_rows(session: Session, f: StatsFilter, months: int | None = None) -> list[dict[str, Any]]:
    starts = month_starts(f, months)
    # A period starting mid-month (2025-01-15..) counts its first month from that day, as the echoed filter
    # says. When ``months`` reaches back past the period's first month, the caller asked for whole months.
    start = f.period.start
    first = max(starts[0], start) if start is not None and start < _add_months(starts[0], 1) else starts[0]
    last = f.period.end
    seeker_clause = f.seeker_scope(Regions(session))
    district_clause = col(Vacancy.district_code) == f.district_code if f.district_code else true()
    people: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))

    def count(figure: str, day: date, seeker_id: int) -> None:
        if first <= day <= last:
            people[_month(day)][figure].add(seeker_id)

    hires = (
        select(col(ApplicationEvent.at), col(Application.seeker_id))
        .join(Application, col(Application.id) == ApplicationEvent.application_id)
        .join(Seeker, col(Seeker.id) == Application.seeker_id)
        .join(Vacancy, col(Vacancy.id) == Application.vacancy_id)
        .where(ApplicationEvent.to_status == "hired")
        .where(col(ApplicationEvent.at) >= day_start(first), col(ApplicationEvent.at) < f.period.end_at)
        .where(seeker_clause, district_clause)
        .where(col(Application.employer_id) == f.employer_id if f.employer_id is not None else true())
    )
    for at, seeker_id in session.exec(hires).all():
        count("hired", _local_day(at), seeker_id)

    stable_days = get_settings().stable_days
    placements = (
        select(col(Placement.seeker_id), col(Placement.arrived_on), col(Placement.left_on))
        .join(Seeker, col(Seeker.id) == Placement.seeker_id)
        .join(Vacancy, col(Vacancy.id) == Placement.vacancy_id)
        .where(col(Placement.arrived_on) <= last)
        # Arrived in the window, or early enough to reach 90 days in it, or left in it.
        .where(or_(col(Placement.arrived_on) >= first - timedelta(days=stable_days),
                   col(Placement.left_on) >= first))
        .where(seeker_clause, district_clause)
        .where(col(Placement.employer_id) == f.employer_id if f.employer_id is not None else true())
    )
    for seeker_id, arrived_on, left_on in session.exec(placements).all():
        count("arrived", arrived_on, seeker_id)
        if left_on is not None:
            count("left", left_on, seeker_id)
        stable_day = stable_on(arrived_on)
        # As the employment figures have it: leaving on day 90 still reached it.
        if left_on is None or left_on >= stable_day:
            count("stable", stable_day, seeker_id)

    return [{"month": _month(start), **{k: len(people[_month(start)][k]) for k in FIGURES}} for start in starts]
