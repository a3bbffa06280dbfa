"""A small population with known histories, written straight into the tables, for checking figures.

Each person's story is plain data (origin, registered-poor, arrival and leaving days); the tests compute
the true figures from these stories with their own loops, never with the code under test."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert

from app.clock import today_shanghai
from app.db import metadata
from tests.factories import Actor, World, set_columns

COUNTIES = {"522301": "522300", "522325": "522300", "522326": "522300", "222401": "222400", "222426": "222400"}
DISTRICTS = ("330203", "330212")


@dataclass
class Story:
    seeker_id: int
    origin: str
    poor: bool
    district: str | None = None
    employer: int | None = None
    arrived: date | None = None
    left: date | None = None
    registered: date | None = None


def _t(name: str) -> Any:
    return metadata.tables[name]


def _ts(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, tzinfo=UTC)  # noon in Shanghai


def build(world: World, n: int = 60, seed: int = 7) -> tuple[list[Story], dict[str, Any]]:
    rng = random.Random(seed)
    today = today_shanghai()
    station = world.station()
    employers = {d: world.employer(d) for d in DISTRICTS}
    vacancies = {d: world.vacancy(employers[d], headcount=200, district_code=d)["id"] for d in DISTRICTS}
    stories = []
    for i in range(n):
        origin = rng.choice(sorted(COUNTIES))
        poor = rng.random() < 0.5
        seeker_id = world.seeker(station, area=origin, registered_poor=poor,
                                 poverty_evidence_ref="JDLK-1" if poor else None)
        registered = today - timedelta(days=rng.randint(0, 500))
        set_columns(world.engine, "seeker", seeker_id, created_at=_ts(registered))
        story = Story(seeker_id, origin, poor, registered=registered)
        if i % 4 != 3:  # three in four have worked in Ningbo
            story.district = rng.choice(DISTRICTS)
            story.employer = employers[story.district].id
            story.arrived = today - timedelta(days=rng.choice([0, 30, 89, 90, 91, 179, 180, 200, 400]))
            if rng.random() < 0.35:
                stay = rng.randint(0, (today - story.arrived).days)
                story.left = story.arrived + timedelta(days=stay)
        stories.append(story)
    write_placements(world.engine, stories, station, vacancies)
    return stories, {"station": station, "employers": employers, "vacancies": vacancies}


def write_placements(engine: Engine, stories: list[Story], station: Actor, vacancies: dict[str, int]) -> None:
    with engine.begin() as conn:
        for s in stories:
            if s.arrived is None:
                continue
            assert s.district is not None
            app_id = conn.execute(insert(_t("application")).values(
                seeker_id=s.seeker_id, vacancy_id=vacancies[s.district], employer_id=s.employer,
                station_id=station.id, status="arrived", source="station", start_date=s.arrived,
                arrived_on=s.arrived, created_at=_ts(s.arrived - timedelta(days=20)),
                updated_at=_ts(s.arrived))).inserted_primary_key[0]
            for status, back in (("applied", 20), ("hired", 10), ("arrived", 0)):
                conn.execute(insert(_t("application_event")).values(
                    application_id=app_id, to_status=status, actor_role="employer",
                    at=_ts(s.arrived - timedelta(days=back))))
            conn.execute(insert(_t("placement")).values(
                application_id=app_id, seeker_id=s.seeker_id, vacancy_id=vacancies[s.district],
                employer_id=s.employer, station_id=station.id, arrived_on=s.arrived,
                status="left" if s.left else "active", left_on=s.left, left_reason="返乡" if s.left else None,
                created_at=_ts(s.arrived), updated_at=_ts(s.arrived)))


def employed(s: Story, on: date) -> bool:
    return s.arrived is not None and s.arrived <= on and (s.left is None or s.left > on)


def stayed(s: Story, on: date) -> int:
    """Days employed up to ``on`` (or leaving), -1 for someone who never arrived by then."""
    if s.arrived is None or s.arrived > on:
        return -1
    end = min(s.left, on) if s.left else on
    return (end - s.arrived).days
