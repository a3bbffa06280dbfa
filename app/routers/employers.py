from __future__ import annotations

from fastapi import APIRouter

from app.auth import AdminCaller, EmployerOrAdmin, SessionDep
from app.errors import PROBLEM_RESPONSES
from app.models.common import Page
from app.models.employer import Employer, EmployerAdminUpdate, EmployerCreate, EmployerPublic, EmployerUpdate
from app.ownership import OwnedEmployer
from app.routers.deps import Cursor, Limit
from app.services import employers
from app.services.pagination import paginate

router = APIRouter(prefix="/employers", tags=["employers"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=Page[EmployerPublic])
def list_employers(session: SessionDep, caller: EmployerOrAdmin, district_code: str | None = None,
                   verified: bool | None = None, has_couple_dormitory: bool | None = None,
                   limit: Limit = None, cursor: Cursor = None) -> object:
    query = employers.list_employers_query(district_code, verified, has_couple_dormitory)
    if caller.role == "employer":
        query = query.where(Employer.id == caller.employer_id)
    items, next_cursor = paginate(session, query, Employer.id, limit, cursor)
    return {"items": items, "next_cursor": next_cursor}


@router.post("", response_model=EmployerPublic, status_code=201)
def create_employer(data: EmployerCreate, session: SessionDep, _: AdminCaller) -> object:
    return employers.create_employer(session, data)


@router.get("/{employer_id}", response_model=EmployerPublic)
def get_employer(employer: OwnedEmployer) -> object:
    return employer


@router.patch("/{employer_id}", response_model=EmployerPublic)
def update_employer(employer: OwnedEmployer, data: EmployerAdminUpdate, session: SessionDep,
                    caller: EmployerOrAdmin) -> object:
    if not caller.is_admin:
        employers.check_self_update(data, EmployerUpdate)
    return employers.update_employer(session, employer, data)
