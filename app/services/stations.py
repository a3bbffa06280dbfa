"""Labour stations and their responsible persons."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.errors import Conflict, NotFound
from app.models.station import (
    ResponsiblePerson,
    ResponsiblePersonCreate,
    ResponsiblePersonPublic,
    Station,
    StationCreate,
    StationPublic,
    StationUpdate,
)
from app.services.rules import require_region


def create_station(session: Session, data: StationCreate) -> Station:
    require_region(session, data.region_code, "region_code", role="origin")
    if session.exec(select(Station).where(Station.code == data.code)).first() is not None:
        raise Conflict(f"工作站编码 {data.code} 已存在", f"Station code {data.code} already exists",
                       field="code", rule="unique")
    station = Station(**data.model_dump(exclude={"responsible_persons"}))
    session.add(station)
    session.flush()
    for person in data.responsible_persons:
        add_responsible_person(session, station, person)
    return station


def update_station(session: Session, station: Station, data: StationUpdate) -> Station:
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(station, field, value)
    session.add(station)
    session.flush()
    return station


def get_station(session: Session, station_id: int) -> Station:
    station = session.get(Station, station_id)
    if station is None:
        raise NotFound(f"未找到工作站 {station_id}", f"Station {station_id} not found")
    return station


def list_stations(session: Session, region_code: str | None) -> Sequence[Station]:
    query = select(Station)
    if region_code:
        query = query.where(Station.region_code == region_code)
    return session.exec(query.order_by(col(Station.id))).all()


def add_responsible_person(session: Session, station: Station, data: ResponsiblePersonCreate) -> ResponsiblePerson:
    assert station.id is not None
    person = ResponsiblePerson(station_id=station.id, name=data.name, phone=data.phone)
    session.add(person)
    session.flush()
    return person


def station_public(session: Session, station: Station) -> StationPublic:
    people = session.exec(
        select(ResponsiblePerson).where(ResponsiblePerson.station_id == station.id).order_by(col(ResponsiblePerson.id))
    ).all()
    public = StationPublic.model_validate(station)
    public.responsible_persons = [ResponsiblePersonPublic.model_validate(p) for p in people]
    return public
