"""Seekers: identity derived from the ID number, duplicates that reveal nothing, consent, the employer
view."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from app.models.seeker import Seeker, SeekerForEmployer
from app.services.seekers import employer_view, mask_name
from app.validation.identity import make_resident_id, mask_resident_id
from app.validation.mobile import mask_mobile
from tests.factories import World, row_counts, seeker_body, world_family


def _post(world: World, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return world.client.post("/api/v1/seekers", json=body, headers=headers)


def _id_ending_in_x() -> str:
    for sequence in range(1000):
        number = make_resident_id("522328", date(1992, 4, 9), sequence, "female")
        if number.endswith("X"):
            return number
    raise AssertionError("no X check character in 1000 sequences")


def test_birth_date_and_sex_come_from_the_id_number(world: World) -> None:
    station = world.station()
    for birth, sex in ((date(1975, 2, 28), "male"), (date(2000, 12, 31), "female")):
        body = seeker_body(id_number=make_resident_id("222401", birth, 77, sex))
        got = _post(world, station.headers, body).json()
        assert (got["birth_date"], got["sex"]) == (birth.isoformat(), sex)


def test_identity_cannot_be_typed_twice_or_changed(world: World) -> None:
    station = world.station()
    seeker_id = world.seeker(station)
    for change in ({"birth_date": "1980-01-01"}, {"sex": "female"}, {"id_number": "11010519491231002X"}):
        response = world.client.patch(f"/api/v1/seekers/{seeker_id}", json=change, headers=station.headers)
        assert response.status_code == 422
        assert response.json()["errors"][0] == {**response.json()["errors"][0], "field": next(iter(change)),
                                                "rule": "extra_forbidden"}


def test_same_person_at_another_station_is_409_revealing_nothing(world: World) -> None:
    station_a, station_b, station_c = world.station(), world.station("222401"), world.station("522301")
    person_x, person_y = seeker_body(), seeker_body()
    first_x = _post(world, station_a.headers, person_x).json()
    first_y = _post(world, station_c.headers, person_y).json()
    before = row_counts(world.engine)

    again_x = _post(world, station_b.headers, {**person_x, "name": "另一个名字", "phone": "13700000000"})
    again_y = _post(world, station_b.headers, person_y)
    assert again_x.status_code == again_y.status_code == 409
    body = again_x.json()
    assert body["code"] == "duplicate_person"
    assert again_x.headers["content-type"] == "application/problem+json"
    # Held by station A or by station C, by seeker 1 or 2: the answer is word for word the same.
    assert again_y.json() == body
    allowed = {"type", "title", "title_zh", "status", "code", "detail", "detail_zh", "instance", "errors"}
    assert set(body) <= allowed
    text = again_x.text
    holder = world.client.get(f"/api/v1/stations/{station_a.id}", headers=station_a.headers).json()
    for secret in (holder["name"], holder["code"], first_x["phone"], first_x["id_number"],
                   person_x["id_number"]):
        assert secret not in text
    assert str(first_x["id"]) not in body["detail"] and str(station_a.id) not in body["detail"]
    assert row_counts(world.engine) == before
    # The same station registering the person again gets the same answer.
    assert _post(world, station_a.headers, person_x).json() == body
    assert first_y["id"] != first_x["id"]


def test_duplicates_are_found_however_the_number_is_typed(world: World) -> None:
    station = world.station()
    number = _id_ending_in_x()
    assert _post(world, station.headers, seeker_body(id_number=number)).status_code == 201
    full_width = number[:17].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "ｘ"
    for typed in (number.lower(), f" {number} ", full_width):
        response = _post(world, world.station().headers, seeker_body(id_number=typed))
        assert response.status_code == 409, (typed, response.text)


def test_withdrawing_matching_consent_stops_pushes_too(world: World) -> None:
    station = world.station()
    created = _post(world, station.headers, seeker_body(consent_matching=True, consent_push=True)).json()
    assert created["consent_matching"] and created["consent_push"]
    assert created["consent_matching_at"] and created["consent_push_at"]
    url = f"/api/v1/seekers/{created['id']}"
    withdrawn = world.client.patch(url, json={"consent_matching": False}, headers=station.headers).json()
    assert (withdrawn["consent_matching"], withdrawn["consent_push"]) == (False, False)
    for field in ("consent_matching_at", "consent_push_at"):
        assert datetime.fromisoformat(withdrawn[field]) > datetime.fromisoformat(created[field])


def test_push_consent_needs_matching_consent(world: World) -> None:
    station = world.station()
    before = row_counts(world.engine)
    response = _post(world, station.headers, seeker_body(consent_matching=False, consent_push=True))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "consent_push"
    assert response.json()["errors"][0]["rule"] == "consent_order"
    assert row_counts(world.engine) == before

    seeker_id = world.seeker(station, consent_matching=False, consent_push=False)
    url = f"/api/v1/seekers/{seeker_id}"
    for change in ({"consent_push": True}, {"consent_matching": False, "consent_push": True}):
        response = world.client.patch(url, json=change, headers=station.headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["rule"] == "consent_order"
    change = {"consent_matching": True, "consent_push": True}
    both = world.client.patch(url, json=change, headers=station.headers)
    assert both.status_code == 200
    assert both.json()["consent_push"] is True and both.json()["consent_push_at"]


def test_seeker_withdraws_consent_from_the_phone(world: World) -> None:
    station = world.station()
    seeker_id = world.seeker(station)
    me = world.seeker_actor(station, seeker_id)
    got = world.client.patch("/api/v1/me", json={"consent_matching": False}, headers=me.headers).json()
    assert (got["consent_matching"], got["consent_push"]) == (False, False)
    stored = world.client.get(f"/api/v1/seekers/{seeker_id}", headers=station.headers).json()
    assert (stored["consent_matching"], stored["consent_push"]) == (False, False)


def test_masking_helpers() -> None:
    assert mask_name("张三丰") == "张*"
    assert mask_name("李四") == "李*"
    assert mask_resident_id("11010519491231002x") == "110105********002X"
    assert mask_resident_id("12345") == "*****"
    assert mask_mobile("+86 138-1234-5678") == "138****5678"
    assert mask_mobile("not a phone") == "*" * len("not a phone")


def test_employer_view_shows_only_what_an_employer_may_know(world: World) -> None:
    station = world.station()
    family = world_family(world, station, "couple")
    seeker_id = family["member_ids"][0]
    world.client.patch(f"/api/v1/seekers/{seeker_id}", json={
        "name": "张三丰", "registered_poor": True, "poverty_evidence_ref": "JDLK-2019-0001",
        "skills": [{"name": "电焊", "level": "中级", "years": 4}], "certificates": ["焊工证"],
    }, headers=station.headers).raise_for_status()
    with Session(world.engine) as session:
        seeker = session.get(Seeker, seeker_id)
        assert seeker is not None
        view = employer_view(session, seeker, on=date(seeker.birth_date.year + 30, 12, 31))
        identity = (world.vault.decrypt(seeker.id_number_enc), world.vault.decrypt(seeker.phone_enc))
        masked = (seeker.id_masked, seeker.phone_masked)
    assert view.display_name == "张*"
    assert view.age == 30
    assert (view.origin_code, view.origin_name) == ("522325", "贞丰县")
    assert [s.name for s in view.skills] == ["电焊"] and view.certificates == ["焊工证"]
    assert view.family_kind == "couple"
    forbidden = {"id_number", "phone", "registered_poor", "poverty_evidence_ref", "sex", "birth_date", "name"}
    assert forbidden.isdisjoint(SeekerForEmployer.model_fields)
    dumped = view.model_dump_json()
    for value in (*identity, *masked, "三丰", "JDLK", "female", "male"):
        assert value not in dumped
