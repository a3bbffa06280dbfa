from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from app.auth import AdminCaller, CallerDep, SessionDep
from app.errors import PROBLEM_RESPONSES
from app.models.region import PairingCreate, PairingPublic, PairingUpdate, RegionCreate, RegionPublic
from app.services import regions

router = APIRouter(tags=["regions"], responses=PROBLEM_RESPONSES)


@router.get("/regions", response_model=list[RegionPublic])
def list_regions(session: SessionDep, _: CallerDep, role: str | None = None, parent_code: str | None = None,
                 level: str | None = None) -> object:
    return regions.list_regions(session, role, parent_code, level)


@router.get("/regions/{code}", response_model=RegionPublic)
def get_region(code: str, session: SessionDep, _: CallerDep) -> object:
    return regions.get_region(session, code)


@router.post("/regions", response_model=RegionPublic, status_code=201)
def create_region(data: RegionCreate, session: SessionDep, _: AdminCaller) -> object:
    return regions.create_region(session, data)


@router.get("/pairings", response_model=list[PairingPublic])
def list_pairings(session: SessionDep, _: CallerDep, district_code: str | None = None,
                  origin_code: str | None = None, on: date | None = None) -> object:
    return regions.list_pairings(session, district_code, origin_code, on)


@router.post("/pairings", response_model=PairingPublic, status_code=201)
def create_pairing(data: PairingCreate, session: SessionDep, _: AdminCaller) -> object:
    return regions.create_pairing(session, data)


@router.patch("/pairings/{pairing_id}", response_model=PairingPublic)
def update_pairing(pairing_id: int, data: PairingUpdate, session: SessionDep, _: AdminCaller) -> object:
    return regions.update_pairing(session, pairing_id, data)
