"""Families in an import: rows sharing a 家庭编号 are stored together with their family, or not at all.

Member rows are held until the end of the file (a family's rows may be anywhere in it). Then each
family is checked with the rules of app/services/families.py (`check_composition` on the rows' sex and
birth date, `FamilyCreate` for the size), and the good ones are stored: their members in bulk, then each
family through `create_family`, all in one savepoint. Should anything fail there (someone registered a
member meanwhile), that savepoint is rolled back and the families are stored one by one instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sqlmodel import Session

from app.errors import AppError
from app.models.family import FamilyCreate
from app.services.families import check_composition, create_family

Problem = tuple[str, str, str]  # rule, Chinese, English


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    id: int | None = None


@dataclass
class Family:
    kinds: set[str] = field(default_factory=set)
    rows: list[Row] = field(default_factory=list)
    bad: list[int] = field(default_factory=list)
    all_rows: list[int] = field(default_factory=list)
    dormitory: bool = False
    together: bool = True

    def note(self, cells: dict[str, Any]) -> None:
        """What a member row says about its family: kind, couple dormitory, staying together."""
        if "family_kind" in cells:
            self.kinds.add(cells["family_kind"])
        self.dormitory = self.dormitory or bool(cells.get("family_dormitory"))
        if cells.get("family_together") is False:
            self.together = False

    def create_data(self) -> FamilyCreate:
        return FamilyCreate(kind=next(iter(self.kinds)), member_ids=[r.id for r in self.rows if r.id is not None],
                            needs_couple_dormitory=self.dormitory, must_stay_together=self.together)


class Importer(Protocol):
    session: Session

    def insert(self, rows: list[Row]) -> list[Row]: ...
    def family_error(self, key: str, family: Family, problem: Problem) -> None: ...
    def mark(self) -> Any: ...
    def rewind(self, mark: Any, *, keep_errors: bool = False) -> None: ...


def problem_of(family: Family) -> Problem | None:
    if family.bad:
        rows = "、".join(str(n) for n in sorted(family.bad))
        return ("family_member_invalid", f"第 {rows} 行有错误，整个家庭未导入",
                f"row(s) {rows} have errors; the family is not imported")
    if len(family.kinds) != 1:
        if family.kinds:
            return ("family_kind_conflict", "成员填写的亲情岗位不一致", "members give different family kinds")
        return ("family_kind_missing", "请填写亲情岗位（夫妻/父子/兄弟/其他）", "the family kind is missing")
    if not 2 <= len(family.rows) <= 4:
        return ("family_size", f"家庭应有2至4人，实际 {len(family.rows)} 人",
                f"a family has 2 to 4 members, got {len(family.rows)}")
    members = [_Member(r.values["sex"], r.values["birth_date"]) for r in family.rows]
    try:
        check_composition(next(iter(family.kinds)), members, family.dormitory)
    except AppError as exc:
        return (exc.rule or exc.code, exc.detail_zh.removeprefix("member_ids："), exc.detail_en)
    return None


def store(importer: Importer, station_id: int, families: list[tuple[str, Family]], chunk: int) -> int:
    """Store good families; returns how many were created."""
    if not families:
        return 0
    mark = importer.mark()
    savepoint = importer.session.begin_nested()
    try:
        members = [row for _, family in families for row in family.rows]
        for start in range(0, len(members), chunk):
            importer.insert(members[start:start + chunk])
        if any(row.id is None for row in members):
            raise _Fallback
        for _, family in families:
            create_family(importer.session, station_id, family.create_data())
        savepoint.commit()
        return len(families)
    except (_Fallback, AppError):
        savepoint.rollback()
        importer.rewind(mark)
        for row in members:
            row.id = None
    created = 0
    for key, family in families:
        problem = _store_one(importer, station_id, family)
        if problem is None:
            created += 1
        else:
            importer.family_error(key, family, problem)
    return created


def _store_one(importer: Importer, station_id: int, family: Family) -> Problem | None:
    mark = importer.mark()
    savepoint = importer.session.begin_nested()
    stored = importer.insert(family.rows)
    if len(stored) != len(family.rows):
        savepoint.rollback()
        importer.rewind(mark, keep_errors=True)
        return ("family_member_invalid", "有成员已登记，整个家庭未导入", "a member is already registered")
    try:
        create_family(importer.session, station_id, family.create_data())
    except AppError as exc:
        savepoint.rollback()
        importer.rewind(mark, keep_errors=True)
        return (exc.rule or exc.code, exc.detail_zh, exc.detail_en)
    savepoint.commit()
    return None


class _Fallback(Exception):
    pass


@dataclass(frozen=True, slots=True)
class _Member:
    sex: str
    birth_date: date
