from __future__ import annotations

from fastapi import APIRouter

from app.auth import CallerDep, EmployerOrAdmin, SessionDep
from app.errors import PROBLEM_RESPONSES, ValidationFailed
from app.models.common import Page
from app.models.vacancy import Vacancy, VacancyCreate, VacancyPublic, VacancyUpdate
from app.ownership import OwnedVacancy, VisibleVacancy
from app.routers.deps import Cursor, Limit
from app.services import employers, vacancies
from app.services.pagination import paginate

router = APIRouter(prefix="/vacancies", tags=["vacancies"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=Page[VacancyPublic])
def list_vacancies(
    session: SessionDep,
    caller: CallerDep,
    employer_id: int | None = None,
    district_code: str | None = None,
    occupation: str | None = None,
    status: str | None = None,
    caring_post: bool | None = None,
    family_post: str | None = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> object:
    # Employers see all their own postings; everyone else sees open job information only.
    only_open = not caller.is_admin and caller.role != "employer"
    if caller.role == "employer":
        employer_id = caller.employer_id
    query = vacancies.vacancies_query(employer_id, district_code, occupation, status, caring_post, family_post,
                                      only_open)
    items, next_cursor = paginate(session, query, Vacancy.id, limit, cursor)
    return {"items": items, "next_cursor": next_cursor}


@router.post("", response_model=VacancyPublic, status_code=201)
def create_vacancy(data: VacancyCreate, session: SessionDep, caller: EmployerOrAdmin) -> object:
    if caller.is_admin:
        if data.employer_id is None:
            raise ValidationFailed("employer_id：管理员代发岗位须指定企业", "employer_id: required for the bureau",
                                   field="employer_id", rule="missing")
        employer = employers.get_employer(session, data.employer_id)
    else:
        if data.employer_id is not None and data.employer_id != caller.employer_id:
            raise ValidationFailed("employer_id：只能为本企业发布岗位", "employer_id: you post for yourself only",
                                   field="employer_id", rule="read_only")
        assert caller.employer_id is not None
        employer = employers.get_employer(session, caller.employer_id)
    return vacancies.create_vacancy(session, employer, data)


@router.get("/{vacancy_id}", response_model=VacancyPublic)
def get_vacancy(vacancy: VisibleVacancy) -> object:
    return vacancy


@router.patch("/{vacancy_id}", response_model=VacancyPublic)
def update_vacancy(vacancy: OwnedVacancy, data: VacancyUpdate, session: SessionDep) -> object:
    return vacancies.update_vacancy(session, vacancy, data)
