from __future__ import annotations

from fastapi import APIRouter

from app.auth import SeekerCaller, SessionDep, StationCaller, StationOrAdmin
from app.errors import PROBLEM_RESPONSES, NotFound
from app.models.access import ApiKeyIssued, EnrolmentCodeIssued, EnrolRequest
from app.models.common import Page
from app.models.seeker import Seeker, SeekerCreate, SeekerIdentity, SeekerPublic, SeekerSelfUpdate, SeekerUpdate
from app.ownership import OwnedSeeker
from app.routers.deps import Cursor, Limit, VaultDep
from app.services import access, seekers, stations
from app.services.pagination import paginate

# The role dependency comes first in each signature: FastAPI resolves dependencies in order, so a wrong
# role is 403 for every id and never reveals which ids exist.
router = APIRouter(tags=["seekers"], responses=PROBLEM_RESPONSES)


@router.get("/seekers", response_model=Page[SeekerPublic])
def list_seekers(
    session: SessionDep,
    caller: StationOrAdmin,
    station_id: int | None = None,
    origin_code: str | None = None,
    status: str | None = None,
    registered_poor: bool | None = None,
    occupation: str | None = None,
    in_family: bool | None = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> object:
    if caller.role == "station":
        station_id = caller.station_id
    query = seekers.seekers_query(station_id, origin_code, status, registered_poor, occupation, in_family)
    items, next_cursor = paginate(session, query, Seeker.id, limit, cursor)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/seekers", response_model=SeekerPublic, status_code=201)
def register_seeker(data: SeekerCreate, session: SessionDep, vault: VaultDep, caller: StationCaller) -> object:
    assert caller.station_id is not None
    station = stations.get_station(session, caller.station_id)
    return seekers.register_seeker(session, vault, station, data)


@router.get("/seekers/{seeker_id}", response_model=SeekerPublic)
def get_seeker(seeker: OwnedSeeker) -> object:
    return seeker


@router.patch("/seekers/{seeker_id}", response_model=SeekerPublic)
def update_seeker(_: StationOrAdmin, seeker: OwnedSeeker, data: SeekerUpdate, session: SessionDep,
                  vault: VaultDep) -> object:
    return seekers.update_seeker(session, vault, seeker, data)


@router.get("/seekers/{seeker_id}/identity", response_model=SeekerIdentity,
            summary="Full ID and phone number (owning station only; audited)")
def read_identity(caller: StationCaller, seeker: OwnedSeeker, session: SessionDep, vault: VaultDep) -> object:
    return seekers.read_identity(session, vault, caller, seeker)


@router.post("/seekers/{seeker_id}/enrolment-code", response_model=EnrolmentCodeIssued, status_code=201,
             summary="One-time code the seeker types into the mobile app")
def issue_enrolment_code(_: StationCaller, seeker: OwnedSeeker, session: SessionDep) -> object:
    return access.issue_enrolment_code(session, seeker)


@router.post("/enrol", response_model=ApiKeyIssued, status_code=201, tags=["seeker app"],
             summary="Exchange an enrolment code for the seeker's token")
def enrol(data: EnrolRequest, session: SessionDep) -> object:
    return access.enrol(session, data.code)


@router.get("/me", response_model=SeekerPublic, tags=["seeker app"])
def read_me(session: SessionDep, caller: SeekerCaller) -> object:
    seeker = session.get(Seeker, caller.seeker_id)
    if seeker is None:
        raise NotFound("未找到求职者", "Seeker not found")
    return seeker


@router.patch("/me", response_model=SeekerPublic, tags=["seeker app"])
def update_me(data: SeekerSelfUpdate, session: SessionDep, vault: VaultDep, caller: SeekerCaller) -> object:
    seeker = session.get(Seeker, caller.seeker_id)
    if seeker is None:
        raise NotFound("未找到求职者", "Seeker not found")
    return seekers.update_seeker(session, vault, seeker, data)
