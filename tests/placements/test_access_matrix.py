"""Who may call the placement routes: every route × every kind of caller, with the checks of
tests/test_auth_matrix.py (401 anonymous, 403 wrong role, another party's object the same 404 as a
missing one). Its coverage test counts these rows, so a new placement route needs one here."""

from __future__ import annotations

from typing import Any

import pytest

from tests import test_auth_matrix as matrix
from tests.factories import World
from tests.placements.helpers import API, advance, apply

Case, Scene, expect = matrix.Case, matrix.Scene, matrix.expect


def _open_vacancy(scene: Any) -> int:
    return int(scene.world.vacancy(scene.employer_a, headcount=50)["id"])


def _application(scene: Any, status: str = "applied") -> int:
    app_id = int(apply(scene.world, scene.station_a, scene.seeker(), _open_vacancy(scene))["id"])
    if status != "applied":
        advance(scene.world.client, scene.employer_a, app_id, status)
    return app_id


def _placement(scene: Any) -> int:
    app_id = _application(scene, "arrived")
    got = scene.world.client.get(f"{API}/applications/{app_id}", headers=scene.station_a.headers).json()
    return int(got["placement_id"])


def _batch(scene: Any, departed: bool = False) -> int:
    _application(scene, "hired")
    batch = scene.world.client.post(f"{API}/transport-batches/plan", json={"mode": "bus"},
                                    headers=scene.station_a.headers).json()["batches"][0]
    if departed:
        scene.world.client.post(f"{API}/transport-batches/{batch['id']}/depart", headers=scene.station_a.headers)
    return int(batch["id"])


def _rule(scene: Any) -> int:
    body = {"name": "示例规则", "kind": "job_retention", "amount_per_person": 100, "valid_from": "2024-01-01"}
    r = scene.world.client.post(f"{API}/subsidy-rules", json=body, headers=scene.world.admin.headers)
    return int(r.json()["id"])


def _apply_body(scene: Any, caller: str) -> tuple[dict[str, Any], Any]:
    return {}, {"seeker_id": scene.seeker(), "vacancy_id": _open_vacancy(scene)}


def _family_body(scene: Any, caller: str) -> tuple[dict[str, Any], Any]:
    family = scene.world.client.get(f"{API}/families/{scene.family()}", headers=scene.station_a.headers).json()
    vacancy = _open_vacancy(scene)
    return {}, {"family_id": family["id"], "members": [{"seeker_id": s, "vacancy_id": vacancy}
                                                        for s in family["member_ids"]]}


def _plan_body(scene: Any, caller: str) -> tuple[dict[str, Any], Any]:
    return {}, {"mode": "bus", **({"station_id": scene.station_a.id} if caller == "admin" else {})}


APPLICATION = lambda s, c: ({"application_id": _application(s)}, None)  # noqa: E731
PLACEMENT = lambda s, c: ({"placement_id": _placement(s)}, None)  # noqa: E731
BATCH = lambda s, c: ({"batch_id": _batch(s)}, None)  # noqa: E731
PARTIES = {"admin": 200, "station_a": 200, "employer_a": 200}
STATION_OWNERS = {"admin": 200, "station_a": 200, "station_b": 404}

PLACEMENT_CASES = [
    Case("POST", "/api/v1/applications", expect(admin=201, station_a=201, station_b=422, seeker_a=422),
         _apply_body, "another seeker's id: a seeker applies for itself only"),
    # Seeker A is in no family: another family is rejected exactly like one that does not exist.
    Case("POST", "/api/v1/applications/family", expect(admin=201, station_a=201, station_b=422, seeker_a=422),
         _family_body, "a family of station A that seeker A is not in"),
    Case("GET", "/api/v1/applications", expect(200)),
    Case("GET", "/api/v1/applications/{application_id}", expect(404, **PARTIES), APPLICATION),
    # Shortlisting is the employer's move: the station, a party too, gets 409 with what it may do.
    Case("POST", "/api/v1/applications/{application_id}/transitions",
         expect(404, admin=200, employer_a=200, station_a=409),
         lambda s, c: (APPLICATION(s, c)[0], {"to": "shortlisted"})),
    Case("GET", "/api/v1/placements", expect(200)),
    Case("GET", "/api/v1/placements/{placement_id}", expect(404, **PARTIES), PLACEMENT),
    Case("POST", "/api/v1/placements/{placement_id}/check-ins",
         expect(404, admin=201, station_a=201, employer_a=201, seeker_a=403),
         lambda s, c: (PLACEMENT(s, c)[0], {"outcome": "employed"})),
    Case("GET", "/api/v1/follow-ups", expect(admin=200, station_a=200, station_b=200)),
    Case("POST", "/api/v1/transport-batches/plan", expect(admin=201, station_a=201, station_b=201), _plan_body),
    Case("GET", "/api/v1/transport-batches", expect(admin=200, station_a=200, station_b=200)),
    Case("GET", "/api/v1/transport-batches/{batch_id}", expect(**STATION_OWNERS), BATCH),
    Case("GET", "/api/v1/transport-batches/{batch_id}/manifest", expect(**STATION_OWNERS), BATCH),
    Case("POST", "/api/v1/transport-batches/{batch_id}/depart", expect(**STATION_OWNERS), BATCH),
    Case("POST", "/api/v1/transport-batches/{batch_id}/arrive", expect(**STATION_OWNERS),
         lambda s, c: ({"batch_id": _batch(s, departed=True)}, None)),
    # A station reads the figures of its own seekers (tests/placements/test_stats_scope.py); the posts
    # opened and filled are employers' figures that would count other stations' people.
    *[Case("GET", f"/api/v1/stats/{name}", expect(admin=200, station_a=200, station_b=200))
      for name in ("employment", "funnel", "transport", "training-demand", "heatmap", "monthly")],
    Case("GET", "/api/v1/stats/posts", expect(admin=200)),
    Case("GET", "/api/v1/subsidy-rules", expect(200, seeker_a=403)),
    Case("POST", "/api/v1/subsidy-rules", expect(admin=201),
         lambda s, c: ({}, {"name": "稳岗补贴", "kind": "job_retention", "amount_per_person": 800,
                            "valid_from": "2024-01-01"})),
    Case("PATCH", "/api/v1/subsidy-rules/{rule_id}", expect(admin=200),
         lambda s, c: ({"rule_id": _rule(s)}, {"active": False})),
    Case("GET", "/api/v1/subsidies", expect(admin=200, employer_a=200, employer_b=200)),
]


@pytest.mark.parametrize("case", PLACEMENT_CASES, ids=lambda c: c.id)
def test_each_caller_gets_its_answer(case: Any, world: World) -> None:
    matrix.test_each_caller_gets_its_answer(case, world)


def test_rows_name_real_routes(app: Any) -> None:
    from fastapi.routing import iter_route_contexts

    routes = {(m, r.path) for r in iter_route_contexts(app.routes) if r.path for m in r.methods or ()}
    assert {(c.method, c.path) for c in PLACEMENT_CASES} <= routes
