"""Loading demo data: stations, employers and keys through the services, populations in bulk.

The few reference rows (14 stations, ~20 employers, their API keys) go through the same services the
API uses, so they are checked like any registration. Vacancies, seekers and families go in with
SQLAlchemy Core in chunks, one transaction per chunk, which is what makes a million seekers feasible.
Generating seekers and encrypting their ID and phone numbers cost as much CPU as writing them, so large
loads hand whole blocks (build, encrypt, write) to worker processes, one block per transaction.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text
from sqlmodel import Session

from app.clock import SHANGHAI, today_shanghai, utcnow
from app.db import make_engine, metadata
from app.demo.population import (
    block_starts,
    demo_rng,
    generate_employers,
    generate_stations,
    generate_vacancies,
    seeker_block,
)
from app.models.employer import Employer, EmployerCreate
from app.models.station import ResponsiblePersonCreate, StationCreate
from app.pii import Vault
from app.services.access import issue_key
from app.services.employers import create_employer
from app.services.stations import create_station
from app.validation.identity import mask_resident_id
from app.validation.mobile import mask_mobile

logger = logging.getLogger(__name__)

Row = dict[str, Any]

CHUNK = 5_000
# Below this many seekers, starting worker processes costs more than it saves.
PARALLEL_FROM = 50_000

_VACANCY_COLUMNS = (
    "title", "occupation", "skills", "certificates", "headcount", "hired_count", "district_code",
    "latitude", "longitude", "pay_min", "pay_max", "shifts", "housing", "meals", "caring_post",
    "family_posts", "start_date", "valid_until", "status", "description", "created_at",
)
_SEEKER_COLUMNS = (
    "name", "birth_date", "sex", "origin_code", "registered_poor", "poverty_evidence_ref",
    "poverty_verified_on", "skills", "certificates", "preferred_districts", "expected_pay",
    "available_from", "status", "consent_matching", "consent_push", "created_at",
)


_STATION_FIELDS = ("code", "name", "region_code", "contact_name", "contact_phone", "address")


class DemoDataExists(RuntimeError):
    pass


@dataclass
class DemoCredentials:
    admin: str
    stations: dict[str, str]  # station code -> key
    employers: dict[str, str]  # employer name -> key

    def to_json(self) -> dict[str, Any]:
        return {"admin": self.admin, "stations": dict(self.stations), "employers": dict(self.employers)}


def has_demo_data(engine: Engine) -> bool:
    station = metadata.tables["station"]
    with engine.connect() as conn:
        return conn.execute(select(station.c.id).limit(1)).first() is not None


def load_demo(engine: Engine, vault: Vault, *, seekers: int = 2000, vacancies: int = 200, employers: int = 20,
              seed: int = 2018, today: date | None = None) -> DemoCredentials:
    """Stations, employers, keys, vacancies, seekers and families into a migrated, demo-free database."""
    if has_demo_data(engine):
        raise DemoDataExists("the database already has stations; use add_population to grow it")
    day = today or today_shanghai()
    stations = generate_stations(demo_rng(seed, "stations"))
    firms = generate_employers(demo_rng(seed, "employers"), employers)
    # Stations and employers predate the year of seekers spread behind `today`, as in a running programme.
    since = datetime.combine(day - timedelta(days=400), time(9), tzinfo=SHANGHAI).astimezone(UTC)
    with Session(engine, expire_on_commit=False) as session:
        station_ids, station_keys = _create_stations(session, stations, since)
        employer_ids, employer_keys = _create_employers(session, firms, since)
        admin = issue_key(session, "admin", label="demo admin").key
        session.commit()
    _insert_vacancies(engine, firms, employer_ids, vacancies, seed, day)
    _insert_seekers(engine, vault, stations, station_ids, seekers, seed, day, start_index=0)
    _analyze(engine)
    return DemoCredentials(admin, station_keys, employer_keys)


def _analyze(engine: Engine) -> None:
    """After a bulk load the planner's statistics describe empty tables until autovacuum gets to them
    (or never, where it is off): refresh them now, as PostgreSQL's guide to populating a database says."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


def add_population(engine: Engine, vault: Vault, *, seekers: int, vacancies: int, seed: int,
                   today: date | None = None) -> None:
    """More seekers and vacancies for the stations and employers already there (for benchmarks)."""
    day = today or today_shanghai()
    station, employer, seeker = (metadata.tables[n] for n in ("station", "employer", "seeker"))
    with engine.connect() as conn:
        stations = [dict(r._mapping) for r in conn.execute(select(station).order_by(station.c.id))]
        firms = [dict(r._mapping) for r in conn.execute(select(employer).order_by(employer.c.id))]
        # Seeker ids grow with every insert, so no earlier generated seeker had an index this high.
        start = conn.execute(select(func.max(seeker.c.id))).scalar() or 0
    if (seekers and not stations) or (vacancies and not firms):
        raise ValueError("add_population needs the stations and employers of a loaded demo")
    _insert_vacancies(engine, firms, [f["id"] for f in firms], vacancies, seed, day)
    _insert_seekers(engine, vault, stations, {s["code"]: s["id"] for s in stations}, seekers, seed, day,
                    start_index=start)
    _analyze(engine)


def _create_stations(session: Session, stations: Sequence[Row],
                     since: datetime) -> tuple[dict[str, int], dict[str, str]]:
    ids, keys = {}, {}
    for row in stations:
        people = [ResponsiblePersonCreate(**p) for p in row["responsible_persons"]]
        fields = {k: v for k, v in row.items() if k in _STATION_FIELDS}
        station = create_station(session, StationCreate(**fields, responsible_persons=people))
        assert station.id is not None
        station.created_at = since
        ids[station.code] = station.id
        keys[station.code] = issue_key(session, "station", station_id=station.id,
                                       label=f"demo {station.code}").key
    return ids, keys


def _create_employers(session: Session, firms: Sequence[Row],
                      since: datetime) -> tuple[list[int], dict[str, str]]:
    ids, keys = [], {}
    for row in firms:
        fields = {k: v for k, v in row.items() if k in EmployerCreate.model_fields}
        employer: Employer = create_employer(session, EmployerCreate(**fields))
        assert employer.id is not None
        employer.created_at = since
        ids.append(employer.id)
        keys[employer.name] = issue_key(session, "employer", employer_id=employer.id,
                                        label="demo employer").key
    return ids, keys


def _chunks(rows: Iterator[Row] | Sequence[Row], size: int = CHUNK) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert_vacancies(engine: Engine, firms: Sequence[Row], employer_ids: Sequence[int], n: int, seed: int,
                      today: date) -> None:
    if n <= 0:
        return
    table = metadata.tables["vacancy"]
    generated = generate_vacancies(demo_rng(seed, "vacancies"), firms, n, today)
    rows = ({"employer_id": employer_ids[v["employer_index"]], **{c: v[c] for c in _VACANCY_COLUMNS}}
            for v in generated)
    for chunk in _chunks(rows):
        # Stamped when written: the matching index picks up rows whose updated_at passes its watermark.
        now = utcnow()
        with engine.begin() as conn:
            conn.execute(table.insert(), [{**row, "updated_at": now} for row in chunk])


@dataclass(frozen=True)
class _BlockWriter:
    """Builds one block of seekers and families, encrypts, and writes it in one transaction.

    Picklable, so that worker processes can each do the whole job for their blocks: on two cores,
    building and writing in every worker keeps both busy while one of them waits for the database."""

    vault: Vault
    seed: int
    stations: tuple[Row, ...]
    station_ids: dict[str, int]
    today: date

    def __call__(self, job: tuple[int, int], engine: Engine | None = None) -> int:
        seekers, families = seeker_block(self.seed, self.stations, job[0], job[1], self.today)
        target = engine or _worker_engine
        assert target is not None
        now = utcnow()  # see _insert_vacancies
        with target.begin() as conn:
            family_ids = _insert_families(conn, families, self.station_ids, now)
            rows = [self._row(s, family_ids, now) for s in seekers]
            for chunk in _chunks(rows):
                conn.execute(metadata.tables["seeker"].insert(), chunk)
        return len(rows)

    def _row(self, s: Row, family_ids: dict[int, int], now: datetime) -> Row:
        row = {c: s[c] for c in _SEEKER_COLUMNS}
        number, phone, vault = s["id_number"], s["phone"], self.vault
        row.update(
            station_id=self.station_ids[s["station_code"]],
            family_id=None if s["family_key"] is None else family_ids[s["family_key"]],
            id_number_enc=vault.encrypt(number), id_fingerprint=vault.fingerprint(number),
            id_masked=mask_resident_id(number),
            phone_enc=vault.encrypt(phone), phone_masked=mask_mobile(phone),
            consent_matching_at=s["created_at"] if s["consent_matching"] else None,
            consent_push_at=s["created_at"] if s["consent_push"] else None,
            updated_at=now,
        )
        return row


_worker_engine: Engine | None = None


def _start_worker(url: str) -> None:
    # Each worker opens its own connections; those inherited from the parent are never used.
    global _worker_engine
    _worker_engine = make_engine(url)


def _shareable(engine: Engine) -> bool:
    return engine.dialect.name != "sqlite" or engine.url.database not in (None, "", ":memory:")


def _insert_seekers(engine: Engine, vault: Vault, stations: Sequence[Row], station_ids: dict[str, int],
                    n: int, seed: int, today: date, *, start_index: int) -> None:
    if n <= 0:
        return
    places = tuple({"code": s["code"], "region_code": s["region_code"]} for s in stations)
    writer = _BlockWriter(vault, seed, places, station_ids, today)
    jobs = block_starts(n, start_index)
    if n < PARALLEL_FROM or not _shareable(engine):
        for job in jobs:
            writer(job, engine)
        return
    url = engine.url.render_as_string(hide_password=False)
    # fork on Linux: spawn would re-run the caller's __main__ in every worker, and a benchmark script
    # without a main guard would start over from the top. Forked workers leave the parent's pooled
    # connections alone and open their own (see _start_worker).
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    workers = max(1, min(8, os.cpu_count() or 1))
    context = multiprocessing.get_context(method)
    done = 0
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(url,)) as pool:
        futures = [pool.submit(writer, job) for job in jobs]
        try:
            for future in futures:
                done += future.result()
                logger.info("demo seekers: %d of %d written", done, n)
        except BaseException:
            # Without this the queued blocks would still be written after the first failure.
            pool.shutdown(cancel_futures=True)
            raise


def _insert_families(conn: Connection, families: Sequence[Row], station_ids: dict[str, int],
                     now: datetime) -> dict[int, int]:
    if not families:
        return {}
    table = metadata.tables["family"]
    rows = [{"station_id": station_ids[f["station_code"]], "kind": f["kind"],
             "must_stay_together": f["must_stay_together"],
             "needs_couple_dormitory": f["needs_couple_dormitory"], "created_at": f["created_at"],
             "updated_at": now}
            for f in families]
    # Returned in the order of `rows`, so each family's generated key finds its new id.
    insert = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    ids = conn.execute(insert, rows).scalars().all()
    return {f["key"]: family_id for f, family_id in zip(families, ids, strict=True)}
