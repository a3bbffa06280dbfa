"""Engine results dressed for each audience: the vacancy a seeker sees, the candidate an employer sees."""

from __future__ import annotations

from sqlmodel import Session

from app.matching.improve import Improvement
from app.matching.profiles import FamilyMatch, Match
from app.models.employer import Employer
from app.models.match import (
    CandidateMatch,
    FamilyMatchOut,
    FamilyPlacementOut,
    ImprovementOut,
    MatchPartOut,
    SeekerMatch,
    VacancyBrief,
)
from app.models.region import Region
from app.models.seeker import Seeker
from app.models.vacancy import Vacancy
from app.services.seekers import employer_view


def _parts(match: Match) -> list[MatchPartOut]:
    return [MatchPartOut(key=p.key, points=p.points, max_points=p.max_points, reason_zh=p.reason_zh)
            for p in match.parts]


def vacancy_brief(session: Session, vacancy: Vacancy) -> VacancyBrief:
    employer = session.get(Employer, vacancy.employer_id)
    district = session.get(Region, vacancy.district_code)
    assert employer is not None and vacancy.id is not None
    return VacancyBrief(
        id=vacancy.id, title=vacancy.title, occupation=vacancy.occupation, employer_id=vacancy.employer_id,
        employer_name=employer.name, district_code=vacancy.district_code,
        district_name=district.name if district else None, pay_min=vacancy.pay_min, pay_max=vacancy.pay_max,
        housing=vacancy.housing, meals=vacancy.meals, caring_post=vacancy.caring_post,
        family_posts=vacancy.family_posts,
        couple_dormitory=employer.couple_dormitories > employer.couple_dormitories_used,
    )


def seeker_matches(session: Session, matches: list[Match]) -> list[SeekerMatch]:
    out = []
    for rank, match in enumerate(matches, start=1):
        vacancy = session.get(Vacancy, match.vacancy_id)
        if vacancy is None:
            continue
        out.append(SeekerMatch(rank=rank, score=match.score, caring=match.caring, parts=_parts(match),
                               reasons=list(match.reasons_zh), vacancy=vacancy_brief(session, vacancy)))
    return out


def candidate_matches(session: Session, matches: list[Match]) -> list[CandidateMatch]:
    out = []
    for rank, match in enumerate(matches, start=1):
        seeker = session.get(Seeker, match.seeker_id)
        if seeker is None:
            continue
        out.append(CandidateMatch(rank=rank, score=match.score, caring=match.caring, parts=_parts(match),
                                  reasons=list(match.reasons_zh), seeker=employer_view(session, seeker)))
    return out


def family_matches(session: Session, found: list[FamilyMatch]) -> list[FamilyMatchOut]:
    out = []
    for rank, fm in enumerate(found, start=1):
        employer = session.get(Employer, fm.employer_id)
        if employer is None:
            continue
        assignment = []
        for placement in fm.assignment:
            vacancy = session.get(Vacancy, placement.vacancy_id)
            assignment.append(FamilyPlacementOut(seeker_id=placement.seeker_id, vacancy_id=placement.vacancy_id,
                                                 vacancy_title=vacancy.title if vacancy else "",
                                                 score=placement.score))
        out.append(FamilyMatchOut(
            rank=rank, score=fm.score, employer_id=employer.id, employer_name=employer.name,  # type: ignore[arg-type]
            district_code=employer.district_code,
            couple_dormitories_free=max(employer.couple_dormitories - employer.couple_dormitories_used, 0),
            reasons=list(fm.reasons_zh), assignment=assignment,
        ))
    return out


def improvements(found: list[Improvement]) -> list[ImprovementOut]:
    return [ImprovementOut(kind=i.kind, label_zh=i.label_zh, added_vacancies=i.added) for i in found]
