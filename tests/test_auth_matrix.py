"""Who may call what: every route under /api/v1 × every kind of caller, against objects owned by A.

Anonymous callers get 401, callers of the wrong role 403, and a caller of the right role reaching for
another station's or employer's object gets exactly the 404 of an id that does not exist (OWASP API1).
A route added without a row here fails `test_matrix_covers_every_route`.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.clock import today_shanghai
from app.models.notification import Notification
from app.models.region import Pairing
from app.services import access
from tests.factories import (
    MISSING_ID,
    Actor,
    World,
    employer_body,
    enrolment_code,
    open_stream,
    seeker_body,
    world_family,
)

CALLERS = ("anonymous", "admin", "station_a", "station_b", "employer_a", "employer_b", "seeker_a")
DENIAL_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found"}
_n = itertools.count(1)


class Scene:
    """The callers, and fresh objects owned by station A / employer A for each request."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.station_a = world.station("522325")
        self.station_b = world.station("222401")
        self.employer_a = world.employer("330203")
        self.employer_b = world.employer("330212")
        # A seeker of station A, but never the object under test: objects are other people.
        self.seeker_a = world.seeker_actor(self.station_a, world.seeker(self.station_a))

    def headers(self, caller: str) -> dict[str, str]:
        if caller == "anonymous":
            return {}
        actor: Actor = self.world.admin if caller == "admin" else getattr(self, caller)
        return actor.headers

    def seeker(self) -> int:
        return self.world.seeker(self.station_a)

    def family(self) -> int:
        return int(world_family(self.world, self.station_a)["id"])

    def vacancy(self, status: str = "open") -> int:
        return int(self.world.vacancy(self.employer_a, status=status)["id"])

    def pairing(self) -> int:
        with Session(self.world.engine) as s:
            row = Pairing(district_code="330203", origin_code="522301", valid_from=today_shanghai())
            s.add(row)
            s.commit()
            assert row.id is not None
            return row.id

    def notification(self) -> int:
        with Session(self.world.engine) as s:
            assert self.station_a.id is not None
            note = Notification(recipient_role="station", recipient_id=self.station_a.id, kind="test",
                                title="测试")
            s.add(note)
            s.commit()
            assert note.id is not None
            return note.id

    def key(self) -> int:
        with Session(self.world.engine) as s:
            issued = access.issue_key(s, "station", station_id=self.station_a.id)
            s.commit()
        return issued.id


Prepare = Callable[[Scene, str], tuple[dict[str, Any], Any]]


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    expected: dict[str, int]
    prepare: Prepare = lambda scene, caller: ({}, None)
    label: str = ""
    stream: bool = False  # an endless Server-Sent Events response: only its start is read

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}" + (f" [{self.label}]" if self.label else "")


def expect(default: int = 403, **cells: int) -> dict[str, int]:
    table = dict.fromkeys(CALLERS, default)
    table["anonymous"] = 401
    table.update(cells)
    return table


def _vacancy_body(scene: Scene, caller: str) -> dict[str, Any]:
    body = {"title": "普工", "occupation": "普工", "headcount": 5, "district_code": "330203", "pay_min": 4500,
            "pay_max": 6000, "valid_until": (today_shanghai() + timedelta(days=20)).isoformat()}
    return {**body, "employer_id": scene.employer_a.id} if caller == "admin" else body


def _region_body() -> dict[str, Any]:
    return {"code": f"5223{next(_n):04d}", "name": "测试县", "level": "county", "parent_code": "522300",
            "role": "origin"}


def _family_body(scene: Scene) -> dict[str, Any]:
    return {"kind": "brothers", "member_ids": [scene.seeker(), scene.seeker()]}


STATION = lambda s, c: ({"station_id": s.station_a.id}, None)  # noqa: E731
EMPLOYER = lambda s, c: ({"employer_id": s.employer_a.id}, None)  # noqa: E731
SEEKER = lambda s, c: ({"seeker_id": s.seeker()}, None)  # noqa: E731
FAMILY = lambda s, c: ({"family_id": s.family()}, None)  # noqa: E731
OWNERS_OF_A_STATION = {"admin": 200, "station_a": 200, "station_b": 404}
OWNERS_OF_A_EMPLOYER = {"admin": 200, "employer_a": 200, "employer_b": 404}

CASES = [
    Case("GET", "/api/v1/regions", expect(200)),
    Case("GET", "/api/v1/regions/{code}", expect(200), lambda s, c: ({"code": "522325"}, None)),
    Case("POST", "/api/v1/regions", expect(admin=201), lambda s, c: ({}, _region_body())),
    Case("GET", "/api/v1/pairings", expect(200)),
    Case("POST", "/api/v1/pairings", expect(admin=201),
         lambda s, c: ({}, {"district_code": "330226", "origin_code": "522324", "valid_from": "2024-01-01"})),
    Case("PATCH", "/api/v1/pairings/{pairing_id}", expect(admin=200),
         lambda s, c: ({"pairing_id": s.pairing()}, {"valid_to": "2035-12-31"})),
    Case("GET", "/api/v1/stations", expect(admin=200, station_a=200, station_b=200)),
    Case("POST", "/api/v1/stations", expect(admin=201),
         lambda s, c: ({}, {"code": f"NEW{next(_n)}", "name": "新站", "region_code": "522301"})),
    Case("GET", "/api/v1/stations/{station_id}", expect(**OWNERS_OF_A_STATION), STATION),
    Case("PATCH", "/api/v1/stations/{station_id}", expect(**OWNERS_OF_A_STATION),
         lambda s, c: (STATION(s, c)[0], {"contact_name": "李站长"})),
    Case("POST", "/api/v1/stations/{station_id}/responsible-persons",
         expect(admin=201, station_a=201, station_b=404),
         lambda s, c: (STATION(s, c)[0], {"name": "张责任"})),
    Case("GET", "/api/v1/employers", expect(admin=200, employer_a=200, employer_b=200)),
    Case("POST", "/api/v1/employers", expect(admin=201), lambda s, c: ({}, employer_body())),
    Case("GET", "/api/v1/employers/{employer_id}", expect(**OWNERS_OF_A_EMPLOYER), EMPLOYER),
    Case("PATCH", "/api/v1/employers/{employer_id}", expect(**OWNERS_OF_A_EMPLOYER),
         lambda s, c: (EMPLOYER(s, c)[0], {"address": "宁波市海曙区望春工业园"})),
    Case("GET", "/api/v1/vacancies", expect(200)),
    Case("POST", "/api/v1/vacancies", expect(admin=201, employer_a=201, employer_b=201),
         lambda s, c: ({}, _vacancy_body(s, c))),
    Case("GET", "/api/v1/vacancies/{vacancy_id}", expect(200),
         lambda s, c: ({"vacancy_id": s.vacancy()}, None),
         "open posting: public job information"),
    Case("GET", "/api/v1/vacancies/{vacancy_id}", expect(404, admin=200, employer_a=200),
         lambda s, c: ({"vacancy_id": s.vacancy("draft")}, None), "draft: owner only"),
    Case("PATCH", "/api/v1/vacancies/{vacancy_id}", expect(**OWNERS_OF_A_EMPLOYER),
         lambda s, c: ({"vacancy_id": s.vacancy()}, {"headcount": 12})),
    Case("GET", "/api/v1/seekers", expect(admin=200, station_a=200, station_b=200)),
    Case("POST", "/api/v1/seekers", expect(station_a=201, station_b=201), lambda s, c: ({}, seeker_body())),
    Case("GET", "/api/v1/seekers/{seeker_id}", expect(**OWNERS_OF_A_STATION, seeker_a=404), SEEKER),
    Case("PATCH", "/api/v1/seekers/{seeker_id}", expect(**OWNERS_OF_A_STATION),
         lambda s, c: (SEEKER(s, c)[0], {"expected_pay": 6000})),
    Case("GET", "/api/v1/seekers/{seeker_id}/identity", expect(station_a=200, station_b=404), SEEKER),
    Case("POST", "/api/v1/seekers/{seeker_id}/enrolment-code", expect(station_a=201, station_b=404), SEEKER),
    Case("POST", "/api/v1/enrol", expect(201, anonymous=201),
         lambda s, c: ({}, {"code": enrolment_code(s.world, s.station_a, s.seeker())})),
    Case("GET", "/api/v1/me", expect(seeker_a=200)),
    Case("PATCH", "/api/v1/me", expect(seeker_a=200), lambda s, c: ({}, {"expected_pay": 6500})),
    Case("GET", "/api/v1/families", expect(admin=200, station_a=200, station_b=200)),
    # Station B names A's seekers: rejected exactly like seekers that do not exist (see test_api_families).
    Case("POST", "/api/v1/families", expect(station_a=201, station_b=422),
         lambda s, c: ({}, _family_body(s))),
    Case("GET", "/api/v1/families/{family_id}", expect(**OWNERS_OF_A_STATION), FAMILY),
    Case("PATCH", "/api/v1/families/{family_id}", expect(**OWNERS_OF_A_STATION),
         lambda s, c: (FAMILY(s, c)[0], {"must_stay_together": False})),
    Case("DELETE", "/api/v1/families/{family_id}", expect(admin=204, station_a=204, station_b=404), FAMILY),
    Case("POST", "/api/v1/api-keys", expect(admin=201),
         lambda s, c: ({}, {"role": "station", "station_id": s.station_a.id})),
    Case("GET", "/api/v1/api-keys", expect(admin=200)),
    Case("DELETE", "/api/v1/api-keys/{key_id}", expect(admin=200), lambda s, c: ({"key_id": s.key()}, None)),
    Case("GET", "/api/v1/audit-events", expect(admin=200)),
    # Inboxes: every key but the bureau's has one, and each sees only its own.
    Case("GET", "/api/v1/notifications", expect(200, admin=403)),
    Case("GET", "/api/v1/notifications/stream", expect(200, admin=403), stream=True),
    Case("POST", "/api/v1/notifications/{notification_id}/read", expect(404, admin=403, station_a=200),
         lambda s, c: ({"notification_id": s.notification()}, None), "a notification for station A"),
    # Matching: the employer's shortlist, the station's (and the seeker's own) job lists, family offers.
    Case("GET", "/api/v1/vacancies/{vacancy_id}/matches", expect(**OWNERS_OF_A_EMPLOYER),
         lambda s, c: ({"vacancy_id": s.vacancy()}, None)),
    Case("GET", "/api/v1/seekers/{seeker_id}/matches", expect(**OWNERS_OF_A_STATION, seeker_a=404), SEEKER),
    Case("GET", "/api/v1/seekers/{seeker_id}/improvements", expect(**OWNERS_OF_A_STATION, seeker_a=404), SEEKER),
    Case("GET", "/api/v1/families/{family_id}/matches", expect(**OWNERS_OF_A_STATION), FAMILY),
]


def _call(client: TestClient, method: str, url: str, body: Any, headers: dict[str, str],  # type: ignore[no-untyped-def]
          stream: bool = False):
    if stream:
        # In a thread of its own: the browser tests' driver may keep an event loop in this one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, open_stream(client.app, url, headers)).result()
    return client.request(method, url, json=body, headers=headers)


def _shape(response) -> tuple[int, str, str, str]:  # type: ignore[no-untyped-def]
    """What a client can tell from a denial, with the id it asked for taken out."""
    body = response.json()
    return (response.status_code, body["code"], re.sub(r"\d+", "#", body["detail"]),
            re.sub(r"\d+", "#", body["detail_zh"]))


def test_matrix_covers_every_route(app) -> None:  # type: ignore[no-untyped-def]
    routes = {
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        if route.path and route.path.startswith("/api/v1")
        for method in route.methods or ()
    }
    assert len(routes) > 30, "the route list could not be read from the app"
    # The placement routes' rows live with their tests, which run them with this file's checks.
    from tests.imports.test_import_access import IMPORT_CASES
    from tests.notify.test_webhook_access import WEBHOOK_CASES
    from tests.placements.test_access_matrix import PLACEMENT_CASES

    table = {(case.method, case.path) for case in [*CASES, *PLACEMENT_CASES, *WEBHOOK_CASES, *IMPORT_CASES]}
    assert routes - table == set(), "routes without a row in the role matrix"
    assert table - routes == set(), "matrix rows for routes that no longer exist"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_each_caller_gets_its_answer(case: Case, world: World) -> None:
    scene = Scene(world)
    actual: dict[str, int] = {}
    for caller in CALLERS:
        params, body = case.prepare(scene, caller)
        headers = scene.headers(caller)
        response = _call(world.client, case.method, case.path.format(**params), body, headers, case.stream)
        actual[caller] = response.status_code
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json", (caller, response.text)
        if response.status_code in DENIAL_CODES:
            assert response.json()["code"] == DENIAL_CODES[response.status_code], (caller, response.text)
            if params:
                # The same request for an object that does not exist must look exactly the same.
                missing = {k: (MISSING_ID if isinstance(v, int) else "999999") for k, v in params.items()}
                twin_url = case.path.format(**missing)
                twin = _call(world.client, case.method, twin_url, body, headers, case.stream)
                assert _shape(twin) == _shape(response), (caller, response.text, twin.text)
    assert actual == case.expected


@pytest.mark.parametrize("path, roles_404", [
    ("/api/v1/seekers/{}", {"admin", "station"}),
    ("/api/v1/families/{}", {"admin", "station"}),
    ("/api/v1/stations/{}", {"admin", "station"}),
    ("/api/v1/employers/{}", {"admin", "employer"}),
    ("/api/v1/vacancies/{}", {"admin", "station", "employer"}),
])
def test_a_missing_id_is_404_for_roles_that_could_own_it(world: World, path: str,
                                                         roles_404: set[str]) -> None:
    for role, actor in (("admin", world.admin), ("station", world.station()), ("employer", world.employer())):
        response = world.client.get(path.format(MISSING_ID), headers=actor.headers)
        assert response.status_code == (404 if role in roles_404 else 403), (role, response.text)
        assert response.json()["code"] == ("not_found" if role in roles_404 else "forbidden")


def test_unknown_or_malformed_keys_are_401(world: World) -> None:
    station = world.station()
    for headers in ({"Authorization": "Bearer jm_sta_not-a-real-key"}, {"Authorization": "Basic abc"},
                    {"Authorization": "Bearer "}):
        response = world.client.get("/api/v1/seekers", headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"
    assert world.client.get("/api/v1/seekers", headers=station.headers).status_code == 200


def test_lists_show_only_the_callers_own_objects(world: World) -> None:
    scene = Scene(world)
    seeker_a, family_a, draft_a = scene.seeker(), scene.family(), scene.vacancy("draft")
    client = world.client

    def ids(url: str, caller: str) -> set[int]:
        response = client.get(url, headers=scene.headers(caller))
        assert response.status_code == 200, response.text
        body = response.json()
        return {item["id"] for item in (body["items"] if isinstance(body, dict) else body)}

    assert ids("/api/v1/stations", "station_b") == {scene.station_b.id}
    assert ids(f"/api/v1/seekers?station_id={scene.station_a.id}", "station_b") == set()
    assert seeker_a in ids("/api/v1/seekers", "station_a")
    assert ids(f"/api/v1/families?station_id={scene.station_a.id}", "station_b") == set()
    assert family_a in ids("/api/v1/families", "station_a")
    assert ids("/api/v1/employers", "employer_b") == {scene.employer_b.id}
    assert ids(f"/api/v1/vacancies?employer_id={scene.employer_a.id}", "employer_b") == set()
    assert draft_a in ids("/api/v1/vacancies", "employer_a")
    for caller in ("station_a", "seeker_a"):
        assert draft_a not in ids(f"/api/v1/vacancies?status=draft&employer_id={scene.employer_a.id}", caller)
