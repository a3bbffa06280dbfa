from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from app.auth import CallerDep, SessionDep, StationOrAdmin
from app.errors import PROBLEM_RESPONSES
from app.services import stats_funnel, stats_monthly, stats_people, stats_posts, stats_training
from app.services.stats_common import StatsFilter, stats_filter_for
from app.services.workbook import ExportFormat, Sheet, download

# The role dependency comes first in each signature, so a wrong role is 403 before any filter is read.
# A station's key gets the same figures counted over its own seekers only (the scoping is the services').
router = APIRouter(prefix="/stats", tags=["statistics"], responses=PROBLEM_RESPONSES)

Format = Annotated[ExportFormat, Query(description="json (default), csv or xlsx (Excel workbook)")]


def stats_filter(
    caller: CallerDep,
    origin_code: Annotated[str | None, Query(description="Origin prefecture or county code")] = None,
    district_code: Annotated[str | None, Query(description="Ningbo district (workplace) code")] = None,
    employer_id: int | None = None,
    period: Annotated[str | None, Query(description="2025, 2025-03, 2025-Q1 or 2025-01-01..2025-03-31; "
                                                    "default: everything up to today")] = None,
) -> StatsFilter:
    return stats_filter_for(caller, origin_code, district_code, employer_id, period)


Filters = Annotated[StatsFilter, Depends(stats_filter)]


def _answer(name: str, title: str, fmt: ExportFormat, f: StatsFilter, columns: Sequence[tuple[str, str]],
            rows: list[dict[str, Any]], **extra: Any) -> object:
    if fmt != "json":
        return download(name, fmt, [Sheet(title, columns, rows)])
    return {
        "filters": {"origin_code": f.origin_code, "district_code": f.district_code, "employer_id": f.employer_id,
                    "period_start": f.period.start, "period_end": f.period.end, "station_id": f.station_id},
        "columns": [{"key": key, "label": label} for key, label in columns],
        "rows": rows,
        **extra,
    }


@router.get("/employment", summary="Registered, registered-poor, employed, stable — by origin prefecture and county")
def employment(_: StationOrAdmin, session: SessionDep, f: Filters, format: Format = "json",
               since: Annotated[date | None, Query(description="Cumulative stable employment since this day")]
               = None) -> object:
    rows = stats_people.employment_rows(session, f, since)
    return _answer("employment", "就业情况", format, f, stats_people.COLUMNS, rows, since=since)


@router.get("/posts", summary="Caring posts and family posts opened and filled; couple dormitories used (bureau only)")
def posts(_: StationOrAdmin, session: SessionDep, f: Filters, format: Format = "json") -> object:
    # Who may read these is the service's rule (bureau_only): a station's key is turned away there, with the
    # reason, like any caller of the service, rather than by a second check here that could say otherwise.
    rows = stats_posts.post_rows(session, f)
    return _answer("posts", "爱心岗位与亲情岗位", format, f, stats_posts.POST_COLUMNS, rows)


@router.get("/funnel", summary="Pushed → read → applied → hired → arrived → stable, with conversions")
def funnel(_: StationOrAdmin, session: SessionDep, f: Filters, format: Format = "json") -> object:
    return _answer("funnel", "转化漏斗", format, f, stats_funnel.COLUMNS, stats_funnel.funnel_rows(session, f))


@router.get("/transport", summary="Workers moved by charter batches, by mode and destination")
def transport(_: StationOrAdmin, session: SessionDep, f: Filters, format: Format = "json") -> object:
    return _answer("transport", "包车包机包专列", format, f, stats_posts.TRANSPORT_COLUMNS,
                   stats_posts.transport_rows(session, f))


@router.get("/training-demand", summary="Skills and certificates open vacancies need that the region's seekers lack")
def training_demand(_: StationOrAdmin, session: SessionDep, f: Filters, format: Format = "json",
                    limit: Annotated[int, Query(ge=1, le=200)] = 20) -> object:
    return _answer("training-demand", "订单式培训需求", format, f, stats_training.COLUMNS,
                   stats_training.training_rows(session, f, limit))


@router.get("/heatmap", summary="Where workers come from: GeoJSON of origin county seats with counts")
def heatmap(_: StationOrAdmin, session: SessionDep, f: Filters, format: Format = "json") -> object:
    rows = stats_people.heat_rows(session, f)
    if format != "json":
        return download("heatmap", format, [Sheet("劳动力分布", stats_people.HEAT_COLUMNS, rows)])
    return stats_people.heat_geojson(rows, f)


@router.get("/monthly", summary="Hired, arrived, left and reached 90 days — people per month (Asia/Shanghai)")
def monthly(_: StationOrAdmin, session: SessionDep, f: Filters, format: Format = "json",
            months: Annotated[int | None, Query(ge=1, le=stats_monthly.MAX_MONTHS, description=(
                "How many months, ending with the period's last month; default: the months the period spans, "
                "or the last 12"))] = None) -> object:
    rows = stats_monthly.monthly_rows(session, f, months)
    return _answer("monthly", "逐月录用到岗离职", format, f, stats_monthly.COLUMNS, rows)
