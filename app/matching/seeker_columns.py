"""Seekers as columns: the form the seeker store takes them in, from database rows or from profiles."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from app.matching.columns import Coder
from app.matching.profiles import SeekerProfile, SkillClaim

__all__ = ["SeekerColumns"]

I64 = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class SeekerColumns:
    """Seekers as columns, the form the store takes them in: one array entry per seeker, and repeated
    values (origin, district list, certificate set, skill list) coded, each distinct value listed once.

    The database build fills these straight from rows, without a profile object per seeker; the
    profile path converts with ``from_profiles``. Both then go through the same append."""

    id: I64
    station: I64
    registered_poor: Flags
    expected_pay: I64  # -1 = not stated
    available_from: I64  # date ordinal, 0 = not stated
    active: Flags
    consent: Flags
    family: I64  # -1 = none
    origin: I64  # code into ``origins``
    origins: Sequence[tuple[str, str | None]]  # (origin code, its parent's code)
    districts: I64  # code into ``district_sets``
    district_sets: Sequence[Sequence[str]]
    certificates: I64  # code into ``certificate_sets``
    certificate_sets: Sequence[frozenset[str]]  # normalised names
    skills: I64  # code into ``skill_sets``
    skill_sets: Sequence[Sequence[int]]  # claims in the seeker's order, as positions in ``claims``
    claims: Sequence[SkillClaim]

    def __len__(self) -> int:
        return len(self.id)

    def take(self, rows: npt.NDArray[Any]) -> SeekerColumns:
        """These rows, in this order; the tables of distinct values are shared."""
        return replace(self, **{name: getattr(self, name)[rows] for name in _PER_SEEKER})

    def only(self, seeker_ids: Collection[int]) -> SeekerColumns:
        """The rows of these seekers."""
        wanted = np.fromiter(seeker_ids, dtype=np.int64, count=len(seeker_ids))
        return self.take(np.flatnonzero(np.isin(self.id, wanted)))

    def family_ids(self) -> list[int]:
        """The families these seekers name."""
        return self.family[self.family >= 0].tolist()

    @classmethod
    def from_profiles(cls, profiles: Sequence[SeekerProfile]) -> SeekerColumns:
        origins: Coder[tuple[str, str | None]] = Coder()
        districts: Coder[tuple[str, ...]] = Coder()
        certificates: Coder[frozenset[str]] = Coder()
        skills: Coder[tuple[int, ...]] = Coder()
        claims: Coder[SkillClaim] = Coder()
        return cls(
            id=np.array([p.id for p in profiles], dtype=np.int64),
            station=np.array([p.station_id for p in profiles], dtype=np.int64),
            registered_poor=np.array([p.registered_poor for p in profiles], dtype=bool),
            expected_pay=np.array([-1 if p.expected_pay is None else p.expected_pay for p in profiles], dtype=np.int64),
            available_from=np.array(
                [0 if p.available_from is None else p.available_from.toordinal() for p in profiles], dtype=np.int64
            ),
            active=np.array([p.active for p in profiles], dtype=bool),
            consent=np.array([p.consent_matching for p in profiles], dtype=bool),
            family=np.array([-1 if p.family_id is None else p.family_id for p in profiles], dtype=np.int64),
            origin=origins.codes((p.origin_code, p.origin_parent_code) for p in profiles),
            origins=origins.values,
            districts=districts.codes(tuple(p.preferred_districts) for p in profiles),
            district_sets=districts.values,
            certificates=certificates.codes(frozenset(p.certificates) for p in profiles),
            certificate_sets=certificates.values,
            skills=skills.codes(tuple([claims.code(c) for c in p.skills]) for p in profiles),
            skill_sets=skills.values,
            claims=claims.values,
        )


_PER_SEEKER = (
    "id", "station", "registered_poor", "expected_pay", "available_from", "active", "consent", "family", "origin",
    "districts", "certificates", "skills",
)  # fmt: skip
