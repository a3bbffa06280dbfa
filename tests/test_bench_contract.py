"""`make bench` prints a contract that scripts read: one JSON object per line, each with its name, the
population and the figures the matching issue lists. Run small, against the real PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import psycopg
import pytest

from app.settings import PROJECT_ROOT
from tests.conftest import PG_ADMIN_URL, REQUIRE_PG, _pg_reachable

FIGURES = {
    "match.vacancy_top50": {"median_ms", "p99_ms", "n"},
    "match.seeker_top20": {"median_ms", "p99_ms", "n"},
    "match.family_top10": {"median_ms", "p99_ms", "n"},
    "index.build": {"seconds"},
    "index.memory": {"bytes_per_seeker"},
    "compare.reference": {"speedup", "identical"},
    "compare.postgres_sql": {"speedup", "identical"},
}


def test_matching_benchmark_prints_every_figure_as_one_json_line() -> None:
    reason = _pg_reachable()
    if reason is not None:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (JOBMATCH_REQUIRE_POSTGRES=1) but unreachable: {reason}")
        pytest.skip(f"compare.postgres_sql needs PostgreSQL: {reason}")
    schema = f"bench_contract_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "BENCH_ONLY": "matching_pure", "BENCH_SEEKERS": "3000", "BENCH_VACANCIES": "300",
           "BENCH_QUERIES": "12", "BENCH_REFERENCE_QUERIES": "1", "BENCH_SQL_QUERIES": "4",
           "BENCH_PG_URL": PG_ADMIN_URL, "BENCH_SQL_SCHEMA": schema}
    try:
        done = subprocess.run([sys.executable, "-m", "benchmarks"], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=600, check=False)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    by_name = {line["bench"]: line for line in lines}
    assert set(FIGURES) <= set(by_name), sorted(by_name)
    for name, keys in FIGURES.items():
        line = by_name[name]
        assert keys <= set(line), (name, line)
        assert line["seekers"] == 3000 and line["vacancies"] == 300
        assert line["machine"]["cpus"] == os.cpu_count()
    # The fast path is checked against both slower ones on the same population, and agrees.
    assert by_name["compare.reference"]["identical"] is True
    assert by_name["compare.postgres_sql"]["identical"] is True
    assert by_name["match.vacancy_top50"]["n"] == 12
