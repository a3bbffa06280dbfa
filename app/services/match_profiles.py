"""Database rows → the matching engine's plain profiles. Reads columns with Core, not ORM objects,
because the index is built from up to millions of rows at start."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, String, cast, select

from app.matching.profiles import (
    EmployerProfile,
    FamilyProfile,
    SeekerProfile,
    SkillClaim,
    VacancyProfile,
    normalise_certificate,
    skill_claims,
)
from app.models.employer import Employer
from app.models.family import Family
from app.models.region import Pairing, Region
from app.models.seeker import Seeker
from app.models.vacancy import Vacancy

S = Seeker.__table__.c  # type: ignore[attr-defined]
V = Vacancy.__table__.c  # type: ignore[attr-defined]
E = Employer.__table__.c  # type: ignore[attr-defined]
F = Family.__table__.c  # type: ignore[attr-defined]

# The JSON columns come as text: the same few skill sets and district lists repeat across a million
# seekers, so each distinct text is parsed once (see the caches below) instead of once per row.
SEEKER_COLUMNS = (S.id, S.station_id, S.origin_code, S.registered_poor, cast(S.skills, String).label("skills"),
                  cast(S.certificates, String).label("certificates"),
                  cast(S.preferred_districts, String).label("preferred_districts"), S.expected_pay,
                  S.available_from, S.status, S.consent_matching, S.family_id, S.updated_at)
VACANCY_COLUMNS = (V.id, V.employer_id, V.occupation, V.skills, V.certificates, V.district_code, V.latitude,
                   V.longitude, V.pay_min, V.pay_max, V.caring_post, V.family_posts, V.start_date, V.headcount,
                   V.hired_count, V.status, V.valid_until, V.updated_at)


def region_parents(conn: Connection) -> dict[str, str | None]:
    return {code: parent for code, parent in conn.execute(select(Region.code, Region.parent_code))}  # type: ignore[call-overload]


@lru_cache(maxsize=200_000)
def _skills(text: str | None) -> tuple[SkillClaim, ...]:
    return skill_claims(json.loads(text) if text else [])


@lru_cache(maxsize=50_000)
def _certificates(text: str | None) -> frozenset[str]:
    return frozenset(normalise_certificate(c) for c in (json.loads(text) if text else []))


@lru_cache(maxsize=50_000)
def _districts(text: str | None) -> tuple[str, ...]:
    return tuple(json.loads(text) if text else ())


def seeker_profile(row: Any, parents: Mapping[str, str | None]) -> SeekerProfile:
    return SeekerProfile(
        id=row.id,
        station_id=row.station_id,
        origin_code=row.origin_code,
        origin_parent_code=parents.get(row.origin_code),
        registered_poor=bool(row.registered_poor),
        skills=_skills(row.skills),
        certificates=_certificates(row.certificates),
        preferred_districts=_districts(row.preferred_districts),
        expected_pay=row.expected_pay,
        available_from=row.available_from,
        active=row.status == "active",
        consent_matching=bool(row.consent_matching),
        family_id=row.family_id,
    )


def vacancy_profile(row: Any, today: date) -> VacancyProfile:
    return VacancyProfile(
        id=row.id,
        employer_id=row.employer_id,
        occupation=row.occupation,
        skills=skill_claims(row.skills or []),
        certificates=frozenset(normalise_certificate(c) for c in row.certificates or []),
        district_code=row.district_code,
        latitude=row.latitude,
        longitude=row.longitude,
        pay_min=row.pay_min,
        pay_max=row.pay_max,
        caring_post=bool(row.caring_post),
        family_posts=dict(row.family_posts or {}),
        start_date=row.start_date,
        open_places=max(row.headcount - row.hired_count, 0),
        # A posting past its date is closed for matching even before the worker marks it expired.
        is_open=row.status == "open" and row.valid_until >= today,
    )


def employer_profile(row: Any) -> EmployerProfile:
    return EmployerProfile(id=row.id, name=row.name, district_code=row.district_code,
                           free_couple_dormitories=max(row.couple_dormitories - row.couple_dormitories_used, 0))


def iter_seekers(conn: Connection, parents: Mapping[str, str | None], since: datetime | None = None,
                 chunk: int = 20000) -> Iterator[list[tuple[SeekerProfile, datetime]]]:
    """Seekers stamped after `since` (all when None), in chunks, each with its stamp."""
    query = select(*SEEKER_COLUMNS)
    if since is not None:
        query = query.where(S.updated_at > since)
    result = conn.execution_options(yield_per=chunk).execute(query)
    for part in result.partitions(chunk):
        yield [(seeker_profile(r, parents), r.updated_at) for r in part]


def load_vacancies(
    conn: Connection, today: date, since: datetime | None = None
) -> list[tuple[VacancyProfile, datetime]]:
    query = select(*VACANCY_COLUMNS)
    if since is not None:
        query = query.where(V.updated_at > since)
    return [(vacancy_profile(r, today), r.updated_at) for r in conn.execute(query)]


def load_employers(conn: Connection, since: datetime | None = None) -> list[tuple[EmployerProfile, datetime]]:
    query = select(E.id, E.name, E.district_code, E.couple_dormitories, E.couple_dormitories_used, E.updated_at)
    if since is not None:
        query = query.where(E.updated_at > since)
    return [(employer_profile(r), r.updated_at) for r in conn.execute(query)]


def load_families(conn: Connection, family_ids: set[int] | None = None) -> dict[int, FamilyProfile | None]:
    """Families by id with their members; an id whose family is gone maps to None."""
    query = select(F.id, F.kind, F.must_stay_together, F.needs_couple_dormitory)
    members_query = select(S.family_id, S.id).where(S.family_id.is_not(None)).order_by(S.id)
    if family_ids is not None:
        if not family_ids:
            return {}
        query = query.where(F.id.in_(family_ids))
        members_query = members_query.where(S.family_id.in_(family_ids))
    members: dict[int, list[int]] = defaultdict(list)
    for family_id, seeker_id in conn.execute(members_query):
        members[family_id].append(seeker_id)
    found: dict[int, FamilyProfile | None] = {fid: None for fid in family_ids or ()}
    for row in conn.execute(query):
        found[row.id] = FamilyProfile(id=row.id, kind=row.kind, member_ids=tuple(members.get(row.id, ())),
                                      must_stay_together=bool(row.must_stay_together),
                                      needs_couple_dormitory=bool(row.needs_couple_dormitory))
    return found


def families_changed_since(conn: Connection, since: datetime | None) -> list[tuple[int, datetime]]:
    query = select(F.id, F.updated_at)
    if since is not None:
        query = query.where(F.updated_at > since)
    return [(fid, stamp) for fid, stamp in conn.execute(query)]


def load_pairings(conn: Connection, today: date) -> frozenset[tuple[str, str]]:
    P = Pairing.__table__.c  # type: ignore[attr-defined]
    rows = conn.execute(select(P.district_code, P.origin_code).where(P.valid_from <= today).where(
        (P.valid_to.is_(None)) | (P.valid_to >= today)))
    return frozenset((d, o) for d, o in rows)


def load_region_info(conn: Connection) -> tuple[dict[str, tuple[float, float]], dict[str, str]]:
    coords: dict[str, tuple[float, float]] = {}
    names: dict[str, str] = {}
    for code, name, lat, lon in conn.execute(select(Region.code, Region.name, Region.latitude, Region.longitude)):  # type: ignore[call-overload]
        names[code] = name
        if lat is not None and lon is not None:
            coords[code] = (lat, lon)
    return coords, names
