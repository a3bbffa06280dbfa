"""The funnel: pushed → read → applied → hired → arrived → stable, with the conversion at each step.

Pushes are the job pushes seekers received in the period (notification table, recipient_role "seeker");
read are those of them opened. Applied counts applications made in the period; hired, arrived and stable
follow those same applications (a cohort), stable as of the period's end."""

from __future__ import annotations

from typing import Any

from sqlalchemy import true
from sqlmodel import Session, col, func, select

from app.models.application import Application, ApplicationEvent
from app.models.notification import Notification
from app.models.placement import Placement
from app.models.seeker import Seeker
from app.models.vacancy import Vacancy
from app.services.stats_common import Regions, StatsFilter, ratio
from app.settings import get_settings

PUSH_KINDS = ("job.match", "family.match")
STEPS = [("pushed", "推送"), ("read", "已读"), ("applied", "申请"), ("hired", "录用"), ("arrived", "到岗"),
         ("stable", "稳定就业3个月以上")]
COLUMNS = [("step", "环节代码"), ("label", "环节"), ("count", "人次"), ("conversion", "较上一环节转化率"),
           ("of_first", "占推送比例")]


def funnel_rows(session: Session, f: StatsFilter) -> list[dict[str, Any]]:
    seeker_clause = f.seeker_scope(Regions(session))
    district_clause = col(Vacancy.district_code) == f.district_code if f.district_code else true()
    employer_clause = col(Vacancy.employer_id) == f.employer_id if f.employer_id is not None else true()

    pushes = (
        select(func.count(), func.count(col(Notification.read_at)))
        .select_from(Notification)
        .join(Seeker, col(Seeker.id) == Notification.recipient_id)
        .where(Notification.recipient_role == "seeker", col(Notification.kind).in_(PUSH_KINDS))
        .where(col(Notification.created_at) < f.period.end_at)
        .where(col(Notification.created_at) >= f.period.start_at if f.period.start_at else true())
        .where(seeker_clause)
    )
    if f.district_code or f.employer_id is not None:
        # A family push names no single vacancy, so it drops out when the question is about one workplace.
        pushes = pushes.join(Vacancy, col(Vacancy.id) == Notification.vacancy_id).where(district_clause,
                                                                                         employer_clause)
    pushed, read = session.exec(pushes).one()

    applications = (
        select(Application.id)
        .join(Seeker, col(Seeker.id) == Application.seeker_id)
        .join(Vacancy, col(Vacancy.id) == Application.vacancy_id)
        .where(col(Application.created_at) < f.period.end_at)
        .where(col(Application.created_at) >= f.period.start_at if f.period.start_at else true())
        .where(seeker_clause, district_clause, employer_clause)
    )
    applied = session.exec(select(func.count()).select_from(applications.subquery())).one()
    hired = session.exec(
        select(func.count(func.distinct(ApplicationEvent.application_id)))
        .where(ApplicationEvent.to_status == "hired", col(ApplicationEvent.application_id).in_(applications))
    ).one()
    stable_days = get_settings().stable_days
    arrived = stable = 0
    for arrived_on, left_on in session.exec(
        select(col(Placement.arrived_on), col(Placement.left_on)).where(col(Placement.application_id).in_(applications))
    ).all():
        if arrived_on > f.period.end:
            continue
        arrived += 1
        end = min(left_on, f.period.end) if left_on else f.period.end
        stable += int((end - arrived_on).days >= stable_days)
    counts = {"pushed": int(pushed), "read": int(read), "applied": int(applied), "hired": int(hired),
              "arrived": arrived, "stable": stable}
    rows = []
    previous: int | None = None
    for step, label in STEPS:
        count = counts[step]
        rows.append({"step": step, "label": label, "count": count,
                     "conversion": ratio(count, previous) if previous is not None else None,
                     "of_first": ratio(count, counts["pushed"])})
        previous = count
    return rows
