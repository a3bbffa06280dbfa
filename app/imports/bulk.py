"""Inserting many rows at the speed of the database driver.

SQLAlchemy's executemany does per-row bookkeeping that costs more than the insert itself at 100,000
rows. Here each value goes through its column's own bind processor (exactly what SQLAlchemy would send:
JSON serialised with the engine's serializer, dates formatted for SQLite, UTC datetimes checked) and the
rows go to the driver's executemany in one call. Column defaults the model declares (status 'active',
quiet hours…) are filled in, since the driver knows nothing of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Table

_NOTHING = object()
_CACHE_LIMIT = 10_000


def insert_many(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT every row (all with the same keys); raises sqlalchemy's IntegrityError like any insert."""
    if not rows:
        return
    dialect = connection.dialect
    given = list(rows[0])
    defaults = {c.name: c.default.arg for c in table.columns  # type: ignore[attr-defined]
                if c.name not in given and c.default is not None and c.default.is_scalar}
    names = given + list(defaults)
    encoders = [_Encoder(table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in names]
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
           f"VALUES ({', '.join([marker] * len(names))})")
    fixed = list(defaults.values())
    values = []
    for row in rows:
        raw = [row[n] for n in given]
        raw += fixed
        values.append(tuple([encode(v) for encode, v in zip(encoders, raw, strict=True)]))
    connection.exec_driver_sql(sql, values)


class _Encoder:
    """A column's bind processor, remembering results: timestamps are one object for a whole chunk, and
    lists such as ["上岗证"] or ["330206", "330211"] recur from row to row."""

    __slots__ = ("_cache", "_last", "_last_out", "_process")

    def __init__(self, process: Callable[[Any], Any] | None) -> None:
        self._process = process
        self._last: Any = _NOTHING
        self._last_out: Any = None
        self._cache: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        if self._process is None or value is None:
            return value
        if value is self._last:
            return self._last_out
        key = _key(value)
        if key is None:
            out = self._process(value)
        else:
            out = self._cache.get(key, _NOTHING)
            if out is _NOTHING:
                if len(self._cache) >= _CACHE_LIMIT:
                    self._cache.clear()
                out = self._cache[key] = self._process(value)
        self._last, self._last_out = value, out
        return out


def _key(value: Any) -> tuple[Any, ...] | None:
    """A hashable stand-in for a JSON list of strings or of flat dicts; None for anything else."""
    if type(value) is not list:
        return None
    key = tuple(tuple(item.items()) if type(item) is dict else item for item in value)
    try:
        hash(key)
    except TypeError:
        return None
    return key
