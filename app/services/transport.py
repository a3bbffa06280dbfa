"""Charter batches: a station's hired workers grouped by start-date window and destination district into
vehicles of the mode's capacity; families always travel together. Arrival marks every passenger arrived."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.auth import Caller
from app.clock import today_shanghai, utcnow
from app.errors import Conflict, ValidationFailed
from app.models.application import Application, ApplicationGroup, TransitionRequest
from app.models.employer import Employer
from app.models.region import Region
from app.models.seeker import Seeker
from app.models.station import Station
from app.models.transport import BatchPlanRequest, BatchPublic, PassengerPublic, TransportBatch, TransportPassenger
from app.models.vacancy import Vacancy
from app.services.locks import lock_row
from app.services.workflow import transition
from app.settings import get_settings

NEXT_STATUS = {"planned": "departed", "departed": "arrived"}


def capacity_of(mode: str) -> int:
    settings = get_settings()
    return {"bus": settings.charter_capacity_bus, "train": settings.charter_capacity_train,
            "flight": settings.charter_capacity_flight}[mode]


@dataclass
class Unit:
    """Who must sit in the same vehicle: one worker, or a whole family."""

    applications: list[Application]
    district_code: str
    start: date
    family_id: int | None = None

    @property
    def size(self) -> int:
        return len(self.applications)


@dataclass
class Load:
    units: list[Unit] = field(default_factory=list)

    @property
    def seats(self) -> int:
        return sum(u.size for u in self.units)


def pack(units: list[Unit], capacity: int, window_days: int) -> tuple[list[list[Unit]], list[Unit]]:
    """Batches of units by district and start-date window, first-fit decreasing within each window.
    A unit never splits; one larger than a vehicle is returned as unplaced."""
    batches: list[list[Unit]] = []
    too_big = [u for u in units if u.size > capacity]
    by_district: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        if unit.size <= capacity:
            by_district[unit.district_code].append(unit)
    for district in sorted(by_district):
        pending = sorted(by_district[district], key=lambda u: (u.start, u.applications[0].id or 0))
        while pending:
            window_end = pending[0].start + timedelta(days=window_days - 1)
            window = [u for u in pending if u.start <= window_end]
            pending = [u for u in pending if u.start > window_end]
            loads: list[Load] = []
            for unit in sorted(window, key=lambda u: -u.size):
                target = next((load for load in loads if load.seats + unit.size <= capacity), None)
                if target is None:
                    target = Load()
                    loads.append(target)
                target.units.append(unit)
            batches.extend(load.units for load in loads)
    return batches, too_big


def plan_batches(session: Session, station_id: int, data: BatchPlanRequest, *,
                 today: date | None = None) -> tuple[list[TransportBatch], list[dict[str, object]]]:
    day = today or today_shanghai()
    _lock_station(session, station_id)
    units = _units(session, station_id, data)
    capacity = capacity_of(data.mode)
    planned, too_big = pack(units, capacity, data.window_days)
    batches = []
    for units_in_batch in planned:
        starts = [u.start for u in units_in_batch]
        batch = TransportBatch(
            station_id=station_id, mode=data.mode, district_code=units_in_batch[0].district_code,
            window_start=min(starts), window_end=max(starts), depart_on=max(day, min(starts) - timedelta(days=1)),
            capacity=capacity,
        )
        session.add(batch)
        session.flush()
        for unit in units_in_batch:
            for application in unit.applications:
                session.add(TransportPassenger(batch_id=batch.id, application_id=application.id,  # type: ignore[arg-type]
                                               seeker_id=application.seeker_id, family_id=unit.family_id))
        batches.append(batch)
    session.flush()
    unplaced: list[dict[str, object]] = [
        {"application_ids": [a.id for a in u.applications], "family_id": u.family_id, "size": u.size,
         "reason": f"family larger than one vehicle ({capacity} seats)"} for u in too_big]
    return batches, unplaced


def _lock_station(session: Session, station_id: int) -> None:
    """Plans of one station run one after another: each must see who the previous one seated, or two plans
    at once would seat the same workers twice. The station's row lock, taken before the reads, is that."""
    lock_row(session, Station, station_id)


def _units(session: Session, station_id: int, data: BatchPlanRequest) -> list[Unit]:
    seated = select(TransportPassenger.application_id).join(
        TransportBatch, col(TransportBatch.id) == TransportPassenger.batch_id
    ).where(col(TransportBatch.status).in_(["planned", "departed"]))
    query = (select(Application, Vacancy.district_code).join(Vacancy, col(Vacancy.id) == Application.vacancy_id)
             .where(Application.station_id == station_id, Application.status == "hired",
                    col(Application.id).not_in(seated)))
    if data.start_from:
        query = query.where(col(Application.start_date) >= data.start_from)
    if data.start_to:
        query = query.where(col(Application.start_date) <= data.start_to)
    rows = session.exec(query.order_by(col(Application.id))).all()
    families: dict[int, list[tuple[Application, str]]] = defaultdict(list)
    units: list[Unit] = []
    for application, district in rows:
        if application.group_id is not None:
            families[application.group_id].append((application, district))
        else:
            units.append(Unit([application], district, application.start_date or date.max))
    for group_id, members in families.items():
        group = session.get(ApplicationGroup, group_id)
        apps = [a for a, _ in members]
        units.append(Unit(apps, members[0][1], min(a.start_date or date.max for a in apps),
                          group.family_id if group else None))
    return units


def advance(session: Session, caller: Caller, batch: TransportBatch, target: str,
            arrived_on: date | None = None) -> TransportBatch:
    if NEXT_STATUS.get(batch.status) != target:
        allowed = [NEXT_STATUS[batch.status]] if batch.status in NEXT_STATUS else []
        raise Conflict(f"车次不能从 {batch.status} 改为 {target}", f"Cannot go from {batch.status} to {target}",
                       field="status", rule="transition", extra={"allowed": allowed})
    now = utcnow()
    if target == "departed":
        batch.departed_at = now
    else:
        day = arrived_on or today_shanghai()
        if day > today_shanghai():
            raise ValidationFailed("arrived_on：到达日期不能晚于今天", "arrived_on: must not be in the future",
                                   field="arrived_on", rule="future_date")
        batch.arrived_at, batch.arrived_on = now, day
        _arrive_passengers(session, caller, batch, day)
    batch.status = target
    session.add(batch)
    session.flush()
    return batch


def _arrive_passengers(session: Session, caller: Caller, batch: TransportBatch, day: date) -> None:
    done: set[int] = set()
    for passenger in passengers(session, batch):
        application = session.get(Application, passenger.application_id)
        # Someone who withdrew after the plan stays on the manifest but does not arrive.
        if application is None or application.id in done or application.status != "hired":
            continue
        moved = transition(session, caller, application, TransitionRequest(to="arrived", arrived_on=day),
                           trusted=True)
        done.update(a.id for a in moved if a.id is not None)


def passengers(session: Session, batch: TransportBatch) -> list[TransportPassenger]:
    return list(session.exec(select(TransportPassenger).where(TransportPassenger.batch_id == batch.id)
                             .order_by(col(TransportPassenger.id))).all())


def batches_query(station_id: int | None, status: str | None, mode: str | None) -> SelectOfScalar[TransportBatch]:
    query = select(TransportBatch)
    if station_id is not None:
        query = query.where(TransportBatch.station_id == station_id)
    if status:
        query = query.where(TransportBatch.status == status)
    if mode:
        query = query.where(TransportBatch.mode == mode)
    return query


def batch_public(session: Session, batch: TransportBatch) -> BatchPublic:
    rows = []
    for p in passengers(session, batch):
        seeker = session.get(Seeker, p.seeker_id)
        application = session.get(Application, p.application_id)
        assert seeker is not None and application is not None
        vacancy = session.get(Vacancy, application.vacancy_id)
        employer = session.get(Employer, application.employer_id)
        rows.append(PassengerPublic(
            seeker_id=seeker.id, name=seeker.name, id_number=seeker.id_masked,  # type: ignore[arg-type]
            phone=seeker.phone_masked, sex=seeker.sex, family_id=p.family_id, application_id=p.application_id,
            application_status=application.status, employer_name=employer.name if employer else "",
            vacancy_title=vacancy.title if vacancy else "", start_date=application.start_date,
        ))
    district = session.get(Region, batch.district_code)
    return BatchPublic.model_validate({
        **batch.model_dump(), "district_name": district.name if district else None,
        "seats_taken": len(rows), "passengers": rows,
    })
