"""Every database test runs twice: on SQLite and on PostgreSQL, each database built by the migrations.

PostgreSQL is 127.0.0.1:5432 (trust auth) unless JOBMATCH_TEST_PG_URL says otherwise. Where it cannot be
reached the PostgreSQL half is skipped with a loud warning; with JOBMATCH_REQUIRE_POSTGRES=1 (CI) it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.db import make_engine, metadata
from app.main import create_app
from app.migrate import migrate
from app.seed.places import PAIRINGS, REGIONS
from app.settings import Settings
from tests.factories import World

PG_ADMIN_URL = os.environ.get("JOBMATCH_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("JOBMATCH_REQUIRE_POSTGRES") == "1"
_pg_skipped: list[str] = []

# Reference tables keep their seeded rows between tests; everything else is emptied.
_REFERENCE_TABLES = {"region", "pairing", "alembic_version"}


def _pg_reachable() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.db"
        url = f"sqlite:///{path}"
        migrate(url)
        yield url
        return
    reason = _pg_reachable()
    if reason is not None:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (JOBMATCH_REQUIRE_POSTGRES=1) but unreachable: {reason}")
        _pg_skipped.append(reason)
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {reason}")
    name = f"jobmatch_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    try:
        migrate(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgres"


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        var_dir=Path(tmp_path_factory.mktemp("var")),
        secret_key=Fernet.generate_key().decode(),
        allow_generated_secret=False,
        embedded_worker=False,
        warm_match_index=False,
    )


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.effective_database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def app(settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    return create_app(settings, engine)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as test_client:
        yield test_client
    _empty_tables(app.state.engine)
    # Production never deletes seekers or vacancies; the index learns of deletions only by a rebuild.
    app.state.matcher.reset()


@pytest.fixture
def session(engine: Engine, app) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as db:
        yield db
    _empty_tables(engine)
    app.state.matcher.reset()


@pytest.fixture
def world(client: TestClient, engine: Engine, app) -> World:  # type: ignore[no-untyped-def]
    return World(client, engine, app.state.vault)


def _empty_tables(engine: Engine) -> None:
    seeded = [r.code for r in REGIONS]
    with engine.begin() as conn:
        tables = [t for t in reversed(metadata.sorted_tables) if t.name not in _REFERENCE_TABLES]
        # DELETE rather than TRUNCATE: it needs no exclusive lock, so a pooled connection still
        # finishing its work cannot stall the next test, and on a few rows it is faster.
        for table in tables:
            conn.execute(table.delete())
        conn.execute(text("DELETE FROM pairing WHERE id > :n"), {"n": len(PAIRINGS)})
        region = metadata.tables["region"]
        conn.execute(region.delete().where(region.c.code.not_in(seeded)))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _pg_skipped:
        terminalreporter.section("POSTGRESQL TESTS SKIPPED", sep="!", red=True, bold=True)
        terminalreporter.line(
            f"PostgreSQL was unreachable ({_pg_skipped[0]}): only the SQLite half ran. "
            "CI sets JOBMATCH_REQUIRE_POSTGRES=1 and fails instead.",
            red=True,
            bold=True,
        )
