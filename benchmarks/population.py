"""A database holding the benchmark population, built once with the demo generator and reused.

BENCH_SEEKERS (default 1,000,000) and BENCH_VACANCIES (default 100,000) choose the size. SQLite files
live in var/bench/; PostgreSQL databases are named after the size on 127.0.0.1:5432 and kept, because
loading a million seekers takes minutes and the figures are about querying them, not loading them.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import psycopg
from cryptography.fernet import Fernet
from sqlalchemy import Engine, func, select

from app.db import make_engine
from app.demo.loader import load_demo
from app.migrate import migrate
from app.models.seeker import Seeker
from app.models.vacancy import Vacancy
from app.pii import Vault
from app.settings import PROJECT_ROOT

SEEKERS = int(os.environ.get("BENCH_SEEKERS", "1000000"))
VACANCIES = int(os.environ.get("BENCH_VACANCIES", "100000"))
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
BENCH_DIR = PROJECT_ROOT / "var" / "bench"


def _key() -> bytes:
    """One key for all benchmark databases, kept beside them (the data is synthetic)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / "secret.key"
    if not path.exists():
        path.write_bytes(Fernet.generate_key())
    return path.read_bytes().strip()


def vault() -> Vault:
    return Vault(_key())


def _populated(engine: Engine, seekers: int, vacancies: int) -> bool:
    try:
        with engine.connect() as conn:
            have_s = conn.execute(select(func.count()).select_from(Seeker)).scalar_one()
            have_v = conn.execute(select(func.count()).select_from(Vacancy)).scalar_one()
    except Exception:
        return False
    return have_s >= seekers and have_v >= vacancies


def database(backend: str, seekers: int = SEEKERS, vacancies: int = VACANCIES) -> str:
    name = f"jobmatch_bench_{seekers}_{vacancies}"
    if backend == "sqlite":
        url = f"sqlite:///{BENCH_DIR / (name + '.db')}"
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
    else:
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(url)
    try:
        if not _populated(engine, seekers, vacancies):
            _rebuild(backend, url, engine, seekers, vacancies)
    finally:
        engine.dispose()
    return url


def _rebuild(backend: str, url: str, engine: Engine, seekers: int, vacancies: int) -> None:
    engine.dispose()
    if backend == "sqlite":
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    sys.stderr.write(f"building the {backend} benchmark population: {seekers} seekers, {vacancies} vacancies\n")
    migrate(url)
    fresh = make_engine(url)
    try:
        load_demo(fresh, vault(), seekers=seekers, vacancies=vacancies, employers=max(20, vacancies // 50))
    finally:
        fresh.dispose()
    sys.stderr.write(f"population built in {time.perf_counter() - started:.0f} s\n")
