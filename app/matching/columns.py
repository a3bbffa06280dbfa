"""Growable numpy columns and string interning, the storage under the match index.

Rows are appended in place (capacity grows by half), so an update costs what it touches, not a
rebuild. ``nbytes`` reports allocated capacity, which is what the memory figure must count.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = ["Coder", "Columns", "Grow", "Interner"]

H = TypeVar("H", bound=Hashable)

_GROWTH = 1.5
_MIN_CAPACITY = 16


def _grown(array: npt.NDArray[Any], needed: int, fill: Any) -> npt.NDArray[Any]:
    # Half again the old capacity keeps appends amortised; one bulk append (a build) gets an exact fit.
    capacity = max(_MIN_CAPACITY, needed, int(len(array) * _GROWTH))
    bigger = np.full((capacity, *array.shape[1:]), fill, dtype=array.dtype)
    bigger[: len(array)] = array
    return bigger


class Grow:
    """One growable 1-D array with a fill value for unused slots."""

    __slots__ = ("_data", "fill", "size")

    def __init__(self, dtype: npt.DTypeLike, fill: Any = 0, capacity: int = 0) -> None:
        self.fill = fill
        self._data: npt.NDArray[Any] = np.full(capacity, fill, dtype=dtype)
        self.size = 0

    @property
    def view(self) -> npt.NDArray[Any]:
        return self._data[: self.size]

    @property
    def raw(self) -> npt.NDArray[Any]:
        """The whole buffer, including the unused tail (for index-addressed lookups)."""
        return self._data

    def ensure(self, size: int) -> None:
        """Make positions ``< size`` addressable (filled with ``fill``) and count them as used."""
        if size > len(self._data):
            self._data = _grown(self._data, size, self.fill)
        self.size = max(self.size, size)

    def extend(self, values: npt.ArrayLike) -> int:
        values = np.asarray(values, dtype=self._data.dtype)
        start = self.size
        self.ensure(start + len(values))
        self._data[start : start + len(values)] = values
        return start

    def replace(self, values: npt.NDArray[Any]) -> None:
        self._data = np.ascontiguousarray(values, dtype=self._data.dtype).copy()
        self.size = len(values)

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)


class Columns:
    """Named 1-D columns sharing one row count (a struct of arrays)."""

    __slots__ = ("_data", "dead", "size")

    def __init__(self, dtypes: Mapping[str, npt.DTypeLike], capacity: int = 0) -> None:
        self._data = {name: np.zeros(capacity, dtype=dtype) for name, dtype in dtypes.items()}
        self.size = 0
        # rows known to be dead (for deciding when to compact)
        self.dead = 0

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        return self._data[name][: self.size]

    def raw(self, name: str) -> npt.NDArray[Any]:
        return self._data[name]

    def append(self, values: Mapping[str, npt.ArrayLike]) -> int:
        """Append rows (every column given, same length); returns the first new row."""
        lengths = {len(np.atleast_1d(v)) for v in values.values()}
        if len(lengths) != 1 or set(values) != set(self._data):
            raise ValueError("append needs every column, all of the same length")
        count = lengths.pop()
        start = self.size
        if start + count > len(next(iter(self._data.values()))):
            self._data = {name: _grown(array, start + count, 0) for name, array in self._data.items()}
        for name, array in self._data.items():
            array[start : start + count] = values[name]
        self.size = start + count
        return start

    def add_row(self) -> int:
        """One more row (zeros), for writes that set columns one by one."""
        row = self.size
        if row + 1 > len(next(iter(self._data.values()))):
            self._data = {name: _grown(array, row + 1, 0) for name, array in self._data.items()}
        for array in self._data.values():
            array[row] = 0
        self.size = row + 1
        return row

    def keep(self, rows: npt.NDArray[np.intp]) -> None:
        """Keep only ``rows`` (in that order), shrinking capacity to fit: compaction."""
        self._data = {name: np.ascontiguousarray(array[: self.size][rows]) for name, array in self._data.items()}
        self.size = len(rows)
        self.dead = 0

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]]) -> Columns:
        columns = cls({name: array.dtype for name, array in arrays.items()})
        columns._data = {name: np.ascontiguousarray(array) for name, array in arrays.items()}
        columns.size = len(next(iter(arrays.values()))) if arrays else 0
        return columns

    @property
    def nbytes(self) -> int:
        return sum(int(array.nbytes) for array in self._data.values())


class Interner:
    """Strings to dense ids and back; id 0 may be reserved for "none"."""

    __slots__ = ("_ids", "values")

    def __init__(self, reserve_zero: bool = False) -> None:
        self._ids: dict[str, int] = {}
        self.values: list[str | None] = [None] if reserve_zero else []

    def id(self, value: str) -> int:
        found = self._ids.get(value)
        if found is None:
            found = self._ids[value] = len(self.values)
            self.values.append(value)
        return found

    def get(self, value: str) -> int | None:
        return self._ids.get(value)

    def ids(self, values: Iterable[str]) -> list[int]:
        return [self.id(value) for value in values]

    def __len__(self) -> int:
        return len(self.values)

    @property
    def nbytes(self) -> int:
        # Rough: dict slot + str object per distinct value; the vocabularies stay small.
        return sum(64 + 2 * len(value or "") for value in self.values)


class Coder(Generic[H]):
    """Repeated values to dense codes in order of first appearance, each distinct value kept once.

    A million seekers share a few hundred district lists and certificate sets: coding them lets the
    work per value happen once per distinct value, and the rest in numpy."""

    __slots__ = ("_codes",)

    def __init__(self) -> None:
        self._codes: dict[H, int] = {}

    def codes(self, values: Iterable[H]) -> npt.NDArray[np.int64]:
        seen = self._codes
        return np.array([seen.setdefault(value, len(seen)) for value in values], dtype=np.int64)

    def code(self, value: H) -> int:
        return self._codes.setdefault(value, len(self._codes))

    @property
    def values(self) -> list[H]:
        """Every distinct value, at its code."""
        return list(self._codes)

    def __len__(self) -> int:
        return len(self._codes)
