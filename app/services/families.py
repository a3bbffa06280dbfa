"""Families (亲情岗位 groups): who may form one, and keeping members consistent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from sqlmodel import Session, col, select

from app.clock import utcnow
from app.errors import NotFound, ValidationFailed
from app.models.family import Family, FamilyCreate, FamilyPublic, FamilyUpdate
from app.models.seeker import Seeker
from app.validation.identity import age_on

MIN_FATHER_SON_GAP_YEARS = 15


def create_family(session: Session, station_id: int, data: FamilyCreate) -> Family:
    members = _load_members(session, station_id, data.member_ids, family_id=None)
    check_composition(data.kind, members, data.needs_couple_dormitory)
    family = Family(
        station_id=station_id, kind=data.kind, must_stay_together=data.must_stay_together,
        needs_couple_dormitory=data.needs_couple_dormitory,
    )
    session.add(family)
    session.flush()
    _set_members(session, family, members, [])
    return family


def update_family(session: Session, family: Family, data: FamilyUpdate) -> Family:
    current = family_members(session, family)
    members = current
    if data.member_ids is not None:
        members = _load_members(session, family.station_id, data.member_ids, family_id=family.id)
    needs_dorm = family.needs_couple_dormitory if data.needs_couple_dormitory is None else data.needs_couple_dormitory
    check_composition(family.kind, members, needs_dorm)
    if data.must_stay_together is not None:
        family.must_stay_together = data.must_stay_together
    family.needs_couple_dormitory = needs_dorm
    session.add(family)
    _set_members(session, family, members, current)
    return family


def dissolve_family(session: Session, family: Family) -> None:
    _set_members(session, family, [], family_members(session, family))
    session.delete(family)
    session.flush()


def family_members(session: Session, family: Family) -> list[Seeker]:
    return list(session.exec(select(Seeker).where(Seeker.family_id == family.id).order_by(col(Seeker.id))).all())


def family_public(session: Session, family: Family) -> FamilyPublic:
    ids = [m.id for m in family_members(session, family)]
    return FamilyPublic.model_validate({**family.model_dump(), "member_ids": ids})


def get_family(session: Session, family_id: int) -> Family:
    family = session.get(Family, family_id)
    if family is None:
        raise NotFound(f"未找到家庭 {family_id}", f"Family {family_id} not found")
    return family


def list_families(session: Session, station_id: int | None, kind: str | None) -> Sequence[Family]:
    query = select(Family)
    if station_id is not None:
        query = query.where(Family.station_id == station_id)
    if kind:
        query = query.where(Family.kind == kind)
    return session.exec(query.order_by(col(Family.id))).all()


def _load_members(session: Session, station_id: int, ids: list[int], family_id: int | None) -> list[Seeker]:
    if len(set(ids)) != len(ids):
        raise ValidationFailed("member_ids：成员重复", "member_ids: a member is listed twice", field="member_ids",
                               rule="duplicate_member")
    found = {s.id: s for s in session.exec(select(Seeker).where(col(Seeker.id).in_(ids))).all()}
    members = []
    for seeker_id in ids:
        seeker = found.get(seeker_id)
        # Another station's seeker is reported exactly like a missing one.
        if seeker is None or seeker.station_id != station_id:
            raise ValidationFailed(f"member_ids：未找到求职者 {seeker_id}", f"member_ids: seeker {seeker_id} not found",
                                   field="member_ids", rule="member_not_found")
        if seeker.family_id is not None and seeker.family_id != family_id:
            raise ValidationFailed(
                f"member_ids：求职者 {seeker_id} 已属于另一个家庭",
                f"member_ids: seeker {seeker_id} is in another family",
                field="member_ids", rule="member_in_other_family",
            )
        members.append(seeker)
    return members


class Member(Protocol):
    @property
    def sex(self) -> str: ...
    @property
    def birth_date(self) -> date: ...


def check_composition(kind: str, members: Sequence[Member], needs_dormitory: bool) -> None:
    """Who may form a family of `kind`. Only `sex` and `birth_date` of the members are read, so the bulk
    import checks rows it has not stored yet with the same rules."""
    def reject(rule: str, zh: str, en: str) -> ValidationFailed:
        return ValidationFailed(f"member_ids：{zh}", f"member_ids: {en}", field="member_ids", rule=rule)

    if kind in ("couple", "father_son") and len(members) != 2:
        raise reject("family_size", "夫妻、父子须恰好两人", "a couple or a father and son is exactly two people")
    if kind == "couple" and members[0].sex == members[1].sex:
        raise reject("couple_sex", "夫妻双方性别应不同", "a couple's members differ in sex")
    if kind == "father_son":
        if any(m.sex != "male" for m in members):
            raise reject("father_son_sex", "父子岗成员须均为男性", "a father and son are both male")
        older, younger = sorted(m.birth_date for m in members)
        if age_on(older, younger) < MIN_FATHER_SON_GAP_YEARS:
            raise reject("father_son_age_gap", "父子年龄相差应不少于15岁", "a father is at least 15 years older")
    if kind == "brothers" and any(m.sex != "male" for m in members):
        raise reject("brothers_sex", "兄弟岗成员须均为男性", "brothers are all male")
    if needs_dormitory and kind != "couple":
        raise ValidationFailed(
            "needs_couple_dormitory：只有夫妻才需要夫妻宿舍", "needs_couple_dormitory: only a couple needs one",
            field="needs_couple_dormitory", rule="dormitory_couple_only",
        )


def _set_members(session: Session, family: Family, members: list[Seeker], current: list[Seeker]) -> None:
    keep = {m.id for m in members}
    for seeker in current:
        if seeker.id not in keep:
            seeker.family_id = None
            seeker.updated_at = utcnow()
            session.add(seeker)
    for seeker in members:
        if seeker.family_id != family.id:
            seeker.family_id = family.id
            seeker.updated_at = utcnow()
            session.add(seeker)
    session.flush()
