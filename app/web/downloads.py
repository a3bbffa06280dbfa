"""Excel downloads for the dashboard's lists that the API answers only as JSON: follow-ups due and charter
batches. Same callers, same scoping (a station gets its own), same services; only the format is added.
(Candidates to become `?format=xlsx` on /api/v1/follow-ups and /api/v1/transport-batches.)"""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlmodel import col, func, select

from app.auth import SessionDep, StationOrAdmin
from app.clock import today_shanghai
from app.errors import PROBLEM_RESPONSES
from app.models.region import Region
from app.models.transport import TransportBatch, TransportPassenger
from app.services import transport
from app.services.follow_ups import follow_ups
from app.services.stats_posts import MODE_ZH
from app.services.workbook import Sheet, download

router = APIRouter(prefix="/dashboard/downloads", tags=["dashboard"], responses=PROBLEM_RESPONSES)

URGENCY_ZH = {"overdue": "逾期未回访", "due": "应回访", "left": "已离职待再就业"}
BATCH_STATUS_ZH = {"planned": "计划中", "departed": "已出发", "arrived": "已到达"}
FOLLOW_UP_COLUMNS = [
    ("urgency_zh", "紧急程度"), ("seeker_name", "姓名"), ("phone", "手机号（脱敏）"), ("employer_name", "用工企业"),
    ("vacancy_title", "岗位"), ("arrived_on", "到岗日期"), ("days_since_arrival", "在岗天数"),
    ("checkpoint_day", "回访节点（天）"), ("due_on", "应回访日期"), ("days_overdue", "逾期天数"),
    ("last_check_in_on", "上次回访"), ("left_on", "离职日期"), ("left_reason", "离职原因"),
    ("responsible_person", "责任人"),
]
BATCH_COLUMNS = [
    ("id", "批次"), ("mode_zh", "方式"), ("district_name", "目的地"), ("depart_on", "出发日期"),
    ("window_start", "入职日期自"), ("window_end", "入职日期至"), ("seats_taken", "人数"), ("capacity", "座位"),
    ("status_zh", "状态"), ("arrived_on", "到达日期"),
]


@router.get("/follow-ups.xlsx", response_class=Response, summary="Follow-ups due, as a workbook")
def follow_ups_workbook(caller: StationOrAdmin, session: SessionDep) -> Response:
    items = follow_ups(session, caller.station_id if caller.role == "station" else None, today_shanghai())
    rows = [{**f.model_dump(), "urgency_zh": URGENCY_ZH.get(f.urgency, f.urgency)} for f in items]
    return download(f"follow-ups-{today_shanghai().isoformat()}", "xlsx", [Sheet("回访清单", FOLLOW_UP_COLUMNS, rows)])


@router.get("/transport-batches.xlsx", response_class=Response, summary="Charter batches, as a workbook")
def batches_workbook(caller: StationOrAdmin, session: SessionDep) -> Response:
    query = transport.batches_query(caller.station_id if caller.role == "station" else None, None, None)
    seats: dict[int | None, int] = dict(session.exec(
        select(col(TransportPassenger.batch_id), func.count())
        .where(col(TransportPassenger.batch_id).in_(query.with_only_columns(col(TransportBatch.id))))
        .group_by(col(TransportPassenger.batch_id))
    ).all())
    rows = []
    for batch in session.exec(query.order_by(col(TransportBatch.id))).all():
        district = session.get(Region, batch.district_code)
        rows.append({**batch.model_dump(), "district_name": district.name if district else None,
                     "seats_taken": seats.get(batch.id, 0), "mode_zh": MODE_ZH.get(batch.mode, batch.mode),
                     "status_zh": BATCH_STATUS_ZH.get(batch.status, batch.status)})
    return download("transport-batches", "xlsx", [Sheet("包车包机包专列", BATCH_COLUMNS, rows)])
