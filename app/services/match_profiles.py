"""Database rows → the matching engine's inputs. Reads columns with Core, not ORM objects, because the
index is built from up to millions of rows at start: seekers go straight into columns
(``read_seekers``), with no profile object per row."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Select, String, case, cast, func, select

from app.matching.columns import Coder
from app.matching.profiles import (
    EmployerProfile,
    FamilyProfile,
    SkillClaim,
    VacancyProfile,
    normalise_certificate,
    skill_claims,
)
from app.matching.seeker_columns import SeekerColumns
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
VACANCY_COLUMNS = (V.id, V.employer_id, V.occupation, cast(V.skills, String).label("skills"),
                   cast(V.certificates, String).label("certificates"), V.district_code, V.latitude, V.longitude,
                   V.pay_min, V.pay_max, V.caring_post, cast(V.family_posts, String).label("family_posts"),
                   V.start_date, V.headcount, V.hired_count, V.status, V.valid_until, V.updated_at)


def region_parents(conn: Connection) -> dict[str, str | None]:
    return {code: parent for code, parent in conn.execute(select(Region.code, Region.parent_code))}  # type: ignore[call-overload]


# JSON null reads as empty, as the columns' own deserialisation reads it.
@lru_cache(maxsize=50_000)
def _skills(text: str | None) -> tuple[SkillClaim, ...]:
    return skill_claims((json.loads(text) if text else None) or [])


@lru_cache(maxsize=50_000)
def _certificates(text: str | None) -> frozenset[str]:
    return frozenset(normalise_certificate(c) for c in (json.loads(text) if text else None) or [])


@lru_cache(maxsize=50_000)
def _districts(text: str | None) -> tuple[str, ...]:
    return tuple((json.loads(text) if text else None) or ())


@lru_cache(maxsize=50_000)
def _family_posts(text: str | None) -> Mapping[str, Any]:
    # Shared between profiles: each profile takes its own copy.
    return (json.loads(text) if text else None) or {}


# What ``read_seekers`` reads: NULLs become the store's own "not stated" values in the query.
_SEEKER_FIELDS = (S.id, S.station_id, S.origin_code, S.registered_poor, cast(S.skills, String).label("skills"),
                  cast(S.certificates, String).label("certificates"),
                  cast(S.preferred_districts, String).label("preferred_districts"),
                  func.coalesce(S.expected_pay, -1).label("expected_pay"), S.available_from,
                  (S.status == "active").label("active"), S.consent_matching,
                  func.coalesce(S.family_id, -1).label("family_id"))


def read_seekers(conn: Connection, parents: Mapping[str, str | None], since: datetime | None = None,
                 stamps_after: datetime | None = None,
                 chunk: int = 50_000) -> tuple[SeekerColumns, list[tuple[int, datetime]]]:
    """Seekers stamped after `since` (all when None) as columns, and the (id, stamp) of those among them
    stamped after `stamps_after` (of all when None): a build needs only the stamps its next refresh re-reads."""
    stamp = S.updated_at if stamps_after is None else case((S.updated_at > stamps_after, S.updated_at))
    query = select(*_SEEKER_FIELDS, stamp.label("stamp"))
    if since is not None:
        query = query.where(S.updated_at > since)
    reader = _SeekerReader(parents)
    # A refresh reads the few rows changed since the last one, with a plain query the planner serves from
    # the updated_at index. Only the build streams: a server-side cursor is planned to return its first
    # rows soon (cursor_tuple_fraction), and without fresh statistics that is a scan of every seeker.
    parts = _row_chunks(conn, query, chunk) if since is None else [conn.execute(query).all()]
    for part in parts:
        reader.add(part)
    return reader.columns(), reader.stamps


def _row_chunks(conn: Connection, query: Select[Any], chunk: int) -> Iterator[Sequence[Any]]:
    """The query's rows in chunks, streamed. On psycopg, as its own server-side cursor returns them:
    for a million seekers SQLAlchemy's Row objects cost more than reading the rows, and psycopg
    converts every type read here itself (SQLAlchemy adds no result processing on it)."""
    if conn.dialect.driver != "psycopg":
        yield from conn.execution_options(yield_per=chunk).execute(query).partitions(chunk)
        return
    compiled = query.compile(dialect=conn.dialect)
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor(name="match_index_read") as cursor:
        cursor.execute(str(compiled), compiled.params)
        while part := cursor.fetchmany(chunk):
            yield part


# SeekerColumns' per-seeker arrays, in the order ``_SeekerReader.add`` builds them.
_ARRAYS: dict[str, Any] = {
    "id": np.int64, "station": np.int64, "registered_poor": bool, "expected_pay": np.int64,
    "available_from": np.int64, "active": bool, "consent": bool, "family": np.int64, "origin": np.int64,
    "districts": np.int64, "certificates": np.int64, "skills": np.int64,
}  # fmt: skip


class _SeekerReader:
    """Row chunks → one ``SeekerColumns``. Repeated values are coded across all chunks and each distinct
    one is parsed once: a million seekers hold a few hundred district lists and certificate sets, and
    a few thousand distinct skill claims in some hundreds of thousands of combinations."""

    def __init__(self, parents: Mapping[str, str | None]) -> None:
        self.parents = parents
        self.origins: Coder[str] = Coder()
        self.district_texts: Coder[str | None] = Coder()
        self.certificate_texts: Coder[str | None] = Coder()
        self.skill_texts: Coder[str | None] = Coder()
        self.skill_sets: list[tuple[int, ...]] = []
        self.claims = _ClaimReader()
        self.ordinals: dict[date | None, int] = {None: 0}
        self.parts: dict[str, list[npt.NDArray[Any]]] = {name: [] for name in _ARRAYS}
        self.stamps: list[tuple[int, datetime]] = []

    def add(self, part: Sequence[Any]) -> None:
        if not part:
            return
        (ids, stations, origins, poor, skills, certificates, districts, pay, available, active, consent, family,
         stamps) = zip(*part, strict=True)
        ordinals = self.ordinals
        for day in set(available).difference(ordinals):
            ordinals[day] = day.toordinal()
        arrays = (
            ids, stations, poor, pay, [ordinals[day] for day in available], active, consent, family,
            self.origins.codes(origins), self.district_texts.codes(districts),
            self.certificate_texts.codes(certificates), self.skill_texts.codes(skills),
        )  # fmt: skip
        for (name, dtype), values in zip(_ARRAYS.items(), arrays, strict=True):
            self.parts[name].append(np.asarray(values, dtype=dtype))
        self.stamps.extend((sid, stamp) for sid, stamp in zip(ids, stamps, strict=True) if stamp is not None)
        # Skill lists are the one value with many distinct texts: parse each chunk's new ones together.
        new = self.skill_texts.values[len(self.skill_sets):]
        self.skill_sets.extend(self.claims.parse(new))

    def columns(self) -> SeekerColumns:
        ids = np.concatenate(self.parts["id"]) if self.parts["id"] else np.zeros(0, dtype=np.int64)
        # In id order, as the store keeps new rows: sorted here one column at a time, not all at once there.
        order = np.argsort(ids, kind="stable")
        arrays = {
            name: np.concatenate(parts)[order] if parts else np.zeros(0, dtype=_ARRAYS[name])
            for name, parts in self.parts.items()
        }
        self.parts.clear()
        return SeekerColumns(
            **arrays,
            origins=[(code, self.parents.get(code)) for code in self.origins.values],
            district_sets=[_districts(text) for text in self.district_texts.values],
            certificate_sets=[_certificates(text) for text in self.certificate_texts.values],
            skill_sets=self.skill_sets,
            claims=self.claims.claims.values,
        )


class _ClaimReader:
    """Skills JSON → positions of distinct claims; each distinct claim is read by ``skill_claims`` once."""

    def __init__(self) -> None:
        self.claims: Coder[SkillClaim] = Coder()
        self._by_item: dict[tuple[Any, ...], int] = {}

    def parse(self, texts: Sequence[str | None]) -> list[tuple[int, ...]]:
        # One json.loads for all the texts: the per-call overhead would cost more than the parsing.
        lists = json.loads("[" + ",".join(text or "[]" for text in texts) + "]")
        claim = self._claim
        return [tuple([claim(item) for item in items]) for items in lists]

    def _claim(self, item: Any) -> int:
        name, level, years = item.get("name"), item.get("level"), item.get("years")
        # Types are part of the key: 1, 1.0 and True are equal as keys but not as skill_claims reads them.
        key = (name, level, years, type(name), type(level), type(years))
        try:
            found = self._by_item.get(key)
        except TypeError:  # a list or an object where a scalar belongs: read it, do not cache it
            return self.claims.code(skill_claims([item])[0])
        if found is None:
            found = self._by_item[key] = self.claims.code(skill_claims([item])[0])
        return found


def vacancy_profile(row: Any, today: date) -> VacancyProfile:
    return VacancyProfile(
        id=row.id,
        employer_id=row.employer_id,
        occupation=row.occupation,
        skills=_skills(row.skills),
        certificates=_certificates(row.certificates),
        district_code=row.district_code,
        latitude=row.latitude,
        longitude=row.longitude,
        pay_min=row.pay_min,
        pay_max=row.pay_max,
        caring_post=bool(row.caring_post),
        family_posts=dict(_family_posts(row.family_posts)),
        start_date=row.start_date,
        open_places=max(row.headcount - row.hired_count, 0),
        # A posting past its date is closed for matching even before the worker marks it expired.
        is_open=row.status == "open" and row.valid_until >= today,
    )


def employer_profile(row: Any) -> EmployerProfile:
    return EmployerProfile(id=row.id, name=row.name, district_code=row.district_code,
                           free_couple_dormitories=max(row.couple_dormitories - row.couple_dormitories_used, 0))


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
