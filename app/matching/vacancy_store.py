"""Vacancies, employers and families in columns, updated in place.

There are a tenth as many vacancies as seekers, so rows are plain (a vacancy keeps its row across
updates) and posting lists hold row numbers. Each employer's family-post slots are kept summed over its
vacancies that take applicants, because both a pair's family filter and the family engine ask for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from app.matching.columns import Columns, Grow
from app.matching.points import YEARS_CAP, YEARS_SPAN
from app.matching.profiles import POST_KINDS, EmployerProfile, FamilyProfile, VacancyProfile
from app.matching.skills import requirements
from app.matching.vocabulary import Vocabulary

__all__ = ["KIND_CODES", "EmployerTable", "FamilyTable", "VacancyStore", "kinds_of_code"]

# Family kinds as small codes; 3 ("other" or anything else) accepts every post kind.
KIND_CODES = {kind: code for code, kind in enumerate(POST_KINDS)}
OTHER_KIND = len(POST_KINDS)

VACANCY_DTYPES: dict[str, Any] = {
    "id": np.int32,
    "employer": np.int32,  # employer row
    "kid": np.int32,
    "rq": np.int16,  # required level * 51 + required years
    "n_req": np.uint8,
    "district": np.uint16,
    "dbit": np.uint8,
    "pay_min": np.int32,
    "pay_max": np.int32,
    "start": np.int32,  # ordinal, 0 = not stated
    "caring": np.uint8,
    "takes": np.uint8,
    "places": np.int32,
    "couple": np.int32,
    "father_son": np.int32,
    "brothers": np.int32,
    "cmask": np.uint64,
    "overflow": np.uint8,
}


# VACANCY_DTYPES but the certificate mask (uint64), in the order ``VacancyStore._append`` collects them
_APPENDED = (
    "id", "employer", "kid", "rq", "n_req", "district", "dbit", "pay_min", "pay_max", "start", "caring", "takes",
    "places", "overflow", "couple", "father_son", "brothers",
)  # fmt: skip


def kinds_of_code(code: int) -> tuple[str, ...]:
    return (POST_KINDS[code],) if code < OTHER_KIND else POST_KINDS


class EmployerTable:
    def __init__(self) -> None:
        self.rows: dict[int, int] = {}
        self.profiles: dict[int, EmployerProfile] = {}
        self.ids = Grow(np.int32)
        self.present = Grow(np.uint8)
        self.free = Grow(np.int32)
        self.slots = {kind: Grow(np.int32) for kind in POST_KINDS}

    def row(self, employer_id: int) -> int:
        row = self.rows.get(employer_id)
        if row is None:
            row = self.rows[employer_id] = self.ids.size
            self.ids.extend([employer_id])
            self.present.extend([0])
            self.free.extend([0])
            for column in self.slots.values():
                column.extend([0])
        return row

    def upsert(self, profile: EmployerProfile) -> None:
        row = self.row(profile.id)
        self.profiles[profile.id] = profile
        self.present.raw[row] = 1
        self.free.raw[row] = max(profile.free_couple_dormitories, 0)

    def slots_of(self, employer_id: int) -> dict[str, int]:
        row = self.rows.get(employer_id)
        if row is None:
            return {}
        return {kind: int(column.raw[row]) for kind, column in self.slots.items()}

    @property
    def nbytes(self) -> int:
        columns = (self.ids, self.present, self.free, *self.slots.values())
        return sum(c.nbytes for c in columns)


class FamilyTable:
    """Families by id in dense columns (present, kind code, must stay together, needs a dormitory)."""

    def __init__(self) -> None:
        self.profiles: dict[int, FamilyProfile] = {}
        self.present = Grow(np.uint8)
        self.kind = Grow(np.uint8)
        self.must = Grow(np.uint8)
        self.dorm = Grow(np.uint8)

    def upsert(self, family: FamilyProfile) -> None:
        if family.id < 0:
            raise ValueError("family ids are non-negative")
        for column in (self.present, self.kind, self.must, self.dorm):
            column.ensure(family.id + 1)
        self.profiles[family.id] = family
        self.present.raw[family.id] = 1
        self.kind.raw[family.id] = KIND_CODES.get(family.kind, OTHER_KIND)
        self.must.raw[family.id] = int(family.must_stay_together)
        self.dorm.raw[family.id] = int(family.needs_couple_dormitory)

    def remove(self, family_id: int) -> bool:
        if self.profiles.pop(family_id, None) is None:
            return False
        self.present.raw[family_id] = 0
        return True

    def get(self, family_id: int | None) -> FamilyProfile | None:
        return None if family_id is None else self.profiles.get(family_id)

    def lookup(
        self, family_ids: npt.NDArray[Any]
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
        """(present, kind code, must, dorm) for an array of family ids (-1 = none)."""
        size = self.present.size
        if size == 0:  # seekers may name a family before (or after) it is stored
            none = np.zeros(len(family_ids), dtype=np.uint8)
            return np.zeros(len(family_ids), dtype=bool), none, none, none
        inside = (family_ids >= 0) & (family_ids < size)
        safe = np.where(inside, family_ids, 0)
        present = inside & (self.present.raw[safe] == 1)
        return present, self.kind.raw[safe], self.must.raw[safe], self.dorm.raw[safe]

    @property
    def nbytes(self) -> int:
        return sum(c.nbytes for c in (self.present, self.kind, self.must, self.dorm))


class VacancyStore:
    def __init__(self, vocab: Vocabulary, on_new_cert_bit: Callable[[str, int], None]) -> None:
        self.vocab = vocab
        self.columns = Columns(VACANCY_DTYPES)
        self.rows: dict[int, int] = {}
        self.profiles: dict[int, VacancyProfile] = {}
        self.free_rows: list[int] = []
        # occupation kid -> {(district bit, caring post): vacancy rows}; by district and caring so a
        # seeker's query can visit the districts they prefer first and skip caring posts if not eligible
        self.postings: dict[int, dict[tuple[int, int], Grow]] = {}
        # kid -> (vacancy rows, required level) for the vacancies' other required skills
        self.required: dict[int, tuple[Grow, Grow]] = {}
        self.employers = EmployerTable()
        self.families = FamilyTable()
        self.overflow_certs: dict[int, frozenset[str]] = {}
        self._on_new_cert_bit = on_new_cert_bit

    def col(self, name: str) -> npt.NDArray[Any]:
        return self.columns.raw(name)

    def upsert(self, vacancy: VacancyProfile) -> None:
        vocab = self.vocab
        row = self.rows.get(vacancy.id)
        if row is not None:
            self._detach(row)
        elif self.free_rows:
            row = self.free_rows.pop()
        need = requirements(vacancy, vocab.taxonomy)
        cmask, overflow = self._cert_mask(vacancy)
        kid = vocab.kid(need.main.key)
        employer_row = self.employers.row(vacancy.employer_id)
        values: dict[str, Any] = {
            "id": vacancy.id,
            "employer": employer_row,
            "kid": kid,
            "rq": need.level * YEARS_SPAN + min(need.years, YEARS_CAP),
            "n_req": len(need.others),
            "district": vocab.region(vacancy.district_code),
            "dbit": vocab.district_bit(vacancy.district_code),
            "pay_min": vacancy.pay_min,
            "pay_max": vacancy.pay_max,
            "start": 0 if vacancy.start_date is None else vacancy.start_date.toordinal(),
            "caring": int(vacancy.caring_post),
            "takes": int(vacancy.takes_applicants),
            "places": vacancy.open_places,
            "cmask": cmask,
            "overflow": int(overflow),
            **{kind: vacancy.post_slots((kind,)) for kind in POST_KINDS},
        }
        if row is None:
            row = self.columns.add_row()
        for name, value in values.items():
            self.columns.raw(name)[row] = value
        self.rows[vacancy.id] = row
        self.profiles[vacancy.id] = vacancy
        if overflow:
            self.overflow_certs[row] = vacancy.certificates
        if kid:
            bucket = (values["dbit"], values["caring"])
            self.postings.setdefault(kid, {}).setdefault(bucket, Grow(np.int32)).extend([row])
        for skill, level in need.others:
            rows, levels = self.required.setdefault(vocab.kid(skill.key), (Grow(np.int32), Grow(np.uint8)))
            rows.extend([row])
            levels.extend([level])
        if vacancy.takes_applicants:
            self._add_slots(row, +1)

    def _cert_mask(self, vacancy: VacancyProfile) -> tuple[int, bool]:
        """The bits of the certificates the vacancy requires, and whether some had no bit left."""
        cmask = 0
        overflow = False
        for name in vacancy.certificates:
            key, bit, new = self.vocab.require_cert(name)
            if bit is None:
                overflow = True
                continue
            if new:
                self._on_new_cert_bit(key, bit)
            cmask |= 1 << bit
        return cmask, overflow

    def upsert_many(self, vacancies: Sequence[VacancyProfile]) -> None:
        """``upsert`` for each, in order; new vacancies (all of them in a build) are appended in bulk."""
        new: list[VacancyProfile] = []
        seen: set[int] = set()
        for vacancy in vacancies:
            if vacancy.id in self.rows or vacancy.id in seen or self.free_rows:
                self._append(new)
                new, seen = [], set()
                self.upsert(vacancy)
            else:
                new.append(vacancy)
                seen.add(vacancy.id)
        self._append(new)

    def _append(self, vacancies: Sequence[VacancyProfile]) -> None:
        """New rows for vacancies not stored, exactly as one ``upsert`` each would leave them, but with
        the columns, postings and employer totals written once per batch instead of once per vacancy."""
        if not vacancies:
            return
        vocab = self.vocab
        first = self.columns.size
        rows: list[tuple[int, ...]] = []
        masks: list[int] = []
        # Postings and required-skill lists are created in the order one upsert at a time would create
        # them (scans number the buckets in that order); their rows are added at the end.
        posted: dict[int, tuple[Grow, list[int]]] = {}
        required: dict[int, tuple[Grow, Grow, list[int], list[int]]] = {}
        overflowing: dict[int, frozenset[str]] = {}
        for row, vacancy in enumerate(vacancies, first):
            need = requirements(vacancy, vocab.taxonomy)
            cmask, overflow = self._cert_mask(vacancy)
            kid = vocab.kid(need.main.key)
            dbit = vocab.district_bit(vacancy.district_code)
            caring = int(vacancy.caring_post)
            rows.append((
                vacancy.id, self.employers.row(vacancy.employer_id), kid,
                need.level * YEARS_SPAN + min(need.years, YEARS_CAP), len(need.others),
                vocab.region(vacancy.district_code), dbit, vacancy.pay_min, vacancy.pay_max,
                0 if vacancy.start_date is None else vacancy.start_date.toordinal(), caring,
                int(vacancy.takes_applicants), vacancy.open_places, int(overflow),
                *(vacancy.post_slots((kind,)) for kind in POST_KINDS),
            ))  # fmt: skip
            masks.append(cmask)
            if overflow:
                overflowing[row] = vacancy.certificates
            if kid:
                grow = self.postings.setdefault(kid, {}).setdefault((dbit, caring), Grow(np.int32))
                posted.setdefault(id(grow), (grow, []))[1].append(row)
            for skill, level in need.others:
                lists = self.required.setdefault(vocab.kid(skill.key), (Grow(np.int32), Grow(np.uint8)))
                entry = required.setdefault(id(lists[0]), (*lists, [], []))
                entry[2].append(row)
                entry[3].append(level)
        table = np.array(rows, dtype=np.int64).reshape(len(rows), len(_APPENDED))
        values = {name: table[:, i] for i, name in enumerate(_APPENDED)}
        values["cmask"] = np.array(masks, dtype=np.uint64)
        self.columns.append({name: values[name].astype(dtype) for name, dtype in VACANCY_DTYPES.items()})
        for row, vacancy in enumerate(vacancies, first):
            self.rows[vacancy.id] = row
            self.profiles[vacancy.id] = vacancy
        self.overflow_certs.update(overflowing)
        for grow, added in posted.values():
            grow.extend(added)
        for row_list, level_list, added, levels in required.values():
            row_list.extend(added)
            level_list.extend(levels)
        takes = values["takes"] == 1
        for kind in POST_KINDS:
            np.add.at(self.employers.slots[kind].raw, values["employer"][takes], values[kind][takes])

    def remove(self, vacancy_id: int) -> bool:
        row = self.rows.pop(vacancy_id, None)
        if row is None:
            return False
        self._detach(row)
        del self.profiles[vacancy_id]
        self.columns.raw("takes")[row] = 0
        self.columns.raw("id")[row] = -1
        self.free_rows.append(row)
        return True

    def _detach(self, row: int) -> None:
        """Undo a row's contributions to postings and employer totals before it changes."""
        c = self.columns
        if c.raw("takes")[row]:
            self._add_slots(row, -1)
        old = self.profiles[int(c.raw("id")[row])]
        kid = int(c.raw("kid")[row])
        if kid:
            bucket = (int(c.raw("dbit")[row]), int(c.raw("caring")[row]))
            _drop(self.postings[kid][bucket], row)
        for skill, _ in requirements(old, self.vocab.taxonomy).others:
            rows, levels = self.required[self.vocab.kid(skill.key)]
            _drop(rows, row, levels)
        self.overflow_certs.pop(row, None)

    def _add_slots(self, row: int, sign: int) -> None:
        employer = int(self.columns.raw("employer")[row])
        for kind in POST_KINDS:
            self.employers.slots[kind].raw[employer] += sign * int(self.columns.raw(kind)[row])

    def upsert_employer(self, employer: EmployerProfile) -> None:
        self.employers.upsert(employer)

    @property
    def nbytes(self) -> int:
        postings = sum(g.nbytes for buckets in self.postings.values() for g in buckets.values())
        required = sum(a.nbytes + b.nbytes for a, b in self.required.values())
        return self.columns.nbytes + postings + required + self.employers.nbytes + self.families.nbytes


def _drop(rows: Grow, row: int, levels: Grow | None = None) -> None:
    """Remove one occurrence of ``row`` by moving the last entry into its place (order is irrelevant)."""
    at = np.flatnonzero(rows.view == row)
    if not len(at):
        return
    position, last = int(at[0]), rows.size - 1
    rows.raw[position] = rows.raw[last]
    rows.size = last
    if levels is not None:
        levels.raw[position] = levels.raw[last]
        levels.size = last
