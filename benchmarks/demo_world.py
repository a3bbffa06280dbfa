"""The demo generator's population as the matching engine's profiles, in memory, without a database.

The same generator (``app.demo.population``) and seed that ``jobmatch demo-data`` and the database
benchmarks load, so the pure engine is measured on the population a bureau would see: its trades, its
spellings and free-text skills, its families and its caring and family posts. Ids are positions
(seeker ``index + 1``, vacancy and employer in generation order); a family takes its anchor's id.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.demo.population import (
    demo_rng,
    generate_employers,
    generate_stations,
    generate_vacancies,
    seeker_blocks,
)
from app.matching.profiles import (
    EmployerProfile,
    FamilyProfile,
    SeekerProfile,
    VacancyProfile,
    normalise_certificate,
    skill_claims,
)
from app.seed.places import REGIONS

__all__ = ["DEMO_SEED", "World", "demo_world"]

DEMO_SEED = 2018  # the loader's default, so the database benchmarks hold the same people

World = tuple[list[SeekerProfile], list[VacancyProfile], list[EmployerProfile], list[FamilyProfile]]


def demo_world(seekers: int, vacancies: int, today: date, *, seed: int = DEMO_SEED) -> World:
    parents = {r.code: r.parent_code for r in REGIONS}
    stations = generate_stations(demo_rng(seed, "stations"))
    station_ids = {row["code"]: i + 1 for i, row in enumerate(stations)}
    firms = generate_employers(demo_rng(seed, "employers"), max(20, vacancies // 50))
    employers = [
        EmployerProfile(i + 1, row["name"], row["district_code"], int(row.get("couple_dormitories") or 0))
        for i, row in enumerate(firms)
    ]
    vacancy_profiles = [
        _vacancy(i + 1, row, today)
        for i, row in enumerate(generate_vacancies(demo_rng(seed, "vacancies"), firms, vacancies, today))
    ]
    seeker_profiles: list[SeekerProfile] = []
    families: list[FamilyProfile] = []
    for rows, family_rows in seeker_blocks(seed, stations, seekers, today):
        for family in family_rows:
            families.append(
                FamilyProfile(
                    id=family["key"] + 1,
                    kind=family["kind"],
                    member_ids=tuple(sorted(i + 1 for i in family["member_indexes"])),
                    must_stay_together=bool(family["must_stay_together"]),
                    needs_couple_dormitory=bool(family["needs_couple_dormitory"]),
                )
            )
        seeker_profiles.extend(_seeker(row, station_ids, parents) for row in rows)
    return seeker_profiles, vacancy_profiles, employers, families


def _seeker(row: dict[str, Any], station_ids: dict[str, int], parents: dict[str, str | None]) -> SeekerProfile:
    family_key = row.get("family_key")
    return SeekerProfile(
        id=row["index"] + 1,
        station_id=station_ids[row["station_code"]],
        origin_code=row["origin_code"],
        origin_parent_code=parents.get(row["origin_code"]),
        registered_poor=bool(row["registered_poor"]),
        skills=skill_claims(row["skills"]),
        certificates=frozenset(normalise_certificate(c) for c in row["certificates"]),
        preferred_districts=tuple(row["preferred_districts"]),
        expected_pay=row["expected_pay"],
        available_from=row["available_from"],
        active=row["status"] == "active",
        consent_matching=bool(row["consent_matching"]),
        family_id=family_key + 1 if family_key is not None else None,
    )


def _vacancy(vacancy_id: int, row: dict[str, Any], today: date) -> VacancyProfile:
    return VacancyProfile(
        id=vacancy_id,
        employer_id=row["employer_index"] + 1,
        occupation=row["occupation"],
        skills=skill_claims(row["skills"]),
        certificates=frozenset(normalise_certificate(c) for c in row["certificates"]),
        district_code=row["district_code"],
        latitude=row.get("latitude"),
        longitude=row.get("longitude"),
        pay_min=row["pay_min"],
        pay_max=row["pay_max"],
        caring_post=bool(row["caring_post"]),
        family_posts=dict(row["family_posts"]),
        start_date=row["start_date"],
        open_places=max(row["headcount"] - row["hired_count"], 0),
        is_open=row["status"] == "open" and row["valid_until"] >= today,
    )

