"""One row lock for the services that serialise on a row (a vacancy's edits, a station's charter plans, a
family's departures): ``lock_row`` holds the row to the end of the transaction on both databases, and
leaves the row as it was."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import insert, select, text
from sqlmodel import Session

from app.db import metadata
from app.models.station import Station
from app.services.locks import lock_row
from tests.factories import World

STATION = metadata.tables["station"]


def _lock_in_thread(world: World, row_id: int, done: threading.Event) -> threading.Thread:
    def run() -> None:
        with Session(world.engine) as session:
            lock_row(session, Station, row_id)
            done.set()
            session.commit()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _station_row(world: World, station_id: int) -> dict[str, object]:
    with world.engine.connect() as conn:
        return dict(conn.execute(select(STATION).where(STATION.c.id == station_id)).mappings().one())


def test_a_second_transaction_waits_for_the_row_until_the_first_ends(world: World) -> None:
    station = world.station()
    assert station.id is not None
    before = _station_row(world, station.id)
    done = threading.Event()
    with Session(world.engine) as holder:
        lock_row(holder, Station, station.id)
        waiting = _lock_in_thread(world, station.id, done)
        # PostgreSQL: the row lock; SQLite: the single writer's lock. Either way, held until the commit.
        assert not done.wait(0.5)
        holder.commit()
    waiting.join(timeout=30)
    assert done.is_set()
    assert _station_row(world, station.id) == before
    with Session(world.engine) as session:
        lock_row(session, Station, 10**9)  # no such row: nothing to lock, nothing raised
        session.commit()


def test_on_postgresql_the_lock_holds_one_row_only(world: World, backend: str) -> None:
    """Another station's plans go on, and rows referring to the locked one can still be written."""
    if backend == "sqlite":
        pytest.skip("SQLite has one writer: any write waits, whatever the row")
    station, other = world.station(), world.station()
    assert station.id is not None and other.id is not None
    done = threading.Event()
    with Session(world.engine) as holder:
        lock_row(holder, Station, station.id)
        _lock_in_thread(world, other.id, done).join(timeout=30)
        assert done.is_set()
        with world.engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '2s'"))
            conn.execute(insert(metadata.tables["responsible_person"]).values(
                station_id=station.id, name="李四", active=True))
        holder.rollback()
