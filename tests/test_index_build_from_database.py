"""The index built from the database — seekers read straight into columns, vacancies appended in bulk —
answers exactly as the reference does over the same rows read one profile at a time, and refreshes see
what another process wrote, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from sqlmodel import Session

from app.clock import today_shanghai, utcnow
from app.db import make_engine, metadata
from app.demo.loader import load_demo
from app.matching.index import MatchIndex
from app.matching.profiles import SeekerProfile, normalise_certificate, skill_claims
from app.matching.reference import (
    Population,
    reference_top_employers_for_family,
    reference_top_seekers,
    reference_top_vacancies,
)
from app.services import match_profiles as rows
from app.services.matching import LOOKBACK, MatchService
from app.settings import Settings

SEEKER, VACANCY, FAMILY = (metadata.tables[name] for name in ("seeker", "vacancy", "family"))


@pytest.fixture
def demo(session: Session, engine: Engine, app: Any) -> Engine:
    """A small demo population plus seekers the generator never writes (NULLs, odd but stored JSON)."""
    load_demo(engine, app.state.vault, seekers=300, vacancies=60, employers=8, seed=11)
    _add_odd_seekers(engine)
    return engine


def _add_odd_seekers(engine: Engine) -> None:
    with engine.begin() as conn:
        template = dict(conn.execute(select(SEEKER).order_by(SEEKER.c.id).limit(1)).one()._mapping)
        family_id = conn.execute(select(func.min(FAMILY.c.id))).scalar()
    odd: list[dict[str, Any]] = [
        {"skills": [{"name": "电焊工", "level": 3, "years": 150}, {"name": "叉车司机"}], "expected_pay": None,
         "available_from": None, "certificates": ["Ｃ１驾驶证", "c1 驾驶证", "特种设备作业人员证（叉车）"]},
        {"skills": [{"name": "普工", "level": "高级技师", "years": "4"}, {"name": "  ", "level": None}],
         "preferred_districts": ["330203", "330203", "330206"], "family_id": family_id},
        {"skills": [], "certificates": [], "preferred_districts": [], "status": "paused"},
        {"skills": [{"name": "会做一种谁也没听过的活", "level": "中级", "years": 2}], "consent_matching": False},
        # Equal as keys to the first seeker's claim, not as read: a float is no grade.
        {"skills": [{"name": "电焊工", "level": True, "years": 1.0}, {"name": "电焊工", "level": 3.0, "years": 150}],
         "registered_poor": True},
    ]
    now = utcnow()
    with engine.begin() as conn:
        for i, fields in enumerate(odd):
            row = {k: v for k, v in template.items() if k != "id"}
            row.update(id_fingerprint=f"odd-{i}-{now.timestamp()}", updated_at=now, **fields)
            conn.execute(SEEKER.insert(), row)


def _seeker_profile(row: Any, parents: dict[str, str | None]) -> SeekerProfile:
    """One row as a profile, through the columns' own JSON reading: an oracle sharing no code with the
    service's column reader."""
    return SeekerProfile(
        id=row.id,
        station_id=row.station_id,
        origin_code=row.origin_code,
        origin_parent_code=parents.get(row.origin_code),
        registered_poor=bool(row.registered_poor),
        skills=skill_claims(row.skills or []),
        certificates=frozenset(normalise_certificate(c) for c in row.certificates or []),
        preferred_districts=tuple(row.preferred_districts or ()),
        expected_pay=row.expected_pay,
        available_from=row.available_from,
        active=row.status == "active",
        consent_matching=bool(row.consent_matching),
        family_id=row.family_id,
    )


def _population(engine: Engine, today: date) -> Population:
    """Every row read one profile at a time, as the index used to read them."""
    with engine.connect() as conn:
        parents = rows.region_parents(conn)
        seekers = [_seeker_profile(r, parents) for r in conn.execute(select(SEEKER))]
        return Population(
            seekers={s.id: s for s in seekers},
            vacancies={v.id: v for v, _ in rows.load_vacancies(conn, today)},
            employers={e.id: e for e, _ in rows.load_employers(conn)},
            families={f.id: f for f in rows.load_families(conn).values() if f is not None},
        )


def _assert_same(index: MatchIndex, pop: Population) -> None:
    ctx = index.ctx
    assert index.seeker_count == len(pop.seekers)
    # The index stores what the rows say (districts in the index's bit order, which follows the order
    # it first met them in, duplicates dropped).
    built = MatchIndex.build(ctx, vacancies=pop.vacancies.values(), seekers=pop.seekers.values())
    for seeker_id in pop.seekers:
        assert _sorted(index.seeker(seeker_id)) == _sorted(built.seeker(seeker_id))
    for vacancy_id in pop.vacancies:
        assert index.vacancy(vacancy_id) == pop.vacancies[vacancy_id]
        for floor in (0.0, ctx.threshold):
            assert index.top_seekers(vacancy_id, 10, floor) == reference_top_seekers(pop, ctx, vacancy_id, 10, floor)
    for seeker_id in sorted(pop.seekers)[::7]:
        assert index.top_vacancies(seeker_id, 10) == reference_top_vacancies(pop, ctx, seeker_id, 10)
    for family_id in sorted(pop.families)[:10]:
        found = index.top_employers_for_family(family_id, 3)
        assert found == reference_top_employers_for_family(pop, ctx, family_id, 3)


def _sorted(seeker: SeekerProfile | None) -> SeekerProfile | None:
    return None if seeker is None else replace(seeker, preferred_districts=tuple(sorted(seeker.preferred_districts)))


@pytest.fixture
def matcher(demo: Engine, settings: Settings) -> Iterator[MatchService]:
    yield MatchService(demo, settings)


def test_index_built_from_rows_equals_the_reference(matcher: MatchService, demo: Engine) -> None:
    index = matcher.index
    pop = _population(demo, today_shanghai())
    assert any(s.expected_pay is None for s in pop.seekers.values())
    assert any(s.family_id is not None for s in pop.seekers.values())
    _assert_same(index, pop)


def test_refresh_sees_another_process_writes(matcher: MatchService, demo: Engine, settings: Settings) -> None:
    matcher.index  # noqa: B018  (built before the other process writes)
    other = make_engine(settings.effective_database_url)
    try:
        with other.begin() as conn:
            ids = conn.execute(select(SEEKER.c.id).order_by(SEEKER.c.id)).scalars().all()
            family_id = conn.execute(select(func.max(FAMILY.c.id))).scalar()
            skills = [{"name": "叉车司机", "level": "中级", "years": 6}]
            conn.execute(update(SEEKER).where(SEEKER.c.id == ids[0]).values(
                skills=skills, certificates=["叉车证"], preferred_districts=["330212"], updated_at=utcnow()))
            conn.execute(update(SEEKER).where(SEEKER.c.id == ids[1]).values(
                family_id=family_id, updated_at=utcnow()))
            conn.execute(update(SEEKER).where(SEEKER.c.id == ids[2]).values(
                consent_matching=False, updated_at=utcnow()))
            conn.execute(update(VACANCY).where(VACANCY.c.id == conn.execute(select(func.min(VACANCY.c.id))).scalar())
                         .values(pay_max=99000, certificates=["叉车证"], updated_at=utcnow()))
        _add_odd_seekers(other)
    finally:
        other.dispose()
    matcher.refresh()
    index = matcher.index
    changed = index.seeker(ids[0])
    assert changed is not None and changed.preferred_districts == ("330212",)
    assert [c.text for c in changed.skills] == ["叉车司机"] and changed.certificates == frozenset({"叉车证"})
    moved = index.seeker(ids[1])
    assert moved is not None and moved.family_id == family_id
    # The refreshed index is the one a fresh build would make.
    _assert_same(index, _population(demo, today_shanghai()))


def test_build_remembers_only_the_stamps_its_next_refresh_rereads(
    matcher: MatchService, demo: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_ago = utcnow() - timedelta(days=3)
    with demo.begin() as conn:
        conn.execute(update(SEEKER).values(updated_at=long_ago))
        recent = conn.execute(select(SEEKER.c.id).order_by(SEEKER.c.id.desc()).limit(3)).scalars().all()
        conn.execute(update(SEEKER).where(SEEKER.c.id.in_(recent)).values(updated_at=utcnow() - LOOKBACK / 2))
    index = matcher.index
    assert set(matcher._seekers.applied) == set(recent)
    applied: list[int] = []
    original = index.upsert_seeker_columns
    monkeypatch.setattr(index, "upsert_seeker_columns", lambda s: (applied.extend(s.id.tolist()), original(s)))
    # The recent rows are read again (within LOOKBACK) but not applied twice; a new write is.
    with demo.begin() as conn:
        conn.execute(update(SEEKER).where(SEEKER.c.id == recent[0]).values(
            preferred_districts=json.loads('["330206"]'), updated_at=utcnow()))
    matcher.refresh()
    assert applied == [recent[0]]
    seeker = index.seeker(recent[0])
    assert seeker is not None and seeker.preferred_districts == ("330206",)
