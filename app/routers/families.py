from __future__ import annotations

from fastapi import APIRouter, Response

from app.auth import SessionDep, StationCaller, StationOrAdmin
from app.errors import PROBLEM_RESPONSES
from app.models.family import FamilyCreate, FamilyPublic, FamilyUpdate
from app.ownership import OwnedFamily
from app.services import families

router = APIRouter(prefix="/families", tags=["families"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=list[FamilyPublic])
def list_families(session: SessionDep, caller: StationOrAdmin, station_id: int | None = None,
                  kind: str | None = None) -> object:
    if caller.role == "station":
        station_id = caller.station_id
    return [families.family_public(session, f) for f in families.list_families(session, station_id, kind)]


@router.post("", response_model=FamilyPublic, status_code=201)
def create_family(data: FamilyCreate, session: SessionDep, caller: StationCaller) -> object:
    assert caller.station_id is not None
    return families.family_public(session, families.create_family(session, caller.station_id, data))


@router.get("/{family_id}", response_model=FamilyPublic)
def get_family(family: OwnedFamily, session: SessionDep) -> object:
    return families.family_public(session, family)


@router.patch("/{family_id}", response_model=FamilyPublic)
def update_family(family: OwnedFamily, data: FamilyUpdate, session: SessionDep, _: StationOrAdmin) -> object:
    return families.family_public(session, families.update_family(session, family, data))


@router.delete("/{family_id}", status_code=204)
def dissolve_family(family: OwnedFamily, session: SessionDep, _: StationOrAdmin) -> Response:
    families.dissolve_family(session, family)
    return Response(status_code=204)
