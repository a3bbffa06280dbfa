"""Who may call the webhook routes: every route × every kind of caller, with the checks of
tests/test_auth_matrix.py (401 anonymous, 403 wrong role, another owner's endpoint the same 404 as a
missing one). The matrix's coverage test should count these rows, as it does the placement rows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from app.notify import webhooks
from tests import test_auth_matrix as matrix
from tests.factories import World, set_columns

Case, expect = matrix.Case, matrix.expect
API = "/api/v1/webhook-endpoints"
# A public literal address: accepted without DNS and without allowing private destinations.
PUBLIC_HOOK = "https://8.8.8.8/hooks/jobmatch"


def _endpoint(scene: Any) -> int:
    response = scene.world.client.post(API, json={"url": PUBLIC_HOOK, "event_types": ["match.station_digest"]},
                                       headers=scene.station_a.headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _message(scene: Any) -> tuple[int, str]:
    """An endpoint of station A with one delivered message, which its owner may look into or redeliver."""
    endpoint = _endpoint(scene)
    with Session(scene.world.engine) as session:
        queued = webhooks.enqueue(session, "station", scene.station_a.id, "match.station_digest", {"n": 1})
        session.commit()
        [message] = [m for m in queued if m.endpoint_id == endpoint]
        assert message.id is not None
        set_columns(scene.world.engine, "webhook_message", message.id, status="delivered")
        return endpoint, message.message_id


def ENDPOINT(scene: Any, caller: str) -> tuple[dict[str, Any], Any]:
    return {"endpoint_id": _endpoint(scene)}, None


def MESSAGE(scene: Any, caller: str) -> tuple[dict[str, Any], Any]:
    endpoint_id, message_id = _message(scene)
    return {"endpoint_id": endpoint_id, "message_id": message_id}, None


OWNER_OR_ADMIN = {"admin": 200, "station_a": 200, "seeker_a": 403}

WEBHOOK_CASES = [
    Case("GET", API, expect(200, seeker_a=403)),
    Case("POST", API, expect(403, station_a=201, station_b=201, employer_a=201, employer_b=201),
         lambda s, c: ({}, {"url": PUBLIC_HOOK, "event_types": ["match.vacancy_shortlist"]}),
         "endpoints belong to station and employer systems"),
    Case("GET", API + "/{endpoint_id}", expect(404, **OWNER_OR_ADMIN), ENDPOINT),
    Case("PATCH", API + "/{endpoint_id}", expect(404, **OWNER_OR_ADMIN),
         lambda s, c: (ENDPOINT(s, c)[0], {"description": "县站对接系统"})),
    Case("DELETE", API + "/{endpoint_id}", expect(404, admin=204, station_a=204, seeker_a=403), ENDPOINT),
    Case("POST", API + "/{endpoint_id}/rotate-secret", expect(404, **OWNER_OR_ADMIN), ENDPOINT),
    Case("GET", API + "/{endpoint_id}/messages", expect(404, **OWNER_OR_ADMIN), ENDPOINT),
    Case("GET", API + "/{endpoint_id}/messages/{message_id}/attempts", expect(404, **OWNER_OR_ADMIN),
         MESSAGE),
    Case("POST", API + "/{endpoint_id}/messages/redeliver",
         expect(404, admin=202, station_a=202, seeker_a=403), ENDPOINT),
    Case("POST", API + "/{endpoint_id}/messages/{message_id}/redeliver",
         expect(404, admin=202, station_a=202, seeker_a=403), MESSAGE),
]


@pytest.mark.parametrize("case", WEBHOOK_CASES, ids=lambda c: c.id)
def test_each_caller_gets_its_answer(case: Any, world: World) -> None:
    matrix.test_each_caller_gets_its_answer(case, world)


def test_rows_name_every_webhook_route(app: Any) -> None:
    from fastapi.routing import iter_route_contexts

    routes = {(m, r.path) for r in iter_route_contexts(app.routes) if r.path for m in r.methods or ()}
    assert {(c.method, c.path) for c in WEBHOOK_CASES} == {r for r in routes if r[1].startswith(API)}
