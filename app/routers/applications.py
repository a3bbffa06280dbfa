from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from app.auth import Caller, CallerDep, SessionDep, require
from app.errors import PROBLEM_RESPONSES
from app.models.application import (
    Application,
    ApplicationCreate,
    ApplicationPublic,
    FamilyApplicationCreate,
    TransitionRequest,
)
from app.models.common import Page
from app.ownership_placements import OwnedApplication
from app.routers.deps import Cursor, Limit
from app.services import applications, workflow
from app.services.pagination import paginate

router = APIRouter(tags=["applications"], responses=PROBLEM_RESPONSES)
Applicant = Annotated[Caller, Depends(require("seeker", "station", "admin"))]


@router.post("/applications", response_model=ApplicationPublic, status_code=201,
             summary="Apply to a vacancy (the seeker from the app, or its station)")
def apply(caller: Applicant, data: ApplicationCreate, session: SessionDep) -> object:
    return applications.application_public(session, caller, applications.apply(session, caller, data))


@router.post("/applications/family", response_model=list[ApplicationPublic], status_code=201,
             summary="A family applies as one: a vacancy per member, all at one employer",
             description="Its station (or the bureau) applies for a family; so may a member from the app, for "
                         "their own family if it must stay together and every member consented to matching. "
                         "Nothing is stored unless every member's application can be.")
def apply_as_family(caller: Applicant, data: FamilyApplicationCreate, session: SessionDep) -> object:
    return applications.public_list(session, caller, applications.apply_as_family(session, caller, data))


@router.get("/applications", response_model=Page[ApplicationPublic])
def list_applications(session: SessionDep, caller: CallerDep, status: str | None = None,
                      vacancy_id: int | None = None, seeker_id: int | None = None, limit: Limit = None,
                      cursor: Cursor = None) -> object:
    query = applications.applications_query(caller, status, vacancy_id, seeker_id)
    items, next_cursor = paginate(session, query, Application.id, limit, cursor)
    return {"items": applications.public_list(session, caller, items), "next_cursor": next_cursor}


@router.get("/applications/{application_id}", response_model=ApplicationPublic)
def get_application(application: OwnedApplication, session: SessionDep, caller: CallerDep) -> object:
    return applications.application_public(session, caller, application)


@router.post("/applications/{application_id}/transitions", response_model=list[ApplicationPublic],
             summary="Move an application on (a family's applications move together)",
             description="The employer shortlists, offers, hires (with `start_date`), records arrival, rejects or "
                         "records a no-show; the seeker or its station withdraws. Rejected, withdrawn and no-show "
                         "need a `reason`. An illegal move is 409 with `allowed`, the moves this caller may make.")
def move(application: OwnedApplication, data: TransitionRequest, session: SessionDep, caller: CallerDep) -> object:
    return applications.public_list(session, caller, workflow.transition(session, caller, application, data))
