from __future__ import annotations

from fastapi import APIRouter

from app.auth import CallerDep, NotSeeker, SessionDep, StationOrAdmin
from app.clock import today_shanghai
from app.errors import PROBLEM_RESPONSES
from app.models.common import Page
from app.models.placement import CheckInCreate, CheckInPublic, FollowUp, Placement, PlacementPublic
from app.ownership_placements import OwnedPlacement
from app.routers.deps import Cursor, Limit
from app.services import placements
from app.services.follow_ups import follow_ups
from app.services.pagination import paginate

router = APIRouter(tags=["placements"], responses=PROBLEM_RESPONSES)


@router.get("/placements", response_model=Page[PlacementPublic])
def list_placements(session: SessionDep, caller: CallerDep, status: str | None = None, seeker_id: int | None = None,
                    limit: Limit = None, cursor: Cursor = None) -> object:
    query = placements.placements_query(caller, status, seeker_id)
    items, next_cursor = paginate(session, query, Placement.id, limit, cursor)
    return {"items": [placements.placement_public(session, p) for p in items], "next_cursor": next_cursor}


@router.get("/placements/{placement_id}", response_model=PlacementPublic)
def get_placement(placement: OwnedPlacement, session: SessionDep) -> object:
    return placements.placement_public(session, placement)


@router.post("/placements/{placement_id}/check-ins", response_model=CheckInPublic, status_code=201,
             summary="Record a check-in: still employed, or left (with reason and date)")
def check_in(caller: NotSeeker, placement: OwnedPlacement, data: CheckInCreate, session: SessionDep) -> object:
    return placements.record_check_in(session, caller, placement, data)


@router.get("/follow-ups", response_model=list[FollowUp],
            summary="Placements to call now: overdue check-ins, due ones (7/30/60/90 days), workers who left")
def list_follow_ups(session: SessionDep, caller: StationOrAdmin, station_id: int | None = None) -> object:
    if caller.role == "station":
        station_id = caller.station_id
    return follow_ups(session, station_id, today_shanghai())
