"""Employer subsidies: which placed workers qualify under which configured rule in a period, for how much.
Rules are data; a report built on example rules says so on every line."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.clock import today_shanghai
from app.errors import NotFound, ValidationFailed
from app.models.employer import Employer
from app.models.placement import Placement
from app.models.seeker import Seeker
from app.models.subsidy import (
    KIND_ZH,
    EmployerSubsidy,
    SubsidyReport,
    SubsidyRule,
    SubsidyRuleCreate,
    SubsidyRuleUpdate,
    SubsidyWorker,
)
from app.models.vacancy import Vacancy
from app.services.rules import require_region
from app.services.seekers import mask_name
from app.services.stats_common import Period, Regions

NOTICE = "金额按系统中配置的补贴规则计算，申报前请以现行政策文件为准。"
EXAMPLE_NOTICE = "含示例规则：示例规则及其金额仅用于演示，并非官方标准。"
COLUMNS = [
    ("employer_name", "企业"), ("credit_code", "统一社会信用代码"), ("name", "姓名"), ("id_number", "身份证号（脱敏）"),
    ("origin_code", "户籍地代码"), ("arrived_on", "到岗日期"), ("qualified_on", "符合条件日期"),
    ("rule_name", "补贴规则"), ("kind_name", "补贴类别"), ("example", "示例规则"), ("amount", "金额（元）"),
]
SUMMARY_COLUMNS = [("employer_name", "企业"), ("credit_code", "统一社会信用代码"), ("workers", "人数"),
                   ("total_amount", "金额合计（元）")]


def create_rule(session: Session, data: SubsidyRuleCreate) -> SubsidyRule:
    for code in data.origin_codes:
        require_region(session, code, "origin_codes")
    if data.valid_to is not None and data.valid_to < data.valid_from:
        raise ValidationFailed("valid_to：截止日期不能早于起始日期", "valid_to: before valid_from",
                               field="valid_to", rule="date_range")
    rule = SubsidyRule(**data.model_dump())
    session.add(rule)
    session.flush()
    return rule


def update_rule(session: Session, rule: SubsidyRule, data: SubsidyRuleUpdate) -> SubsidyRule:
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(rule, name, value)
    if rule.valid_to is not None and rule.valid_to < rule.valid_from:
        raise ValidationFailed("valid_to：截止日期不能早于起始日期", "valid_to: before valid_from",
                               field="valid_to", rule="date_range")
    session.add(rule)
    session.flush()
    return rule


def get_rule(session: Session, rule_id: int) -> SubsidyRule:
    rule = session.get(SubsidyRule, rule_id)
    if rule is None:
        raise NotFound(f"未找到补贴规则 {rule_id}", f"Subsidy rule {rule_id} not found")
    return rule


def list_rules(session: Session) -> Sequence[SubsidyRule]:
    return session.exec(select(SubsidyRule).order_by(col(SubsidyRule.id))).all()


def qualifies(rule: SubsidyRule, origins: set[str] | None, *, arrived_on: date, left_on: date | None,
              registered_poor: bool, origin_code: str, caring_post: bool, period: Period, today: date) -> date | None:
    """The day the worker qualifies under ``rule`` if that day falls in ``period``, else None."""
    qualified_on = arrived_on + timedelta(days=rule.min_stable_days)
    if not period.contains(qualified_on) or qualified_on > today:
        return None
    if qualified_on < rule.valid_from or (rule.valid_to is not None and qualified_on > rule.valid_to):
        return None
    if left_on is not None and left_on < qualified_on:
        return None
    if rule.requires_registered_poor and not registered_poor:
        return None
    if origins is not None and origin_code not in origins:
        return None
    if rule.caring_post_only and not caring_post:
        return None
    return qualified_on


def subsidy_report(session: Session, period: Period, employer_id: int | None, *,
                   today: date | None = None) -> SubsidyReport:
    day = today or today_shanghai()
    regions = Regions(session)
    rules = session.exec(select(SubsidyRule).where(col(SubsidyRule.active).is_(True))
                         .order_by(col(SubsidyRule.id))).all()
    rule_origins = {r.id: (set().union(*(regions.under(c) for c in r.origin_codes)) if r.origin_codes else None)
                    for r in rules}
    query = (select(Placement, Seeker, Vacancy.caring_post)
             .join(Seeker, col(Seeker.id) == Placement.seeker_id)
             .join(Vacancy, col(Vacancy.id) == Placement.vacancy_id)
             .where(col(Placement.arrived_on) <= period.end))
    if employer_id is not None:
        query = query.where(Placement.employer_id == employer_id)
    lines: dict[int, list[SubsidyWorker]] = defaultdict(list)
    for placement, seeker, caring_post in session.exec(query.order_by(col(Placement.id))).all():
        for rule in rules:
            qualified_on = qualifies(rule, rule_origins[rule.id], arrived_on=placement.arrived_on,
                                     left_on=placement.left_on, registered_poor=seeker.registered_poor,
                                     origin_code=seeker.origin_code, caring_post=bool(caring_post),
                                     period=period, today=day)
            if qualified_on is None:
                continue
            lines[placement.employer_id].append(SubsidyWorker(
                placement_id=placement.id, seeker_id=seeker.id, name=mask_name(seeker.name),  # type: ignore[arg-type]
                id_number=seeker.id_masked, origin_code=seeker.origin_code, arrived_on=placement.arrived_on,
                qualified_on=qualified_on, rule_id=rule.id, rule_name=rule.name, kind=rule.kind,  # type: ignore[arg-type]
                is_example=rule.is_example, amount=rule.amount_per_person,
            ))
    employers = {e.id: e for e in session.exec(select(Employer).where(col(Employer.id).in_(list(lines)))).all()}
    entries = [
        EmployerSubsidy(employer_id=eid, employer_name=employers[eid].name, credit_code=employers[eid].credit_code,
                        workers=workers, total_amount=sum(w.amount for w in workers))
        for eid, workers in sorted(lines.items())
    ]
    examples = any(w.is_example for e in entries for w in e.workers)
    return SubsidyReport(
        period_start=period.start or date.min, period_end=period.end, employers=entries,
        total_amount=sum(e.total_amount for e in entries), includes_example_rules=examples,
        notice=NOTICE + (EXAMPLE_NOTICE if examples else ""),
    )


def report_rows(report: SubsidyReport) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    detail = [
        {"employer_name": e.employer_name, "credit_code": e.credit_code, **w.model_dump(),
         "kind_name": KIND_ZH.get(w.kind, w.kind), "example": w.is_example}
        for e in report.employers for w in e.workers
    ]
    summary = [{"employer_name": e.employer_name, "credit_code": e.credit_code, "workers": len(e.workers),
                "total_amount": e.total_amount} for e in report.employers]
    summary.append({"employer_name": "合计", "credit_code": "", "workers": len(detail),
                    "total_amount": report.total_amount})
    return detail, summary
