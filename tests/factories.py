"""Small factories: real rows through the real services, and the bearer keys to act as their owners."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.clock import today_shanghai
from app.models.employer import EmployerCreate
from app.models.seeker import SeekerCreate
from app.models.station import StationCreate
from app.pii import Vault
from app.services import access, employers, seekers, stations
from app.validation.credit_code import make_credit_code
from app.validation.identity import make_resident_id

_counter = itertools.count(1)


def resident_id(area: str = "522325", birth: date | None = None, sex: str = "male") -> str:
    n = next(_counter)
    # Births cycle over 1970-2002, so a long test run never makes a seeker too young to register; 11,999
    # is coprime to 1,000, so (birth, sequence) stays unique for millions of numbers.
    return make_resident_id(area, birth or date(1970, 1, 1) + timedelta(days=n % 11_999), n % 1000, sex)


def mobile() -> str:
    return f"139{next(_counter):08d}"


def credit_code() -> str:
    return make_credit_code(f"91330200MA2{next(_counter):06d}")


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@dataclass
class Actor:
    id: int | None
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.key)


class World:
    def __init__(self, client: TestClient, engine: Engine, vault: Vault) -> None:
        self.client = client
        self.engine = engine
        self.vault = vault
        self._admin: Actor | None = None

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @property
    def admin(self) -> Actor:
        if self._admin is None:
            with self._session() as s:
                issued = access.issue_key(s, "admin", label="test admin")
                s.commit()
            self._admin = Actor(None, issued.key)
        return self._admin

    def station(self, region: str = "522325", **fields: Any) -> Actor:
        n = next(_counter)
        with self._session() as s:
            station = stations.create_station(
                s, StationCreate(code=f"ST{n}", name=f"测试劳务协作站{n}", region_code=region, **fields)
            )
            issued = access.issue_key(s, "station", station_id=station.id)
            s.commit()
        return Actor(station.id, issued.key)

    def employer(self, district: str = "330203", dormitories: int = 0, **fields: Any) -> Actor:
        n = next(_counter)
        with self._session() as s:
            employer = employers.create_employer(
                s,
                EmployerCreate(name=f"宁波测试制造有限公司{n}", credit_code=credit_code(), district_code=district,
                               couple_dormitories=dormitories, **fields),
            )
            issued = access.issue_key(s, "employer", employer_id=employer.id)
            s.commit()
        return Actor(employer.id, issued.key)

    def seeker(self, station: Actor, *, sex: str = "male", birth: date | None = None, area: str = "522325",
               **fields: Any) -> int:
        data: dict[str, Any] = {
            "name": "王小明",
            "id_number": resident_id(area, birth, sex),
            "phone": mobile(),
            "origin_code": area,
            "consent_matching": True,
            "consent_push": True,
        }
        data.update(fields)
        with self._session() as s:
            assert station.id is not None
            st = stations.get_station(s, station.id)
            seeker = seekers.register_seeker(s, self.vault, st, SeekerCreate(**data))
            s.commit()
        assert seeker.id is not None
        return seeker.id

    def seeker_actor(self, station: Actor, seeker_id: int) -> Actor:
        with self._session() as s:
            issued = access.issue_key(s, "seeker", seeker_id=seeker_id)
            s.commit()
        return Actor(seeker_id, issued.key)

    def vacancy(self, employer: Actor, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "title": "电焊工",
            "occupation": "电焊工",
            "headcount": 10,
            "district_code": "330203",
            "pay_min": 5000,
            "pay_max": 7000,
            "valid_until": (today_shanghai() + timedelta(days=30)).isoformat(),
        }
        body.update(fields)
        response = self.client.post("/api/v1/vacancies", json=body, headers=employer.headers)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]


# ---- helpers for the API, access and PII tests (appended) ----

MISSING_ID = 987_654_321


def seeker_body(area: str = "522325", *, sex: str = "male", birth: date | None = None,
                **fields: Any) -> dict[str, Any]:
    """A valid POST /api/v1/seekers body for a person nobody has registered yet."""
    body: dict[str, Any] = {
        "name": "王小明",
        "id_number": resident_id(area, birth, sex),
        "phone": mobile(),
        "origin_code": area,
        "consent_matching": True,
        "consent_push": True,
    }
    body.update(fields)
    return body


def employer_body(**fields: Any) -> dict[str, Any]:
    n = next(_counter)
    body: dict[str, Any] = {"name": f"宁波新建企业{n}", "credit_code": credit_code(),
                            "district_code": "330206"}
    body.update(fields)
    return body


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table, to prove that a rejected request changed nothing."""
    from sqlalchemy import func, select

    from app.db import metadata

    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables}


def set_columns(engine: Engine, table: str, row_id: int, **values: Any) -> None:
    """Puts a row into a state no endpoint can reach yet (hired counts, expired dates)."""
    from app.db import metadata

    t = metadata.tables[table]
    with engine.begin() as conn:
        conn.execute(t.update().where(t.c.id == row_id).values(**values))


def world_family(world: World, station: Actor, kind: str = "brothers", **fields: Any) -> dict[str, Any]:
    """A family of two fresh seekers of ``station``, created through the API."""
    if kind == "couple":
        members = [world.seeker(station, sex="male"), world.seeker(station, sex="female")]
    elif kind == "father_son":
        members = [world.seeker(station, birth=date(1970, 3, 1)),
                   world.seeker(station, birth=date(1996, 3, 1))]
    else:
        members = [world.seeker(station), world.seeker(station)]
    body: dict[str, Any] = {"kind": kind, "member_ids": members, **fields}
    response = world.client.post("/api/v1/families", json=body, headers=station.headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def enrolment_code(world: World, station: Actor, seeker_id: int) -> str:
    response = world.client.post(f"/api/v1/seekers/{seeker_id}/enrolment-code", headers=station.headers)
    assert response.status_code == 201, response.text
    return response.json()["code"]  # type: ignore[no-any-return]


class StartedResponse:
    """The start of a response whose body never ends, read straight from the ASGI app."""

    def __init__(self, status: int, body: bytes, content_type: str) -> None:
        self.status_code, self.text, self.headers = status, body.decode(), {"content-type": content_type}

    def json(self) -> Any:
        import json

        return json.loads(self.text)


async def open_stream(app: Any, url: str, headers: dict[str, str]) -> StartedResponse:
    """GET an endless response (Server-Sent Events), hang up once it has started, and return its start."""
    import asyncio

    started, done = asyncio.Event(), asyncio.Event()
    sent: dict[str, Any] = {"body": b""}
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await started.wait()
        return {"type": "http.disconnect"}  # the client hangs up as soon as it has the status

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            sent["status"] = message["status"]
            sent["type"] = dict(message["headers"]).get(b"content-type", b"").decode()
        elif message["type"] == "http.response.body":
            sent["body"] += message.get("body", b"")
            if not message.get("more_body"):
                done.set()
        started.set()

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": url, "raw_path": url.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "server": ("testserver", 80), "client": ("testclient", 50000)}
    await asyncio.wait_for(app(scope, receive, send), timeout=10)
    return StartedResponse(sent["status"], sent["body"], sent["type"])
