from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from app.auth import SessionDep, StationOrAdmin
from app.errors import PROBLEM_RESPONSES, ValidationFailed
from app.models.common import Page
from app.models.transport import BatchArrival, BatchPlanRequest, BatchPlanResult, BatchPublic, TransportBatch
from app.ownership_placements import OwnedBatch
from app.routers.deps import Cursor, Limit
from app.services import stations, transport
from app.services.pagination import paginate
from app.services.workbook import ExportFormat, Sheet, download

router = APIRouter(prefix="/transport-batches", tags=["transport"], responses=PROBLEM_RESPONSES)

MANIFEST_COLUMNS = [("name", "姓名"), ("id_number", "身份证号（脱敏）"), ("phone", "手机号（脱敏）"), ("sex", "性别"),
                    ("family_id", "家庭编号"), ("employer_name", "用工企业"), ("vacancy_title", "岗位"),
                    ("start_date", "入职日期"), ("application_status", "状态")]


@router.post("/plan", response_model=BatchPlanResult, status_code=201,
             summary="Group the station's hired workers into charter batches (families never split)")
def plan(caller: StationOrAdmin, data: BatchPlanRequest, session: SessionDep) -> object:
    if caller.role == "station":
        if data.station_id not in (None, caller.station_id):
            raise ValidationFailed("station_id：只能为本站编排", "station_id: a station plans for itself",
                                   field="station_id", rule="read_only")
        station_id = caller.station_id
    elif data.station_id is None:
        raise ValidationFailed("station_id：管理员须指定工作站", "station_id: required for the bureau",
                               field="station_id", rule="missing")
    else:
        station_id = stations.get_station(session, data.station_id).id
    assert station_id is not None
    batches, unplaced = transport.plan_batches(session, station_id, data)
    return {"batches": [transport.batch_public(session, b) for b in batches], "unplaced": unplaced}


@router.get("", response_model=Page[BatchPublic])
def list_batches(session: SessionDep, caller: StationOrAdmin, station_id: int | None = None,
                 status: str | None = None, mode: str | None = None, limit: Limit = None,
                 cursor: Cursor = None) -> object:
    if caller.role == "station":
        station_id = caller.station_id
    items, next_cursor = paginate(session, transport.batches_query(station_id, status, mode), TransportBatch.id,
                                  limit, cursor)
    return {"items": [transport.batch_public(session, b) for b in items], "next_cursor": next_cursor}


@router.get("/{batch_id}", response_model=BatchPublic)
def get_batch(batch: OwnedBatch, session: SessionDep) -> object:
    return transport.batch_public(session, batch)


@router.get("/{batch_id}/manifest", summary="The passenger manifest as CSV or Excel (ID numbers masked)")
def manifest(batch: OwnedBatch, session: SessionDep, format: ExportFormat = "xlsx") -> object:
    public = transport.batch_public(session, batch)
    if format == "json":
        return public
    rows = [p.model_dump() for p in public.passengers]
    return download(f"manifest-{batch.id}", format, [Sheet(f"乘车名单{batch.id}", MANIFEST_COLUMNS, rows)])


@router.post("/{batch_id}/depart", response_model=BatchPublic)
def depart(caller: StationOrAdmin, batch: OwnedBatch, session: SessionDep) -> object:
    return transport.batch_public(session, transport.advance(session, caller, batch, "departed"))


@router.post("/{batch_id}/arrive", response_model=BatchPublic,
             summary="The batch arrived: every passenger still hired is marked arrived and their placement starts")
def arrive(caller: StationOrAdmin, batch: OwnedBatch, session: SessionDep,
           data: Annotated[BatchArrival | None, Body()] = None) -> object:
    arrived_on = data.arrived_on if data else None
    return transport.batch_public(session, transport.advance(session, caller, batch, "arrived", arrived_on))
