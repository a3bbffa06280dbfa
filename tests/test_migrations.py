"""Models and migrations never drift, migrating is idempotent, and the migrations run down and up again."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select

from app.db import make_engine, metadata
from app.migrate import alembic_config, head_revision, is_migrated, migrate
from app.models.region import Pairing, Region
from app.seed.places import PAIRINGS, REGIONS


def _drift(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False, "target_metadata": metadata}
        )
        return list(compare_metadata(context, metadata))


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    assert _tables(engine) == {t.name for t in metadata.sorted_tables} | {"alembic_version"}
    assert _drift(engine) == []


def test_drift_check_notices_a_missing_column(tmp_path: Path) -> None:
    """The drift check can fail: drop a column behind the migrations' back and it says so."""
    url = f"sqlite:///{tmp_path / 'drift.db'}"
    migrate(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE station DROP COLUMN address")
        assert any(d[0] == "add_column" and d[3].name == "address" for d in _drift(engine))  # type: ignore[index]
    finally:
        engine.dispose()


def test_migrate_is_idempotent(database_url: str, engine: Engine) -> None:
    def counts() -> tuple[int, int]:
        with engine.connect() as conn:
            return (conn.execute(select(func.count()).select_from(Region)).scalar_one(),
                    conn.execute(select(func.count()).select_from(Pairing)).scalar_one())

    before = counts()
    assert before == (len(REGIONS), len(PAIRINGS))
    migrate(database_url)
    migrate(database_url)
    assert counts() == before
    assert is_migrated(engine)
    assert _drift(engine) == []


def test_downgrade_to_base_and_upgrade_again_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    migrate(url)
    engine = make_engine(url)
    try:
        assert is_migrated(engine)
        command.downgrade(alembic_config(url), "base")
        assert _tables(engine) <= {"alembic_version"}
        assert not is_migrated(engine)
        migrate(url)
        assert is_migrated(engine)
        assert _tables(engine) == {t.name for t in metadata.sorted_tables} | {"alembic_version"}
        assert _drift(engine) == []
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Region)).scalar_one() == len(REGIONS)
            revision = MigrationContext.configure(conn).get_current_revision()
        assert revision == head_revision()
    finally:
        engine.dispose()
