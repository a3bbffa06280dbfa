"""The SQL twin of the scoring rules (``benchmarks/sql_scoring.py``) ranks exactly as the reference does.

``compare.postgres_sql`` in the benchmark is only a fair comparison if the one-query version computes
the same thing; here it is held to the reference on random populations on a real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.matching.context import MatchContext
from app.matching.index import min_tenths
from app.matching.reference import Population, reference_top_seekers, reference_top_vacancies
from benchmarks.sql_scoring import SqlScorer, population_signature
from tests.conftest import PG_ADMIN_URL, REQUIRE_PG, _pg_reachable
from tests.matching.support import TODAY, context, employer, population, populations, seeker, vacancy

SCHEMA = f"sql_scoring_{os.getpid()}_{uuid.uuid4().hex[:6]}"
HYPOTHESIS = settings(
    database=None,
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def pg() -> Iterator[psycopg.Connection[Any]]:
    reason = _pg_reachable()
    if reason is not None:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (JOBMATCH_REQUIRE_POSTGRES=1) but unreachable: {reason}")
        pytest.skip(f"PostgreSQL unreachable: {reason}")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        yield conn
        conn.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')


def _scorer(conn: psycopg.Connection[Any], pop: Population, ctx: MatchContext) -> SqlScorer:
    scorer = SqlScorer(conn, SCHEMA, ctx)
    scorer.load(pop.seekers.values(), pop.vacancies.values(), pop.employers.values(), pop.families.values())
    return scorer


def _pairs(matches: list[Any], attr: str) -> list[tuple[int, int]]:
    return [(getattr(m, attr), m.tenths) for m in matches]


@HYPOTHESIS
@given(world=populations(), data=st.data())
def test_sql_ranks_as_the_reference(
    pg: psycopg.Connection[Any], world: tuple[Population, MatchContext], data: st.DataObject
) -> None:
    pop, ctx = world
    scorer = _scorer(pg, pop, ctx)
    for vacancy_id in sorted(pop.vacancies):
        k = data.draw(st.integers(1, 8), label="k")
        floor = data.draw(st.sampled_from([0.0, 30.0, 55.5, 80.0]), label="min_score")
        expected = _pairs(reference_top_seekers(pop, ctx, vacancy_id, k, floor), "seeker_id")
        assert scorer.top_seekers(vacancy_id, k, min_tenths(floor)) == expected
    for seeker_id in sorted(pop.seekers):
        k = data.draw(st.integers(1, 8), label="k")
        cap = data.draw(st.sampled_from([None, 0, 1, 2]), label="per_employer")
        expected = _pairs(reference_top_vacancies(pop, ctx, seeker_id, k, 0.0, cap), "vacancy_id")
        assert scorer.top_vacancies(seeker_id, k, 0, cap) == expected


def test_sql_applies_each_hard_filter(pg: psycopg.Connection[Any]) -> None:
    welder = vacancy(100, "焊工", certificates=frozenset({"焊工证"}), open_places=2)
    caring = vacancy(101, "焊工", caring_post=True, open_places=1, employer_id=7)
    full = vacancy(102, "焊工", open_places=0)
    pop = population(
        employer(7),
        seeker(1, skills=(("电焊工", 2, 3),), certificates=frozenset({"焊工证"}), registered_poor=True),
        seeker(2, skills=(("电焊工", 2, 3),), certificates=frozenset()),
        seeker(3, skills=(("缝纫工", 2, 3),), certificates=frozenset({"焊工证"})),
        seeker(4, skills=(("焊工", 2, 3),), certificates=frozenset({"焊工证"}), consent_matching=False),
        welder,
        caring,
        full,
    )
    ctx = context()
    scorer = _scorer(pg, pop, ctx)
    # Only the certified, consenting welder: the seamstress has no occupation in common.
    assert [s for s, _ in scorer.top_seekers(100)] == [1]
    assert [s for s, _ in scorer.top_seekers(101)] == [1]  # the caring post: registered-poor only
    assert scorer.top_seekers(102) == []  # no place left
    assert [v for v, _ in scorer.top_vacancies(1)] == [101, 100]  # the caring post first
    assert _pairs(reference_top_vacancies(pop, ctx, 1, 20), "vacancy_id") == scorer.top_vacancies(1)


def test_signature_changes_with_the_population() -> None:
    ctx = context()
    one = [seeker(1)]
    other = [seeker(1, expected_pay=9000)]
    vacancies = [vacancy(100)]
    assert population_signature(ctx, one, vacancies, [], []) == population_signature(ctx, one, vacancies, [], [])
    assert population_signature(ctx, one, vacancies, [], []) != population_signature(ctx, other, vacancies, [], [])
    later = context(today=TODAY + timedelta(days=1))
    assert population_signature(ctx, one, vacancies, [], []) != population_signature(later, one, vacancies, [], [])
