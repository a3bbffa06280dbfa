"""One row's lock, taken the same way on both databases.

A no-op UPDATE of the row (its id set to itself) is the lock: on PostgreSQL it holds the row lock to commit,
so a second transaction's UPDATE of the same row waits for the first to finish, and the statements after it
(under READ COMMITTED) read what the first committed; on SQLite it takes the single writer's lock before
the reads that follow, so no other writer can commit in between. ``SELECT … FOR UPDATE`` would do on
PostgreSQL only: SQLite ignores it and would let the reads run before taking the writer's lock. The key
keeps its value, so PostgreSQL takes the weaker lock that rows referring to this one do not wait for.
"""

from __future__ import annotations

from sqlalchemy import Table, update
from sqlmodel import Session, SQLModel


def lock_row(session: Session, model: type[SQLModel], row_id: int) -> None:
    """Lock the row of ``model``'s table whose id is ``row_id`` until this transaction ends (nothing if none)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    session.execute(update(table).where(table.c.id == row_id).values(id=table.c.id))
