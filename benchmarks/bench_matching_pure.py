"""Benchmark: the pure matching engine (``app.matching``) on a synthetic city, in memory, no database.

Builds BENCH_SEEKERS (default 1,000,000) seekers and BENCH_VACANCIES (default 100,000) vacancies with the
demo generator (``benchmarks/demo_world.py``: the trades, spellings, families and posts of the demo
data, the same people the database benchmarks load), builds the index, and prints one JSON line per figure:

  match.vacancy_top50, match.seeker_top20, match.family_top10  median_ms, p99_ms, n
  index.build                                                  seconds (from in-memory profiles)
  index.memory                                                 bytes_per_seeker
  compare.reference                                            speedup, identical (every pair scored by
                                                               the reference, then sorted, on a sample)
  compare.postgres_sql                                         speedup, identical (the same rules as one
                                                               SQL query on PostgreSQL, same population)

Run: `python benchmarks/bench_matching_pure.py` or `python -m benchmarks.bench_matching_pure`.
BENCH_QUERIES (default 300), BENCH_REFERENCE_QUERIES (default 3) and BENCH_SQL_QUERIES (default 20) set the
sample sizes; BENCH_PG_URL the PostgreSQL database for the SQL comparison (loaded once into the schema
``jobmatch_sql_bench`` and reused while the population is the same).
"""

from __future__ import annotations

import gc
import json
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import psycopg

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.matching.context import MatchContext, Weights
from app.matching.index import MatchIndex
from app.matching.profiles import EmployerProfile, FamilyProfile, SeekerProfile, VacancyProfile
from app.matching.reference import Population, reference_top_seekers, reference_top_vacancies
from app.seed.places import PAIRINGS, REGIONS
from benchmarks import machine
from benchmarks.demo_world import demo_world
from benchmarks.sql_scoring import SqlScorer, population_signature

SEEKERS = int(os.environ.get("BENCH_SEEKERS", "1000000"))
VACANCIES = int(os.environ.get("BENCH_VACANCIES", "100000"))
QUERIES = int(os.environ.get("BENCH_QUERIES", "300"))
REFERENCE_QUERIES = int(os.environ.get("BENCH_REFERENCE_QUERIES", "3"))
SQL_QUERIES = int(os.environ.get("BENCH_SQL_QUERIES", "20"))
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
SQL_SCHEMA = os.environ.get("BENCH_SQL_SCHEMA", "jobmatch_sql_bench")
TODAY = date(2024, 3, 1)

MACHINE = {"machine": machine()}


def emit(bench: str, **figures: Any) -> None:
    print(
        json.dumps(
            {"bench": bench, "seekers": SEEKERS, "vacancies": VACANCIES, **figures, **MACHINE},
            ensure_ascii=False,
        ),
        flush=True,
    )


def timed(run: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    start = time.perf_counter()
    result: object = None
    for _ in range(repeat):
        result = run()
    return (time.perf_counter() - start) / repeat, result


def side_by_side(
    ids: list[int],
    slow: Callable[[int], Any],
    fast: Callable[[int], Any],
    same: Callable[[Any, Any], bool],
) -> tuple[float, float, bool]:
    """Total seconds of the slow and the fast answer over ``ids`` (the fast one averaged over five calls,
    it is too quick to time once), and whether every pair of answers agreed."""
    slow_total = fast_total = 0.0
    agreed = True
    for item in ids:
        slow_seconds, expected = timed(lambda i=item: slow(i))
        fast_seconds, got = timed(lambda i=item: fast(i), repeat=5)
        agreed &= same(expected, got)
        slow_total, fast_total = slow_total + slow_seconds, fast_total + fast_seconds
    return slow_total, fast_total, agreed


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def latency(name: str, calls: list[Callable[[], object]]) -> None:
    """Wall-clock figures (the contract), plus this process's CPU time per call and the load average:
    on a shared machine the wall clock also counts the time other processes held the CPU."""
    for call in calls[:5]:
        call()  # warm the caches a service would have warm
    wall, cpu = [], []
    for call in calls:
        started, used = time.perf_counter(), time.process_time()
        call()
        cpu.append((time.process_time() - used) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    emit(
        name,
        median_ms=round(statistics.median(wall), 3),
        p99_ms=round(_p99(wall), 3),
        n=len(wall),
        cpu_median_ms=round(statistics.median(cpu), 3),
        cpu_p99_ms=round(_p99(cpu), 3),
        load_average=round(os.getloadavg()[0], 2),
    )


def main() -> None:
    started = time.perf_counter()
    seekers, vacancies, employers, families = demo_world(SEEKERS, VACANCIES, TODAY)
    generated = time.perf_counter() - started
    regions = {r.code: r for r in REGIONS}
    ctx = MatchContext(
        today=TODAY,
        weights=Weights(),
        pairings=frozenset((p.district_code, p.origin_code) for p in PAIRINGS),
        region_names={code: r.name for code, r in regions.items()},
        region_coords={code: (r.latitude, r.longitude) for code, r in regions.items()},
    )
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds, built = timed(
        lambda: MatchIndex.build(ctx, seekers=seekers, vacancies=vacancies, employers=employers, families=families)
    )
    index = built
    assert isinstance(index, MatchIndex)
    emit(
        "index.build",
        seconds=round(seconds, 2),
        source="in-memory profiles",
        generate_seconds=round(generated, 1),
    )
    emit(
        "index.memory",
        bytes_per_seeker=round(index.seeker_memory_bytes() / max(1, index.seeker_count), 1),
        total_bytes_per_seeker=round(index.memory_bytes() / max(1, index.seeker_count), 1),
        peak_rss_growth_mb=round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024, 1),
    )

    rng = random.Random(7)
    open_vacancies = [v.id for v in vacancies if v.takes_applicants]
    vacancy_sample = rng.sample(open_vacancies, min(QUERIES, len(open_vacancies)))
    seeker_sample = rng.sample(range(1, len(seekers) + 1), min(QUERIES, len(seekers)))
    family_sample = rng.sample([f.id for f in families], min(QUERIES, len(families)))
    latency("match.vacancy_top50", [lambda v=v: index.top_seekers(v, 50) for v in vacancy_sample])
    latency("match.seeker_top20", [lambda s=s: index.top_vacancies(s, 20) for s in seeker_sample])
    latency("match.family_top10", [lambda f=f: index.top_employers_for_family(f, 10) for f in family_sample])

    # The reference scores every pair, then sorts: a handful of queries is all it can afford.
    pop = Population(
        seekers={s.id: s for s in seekers},
        vacancies={v.id: v for v in vacancies},
        employers={e.id: e for e in employers},
        families={f.id: f for f in families},
    )
    reference_seconds, fast_seconds, same_vacancies = side_by_side(
        vacancy_sample[:REFERENCE_QUERIES],
        lambda v: reference_top_seekers(pop, ctx, v, 50),
        lambda v: index.top_seekers(v, 50),
        lambda expected, got: got == expected,
    )
    seeker_reference, seeker_fast, same_seekers = side_by_side(
        seeker_sample[: REFERENCE_QUERIES * 5],
        lambda s: reference_top_vacancies(pop, ctx, s, 20),
        lambda s: index.top_vacancies(s, 20),
        lambda expected, got: got == expected,
    )
    identical = same_vacancies and same_seekers
    emit(
        "compare.reference",
        speedup=round(reference_seconds / fast_seconds, 1),
        identical=bool(identical),
        queries=REFERENCE_QUERIES,
        reference_ms=round(1000 * reference_seconds / max(1, REFERENCE_QUERIES), 1),
        seeker_speedup=round(seeker_reference / seeker_fast, 1),
        seeker_queries=REFERENCE_QUERIES * 5,
    )
    compare_postgres_sql(ctx, (seekers, vacancies, employers, families), index, vacancy_sample, seeker_sample)


def compare_postgres_sql(
    ctx: MatchContext,
    world: tuple[list[SeekerProfile], list[VacancyProfile], list[EmployerProfile], list[FamilyProfile]],
    index: MatchIndex,
    vacancy_sample: list[int],
    seeker_sample: list[int],
) -> None:
    """The same questions answered by one SQL query each on PostgreSQL, on the same population."""
    try:
        conn = psycopg.connect(PG_URL, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        emit("compare.postgres_sql", skipped=f"PostgreSQL unreachable: {str(exc).strip().splitlines()[0]}")
        return
    with conn:
        scorer = SqlScorer(conn, SQL_SCHEMA, ctx)
        signature = population_signature(ctx, *world)
        load_seconds = 0.0
        if scorer.loaded_signature() != signature:
            load_seconds, _ = timed(lambda: scorer.load(*world, signature=signature))
        # One query first, so both sides are timed with warm caches and a prepared plan.
        scorer.top_seekers(vacancy_sample[-1], 50)
        sql_seconds, fast_seconds, same_vacancies = side_by_side(
            vacancy_sample[:SQL_QUERIES],
            lambda v: scorer.top_seekers(v, 50),
            lambda v: index.top_seekers(v, 50),
            lambda rows, got: rows == [(m.seeker_id, m.tenths) for m in got],
        )
        scorer.top_vacancies(seeker_sample[-1], 20)
        seeker_sql, seeker_fast, same_seekers = side_by_side(
            seeker_sample[:SQL_QUERIES],
            lambda s: scorer.top_vacancies(s, 20),
            lambda s: index.top_vacancies(s, 20),
            lambda rows, got: rows == [(m.vacancy_id, m.tenths) for m in got],
        )
        identical = same_vacancies and same_seekers
    queries = max(1, min(SQL_QUERIES, len(vacancy_sample)))
    seeker_queries = max(1, min(SQL_QUERIES, len(seeker_sample)))
    emit(
        "compare.postgres_sql",
        speedup=round(sql_seconds / fast_seconds, 1),
        identical=bool(identical),
        queries=queries,
        sql_ms=round(1000 * sql_seconds / queries, 1),
        index_ms=round(1000 * fast_seconds / queries, 2),
        seeker_speedup=round(seeker_sql / seeker_fast, 1),
        seeker_queries=seeker_queries,
        seeker_sql_ms=round(1000 * seeker_sql / seeker_queries, 1),
        seeker_index_ms=round(1000 * seeker_fast / seeker_queries, 2),
        load_seconds=round(load_seconds, 1),
    )


def run(_emit: Callable[[dict[str, Any]], None]) -> None:
    """For `make bench`: this module prints its own JSON lines (population and machine included)."""
    main()


if __name__ == "__main__":
    main()
