"""Regions and pairings: reference data the bureau extends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from app.errors import Conflict, NotFound, ValidationFailed
from app.models.region import Pairing, PairingCreate, PairingUpdate, Region, RegionCreate
from app.services.rules import require_region


def create_region(session: Session, data: RegionCreate) -> Region:
    if session.get(Region, data.code) is not None:
        raise Conflict(f"行政区划代码 {data.code} 已存在", f"Region {data.code} already exists", field="code",
                       rule="unique")
    if data.parent_code is not None:
        require_region(session, data.parent_code, "parent_code")
    region = Region(**data.model_dump())
    session.add(region)
    session.flush()
    return region


def list_regions(session: Session, role: str | None, parent_code: str | None, level: str | None) -> Sequence[Region]:
    query = select(Region)
    if role:
        query = query.where(Region.role == role)
    if parent_code:
        query = query.where(Region.parent_code == parent_code)
    if level:
        query = query.where(Region.level == level)
    return session.exec(query.order_by(col(Region.code))).all()


def get_region(session: Session, code: str) -> Region:
    region = session.get(Region, code)
    if region is None:
        raise NotFound(f"未找到行政区划 {code}", f"Region {code} not found")
    return region


def create_pairing(session: Session, data: PairingCreate) -> Pairing:
    require_region(session, data.district_code, "district_code", role="workplace")
    require_region(session, data.origin_code, "origin_code")
    origin = session.get(Region, data.origin_code)
    assert origin is not None
    if origin.role != "origin" and origin.level != "prefecture":
        raise ValidationFailed(
            f"origin_code：{origin.name} 不是劳务输出地", f"origin_code: {origin.name} is not an origin region",
            field="origin_code", rule="region_not_origin",
        )
    _check_period(data.valid_from, data.valid_to)
    pairing = Pairing(**data.model_dump())
    session.add(pairing)
    session.flush()
    return pairing


def update_pairing(session: Session, pairing_id: int, data: PairingUpdate) -> Pairing:
    pairing = session.get(Pairing, pairing_id)
    if pairing is None:
        raise NotFound(f"未找到结对关系 {pairing_id}", f"Pairing {pairing_id} not found")
    _check_period(pairing.valid_from, data.valid_to)
    pairing.valid_to = data.valid_to
    session.add(pairing)
    session.flush()
    return pairing


def list_pairings(session: Session, district_code: str | None, origin_code: str | None,
                  on: date | None) -> Sequence[Pairing]:
    query = select(Pairing)
    if district_code:
        query = query.where(Pairing.district_code == district_code)
    if origin_code:
        query = query.where(Pairing.origin_code == origin_code)
    if on:
        query = query.where(col(Pairing.valid_from) <= on).where(
            (col(Pairing.valid_to).is_(None)) | (col(Pairing.valid_to) >= on)
        )
    return session.exec(query.order_by(col(Pairing.id))).all()


def _check_period(valid_from: date, valid_to: date | None) -> None:
    if valid_to is not None and valid_to < valid_from:
        raise ValidationFailed(
            "valid_to：结束日期早于开始日期", "valid_to: ends before it starts", field="valid_to", rule="period_order"
        )
