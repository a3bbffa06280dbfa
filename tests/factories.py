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
    return make_resident_id(area, birth or date(1990, 1, 1) + timedelta(days=n), n % 1000, sex)


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
