"""Ownership checked once, as dependencies: a caller who does not own an object gets the same 404
as for an object that does not exist, so ids reveal nothing (OWASP API1, broken object-level auth).
A caller whose role can never own such an object gets 403 before any lookup, whatever the id."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.auth import Caller, CallerDep, SessionDep, require
from app.errors import NotFound
from app.models.employer import Employer
from app.models.family import Family
from app.models.seeker import Seeker
from app.models.station import Station
from app.models.vacancy import Vacancy


def _hidden(what_zh: str, what_en: str, object_id: int) -> NotFound:
    return NotFound(f"未找到{what_zh} {object_id}", f"{what_en} {object_id} not found")


def can_see_seeker(caller: Caller, seeker: Seeker) -> bool:
    return (
        caller.is_admin
        or (caller.role == "station" and caller.station_id == seeker.station_id)
        or (caller.role == "seeker" and caller.seeker_id == seeker.id)
    )


def owned_seeker(seeker_id: int, caller: CallerDep, session: SessionDep) -> Seeker:
    require("admin", "station", "seeker")(caller)
    seeker = session.get(Seeker, seeker_id)
    if seeker is None or not can_see_seeker(caller, seeker):
        raise _hidden("求职者", "Seeker", seeker_id)
    return seeker


def owned_family(family_id: int, caller: CallerDep, session: SessionDep) -> Family:
    require("admin", "station")(caller)
    family = session.get(Family, family_id)
    if family is None or not (
        caller.is_admin or (caller.role == "station" and caller.station_id == family.station_id)
    ):
        raise _hidden("家庭", "Family", family_id)
    return family


def owned_vacancy(vacancy_id: int, caller: CallerDep, session: SessionDep) -> Vacancy:
    require("admin", "employer")(caller)
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None or not (
        caller.is_admin or (caller.role == "employer" and caller.employer_id == vacancy.employer_id)
    ):
        raise _hidden("岗位", "Vacancy", vacancy_id)
    return vacancy


def visible_vacancy(vacancy_id: int, caller: CallerDep, session: SessionDep) -> Vacancy:
    """Open postings are public job information; drafts and closed ones only their owner sees."""
    vacancy = session.get(Vacancy, vacancy_id)
    owner = caller.is_admin or (caller.role == "employer" and caller.employer_id == vacancy.employer_id) \
        if vacancy else False
    if vacancy is None or not (owner or vacancy.status in ("open", "filled")):
        raise _hidden("岗位", "Vacancy", vacancy_id)
    return vacancy


def owned_employer(employer_id: int, caller: CallerDep, session: SessionDep) -> Employer:
    require("admin", "employer")(caller)
    employer = session.get(Employer, employer_id)
    if employer is None or not (
        caller.is_admin or (caller.role == "employer" and caller.employer_id == employer_id)
    ):
        raise _hidden("企业", "Employer", employer_id)
    return employer


def owned_station(station_id: int, caller: CallerDep, session: SessionDep) -> Station:
    require("admin", "station")(caller)
    station = session.get(Station, station_id)
    if station is None or not (caller.is_admin or (caller.role == "station" and caller.station_id == station_id)):
        raise _hidden("工作站", "Station", station_id)
    return station


OwnedSeeker = Annotated[Seeker, Depends(owned_seeker)]
OwnedFamily = Annotated[Family, Depends(owned_family)]
OwnedVacancy = Annotated[Vacancy, Depends(owned_vacancy)]
VisibleVacancy = Annotated[Vacancy, Depends(visible_vacancy)]
OwnedEmployer = Annotated[Employer, Depends(owned_employer)]
OwnedStation = Annotated[Station, Depends(owned_station)]
