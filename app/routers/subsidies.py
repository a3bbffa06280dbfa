from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth import AdminCaller, EmployerOrAdmin, NotSeeker, SessionDep
from app.clock import today_shanghai
from app.errors import PROBLEM_RESPONSES
from app.models.subsidy import SubsidyReport, SubsidyRuleCreate, SubsidyRulePublic, SubsidyRuleUpdate
from app.services import subsidies
from app.services.stats_common import parse_period
from app.services.workbook import ExportFormat, Sheet, download

router = APIRouter(tags=["subsidies"], responses=PROBLEM_RESPONSES)


@router.get("/subsidy-rules", response_model=list[SubsidyRulePublic])
def list_rules(_: NotSeeker, session: SessionDep) -> object:
    return subsidies.list_rules(session)


@router.post("/subsidy-rules", response_model=SubsidyRulePublic, status_code=201)
def create_rule(_: AdminCaller, data: SubsidyRuleCreate, session: SessionDep) -> object:
    return subsidies.create_rule(session, data)


@router.patch("/subsidy-rules/{rule_id}", response_model=SubsidyRulePublic)
def update_rule(_: AdminCaller, rule_id: int, data: SubsidyRuleUpdate, session: SessionDep) -> object:
    return subsidies.update_rule(session, subsidies.get_rule(session, rule_id), data)


@router.get("/subsidies", response_model=SubsidyReport,
            summary="Per employer: the qualifying workers (masked), the rule and the amount; CSV or Excel too")
def report(
    caller: EmployerOrAdmin,
    session: SessionDep,
    period: Annotated[str | None, Query(description="2025, 2025-03, 2025-Q1 or 2025-01-01..2025-03-31; "
                                                    "default: this year so far")] = None,
    employer_id: int | None = None,
    format: ExportFormat = "json",
) -> object:
    if caller.role == "employer":
        employer_id = caller.employer_id
    period = period or str(today_shanghai().year)
    result = subsidies.subsidy_report(session, parse_period(period), employer_id)
    if format == "json":
        return result
    detail, summary = subsidies.report_rows(result)
    notice = [{"employer_name": result.notice}]
    return download(f"subsidies-{period}", format, [
        Sheet("补贴明细", subsidies.COLUMNS, detail),
        Sheet("企业汇总", subsidies.SUMMARY_COLUMNS, summary),
        Sheet("说明", [("employer_name", "说明")], notice),
    ])
