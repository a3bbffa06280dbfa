from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from app.auth import EmployerOrAdmin, SessionDep, StationOrAdmin
from app.errors import PROBLEM_RESPONSES
from app.models.match import CandidateMatch, FamilyMatchOut, ImprovementOut, SeekerMatch
from app.ownership import OwnedFamily, OwnedSeeker, OwnedVacancy
from app.services import match_views
from app.services.matching import MatchService

router = APIRouter(tags=["matching"], responses=PROBLEM_RESPONSES)

K = Annotated[int, Query(ge=1, le=200, description="How many results (default 20, at most 200)")]
MinScore = Annotated[float, Query(ge=0, le=100, description="Leave out results scoring below this")]


def get_matcher(request: Request) -> MatchService:
    matcher: MatchService = request.app.state.matcher
    return matcher


Matcher = Annotated[MatchService, Depends(get_matcher)]


@router.get("/vacancies/{vacancy_id}/matches", response_model=list[CandidateMatch],
            summary="Top seekers for a vacancy, in the employer's view")
def vacancy_matches(vacancy: OwnedVacancy, session: SessionDep, matcher: Matcher, _: EmployerOrAdmin,
                    limit: K = 20, min_score: MinScore = 0) -> object:
    assert vacancy.id is not None
    return match_views.candidate_matches(session, matcher.top_seekers(vacancy.id, limit, min_score))


@router.get("/seekers/{seeker_id}/matches", response_model=list[SeekerMatch],
            summary="Top vacancies for a seeker, best first, at most a few per employer")
def seeker_matches(seeker: OwnedSeeker, session: SessionDep, matcher: Matcher, limit: K = 20,
                   min_score: MinScore = 0) -> object:
    assert seeker.id is not None
    return match_views.seeker_matches(session, matcher.top_vacancies(seeker.id, limit, min_score))


@router.get("/seekers/{seeker_id}/improvements", response_model=list[ImprovementOut],
            summary="What would raise this seeker's matches: up to three skills, levels or certificates")
def seeker_improvements(seeker: OwnedSeeker, matcher: Matcher) -> object:
    assert seeker.id is not None
    return match_views.improvements(matcher.improvements(seeker.id, 3))


@router.get("/families/{family_id}/matches", response_model=list[FamilyMatchOut],
            summary="Top employers that can take the whole family, with a vacancy per member")
def family_matches(family: OwnedFamily, session: SessionDep, matcher: Matcher, _: StationOrAdmin,
                   limit: K = 20, min_score: MinScore = 0) -> object:
    assert family.id is not None
    return match_views.family_matches(session, matcher.top_employers_for_family(family.id, limit, min_score))
