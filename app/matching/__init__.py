"""The matching engine: pure Python and numpy, plain data in, ranked results with reasons out.

No FastAPI, no database session, no I/O beyond the taxonomy's packaged data. The service builds the
profiles from its rows and calls:

- ``score_pair`` (``reference.py``): one seeker, one vacancy, the specification of every rule;
- ``MatchIndex`` (``index.py``): the in-memory index answering top seekers / top vacancies / top
  employers for a family / "what would raise my score", exactly as the reference would.
"""

from app.matching.context import MatchContext, Weights
from app.matching.improve import Improvement
from app.matching.index import IndexMismatch, MatchIndex
from app.matching.profiles import (
    EmployerProfile,
    FamilyMatch,
    FamilyProfile,
    Match,
    MatchPart,
    Placement,
    SeekerProfile,
    SkillClaim,
    VacancyProfile,
    skill_claims,
)
from app.matching.reference import Population, score_pair

__all__ = [
    "EmployerProfile",
    "FamilyMatch",
    "FamilyProfile",
    "Improvement",
    "IndexMismatch",
    "Match",
    "MatchContext",
    "MatchIndex",
    "MatchPart",
    "Placement",
    "Population",
    "SeekerProfile",
    "SkillClaim",
    "VacancyProfile",
    "Weights",
    "score_pair",
    "skill_claims",
]
