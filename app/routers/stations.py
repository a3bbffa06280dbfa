from __future__ import annotations

from fastapi import APIRouter

from app.auth import AdminCaller, SessionDep, StationOrAdmin
from app.errors import PROBLEM_RESPONSES
from app.models.station import (
    ResponsiblePersonCreate,
    ResponsiblePersonPublic,
    StationCreate,
    StationPublic,
    StationUpdate,
)
from app.ownership import OwnedStation
from app.services import stations

router = APIRouter(prefix="/stations", tags=["stations"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=list[StationPublic])
def list_stations(session: SessionDep, caller: StationOrAdmin, region_code: str | None = None) -> object:
    found = stations.list_stations(session, region_code)
    if caller.role == "station":
        found = [s for s in found if s.id == caller.station_id]
    return [stations.station_public(session, s) for s in found]


@router.post("", response_model=StationPublic, status_code=201)
def create_station(data: StationCreate, session: SessionDep, _: AdminCaller) -> object:
    return stations.station_public(session, stations.create_station(session, data))


@router.get("/{station_id}", response_model=StationPublic)
def get_station(station: OwnedStation, session: SessionDep) -> object:
    return stations.station_public(session, station)


@router.patch("/{station_id}", response_model=StationPublic)
def update_station(station: OwnedStation, data: StationUpdate, session: SessionDep, _: StationOrAdmin) -> object:
    return stations.station_public(session, stations.update_station(session, station, data))


@router.post("/{station_id}/responsible-persons", response_model=ResponsiblePersonPublic, status_code=201)
def add_responsible_person(station: OwnedStation, data: ResponsiblePersonCreate, session: SessionDep,
                           _: StationOrAdmin) -> object:
    return stations.add_responsible_person(session, station, data)
