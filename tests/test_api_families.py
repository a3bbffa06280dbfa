"""Families (亲情岗位 groups): 2 to 4 seekers of one station, each in at most one family; composition
rules."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from tests.factories import MISSING_ID, Actor, World, row_counts, world_family

URL = "/api/v1/families"


def _create(world: World, station: Actor, kind: str, members: list[int], **fields: Any) -> Any:
    body = {"kind": kind, "member_ids": members, **fields}
    return world.client.post(URL, json=body, headers=station.headers)


def _rejected(response: Any, rule: str, field: str = "member_ids") -> dict[str, Any]:
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    assert [(e["field"], e["rule"]) for e in body["errors"]] == [(field, rule)], body
    return body


def _family_of(world: World, station: Actor, seeker_id: int) -> int | None:
    seeker = world.client.get(f"/api/v1/seekers/{seeker_id}", headers=station.headers).json()
    return seeker["family_id"]  # type: ignore[no-any-return]


def test_couple_is_created_and_members_point_to_it(world: World) -> None:
    station = world.station()
    husband, wife = world.seeker(station, sex="male"), world.seeker(station, sex="female")
    response = _create(world, station, "couple", [husband, wife], needs_couple_dormitory=True)
    assert response.status_code == 201, response.text
    family = response.json()
    assert (family["kind"], family["station_id"]) == ("couple", station.id)
    assert family["member_ids"] == [husband, wife]
    assert family["needs_couple_dormitory"] is True and family["must_stay_together"] is True
    assert _family_of(world, station, husband) == _family_of(world, station, wife) == family["id"]
    assert world.client.get(f"{URL}/{family['id']}", headers=station.headers).json() == family


@pytest.mark.parametrize("size, status", [(1, 422), (2, 201), (4, 201), (5, 422)])
def test_a_family_has_two_to_four_members(world: World, size: int, status: int) -> None:
    station = world.station()
    members = [world.seeker(station) for _ in range(size)]
    response = _create(world, station, "other", members)
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["errors"][0]["field"] == "member_ids"
        assert all(_family_of(world, station, m) is None for m in members)


def test_couple_members_differ_in_sex(world: World) -> None:
    station = world.station()
    two_men = [world.seeker(station, sex="male"), world.seeker(station, sex="male")]
    woman = world.seeker(station, sex="female")
    before = row_counts(world.engine)
    _rejected(_create(world, station, "couple", two_men), "couple_sex")
    _rejected(_create(world, station, "couple", [*two_men, woman]), "family_size")
    assert row_counts(world.engine) == before
    assert _create(world, station, "couple", [two_men[0], woman]).status_code == 201


@pytest.mark.parametrize("son_born, status", [(date(1985, 3, 1), 201), (date(1985, 3, 2), 201),
                                             (date(1985, 2, 28), 422)])
def test_father_and_son_are_at_least_fifteen_years_apart(world: World, son_born: date, status: int) -> None:
    station = world.station()
    father, son = world.seeker(station, birth=date(1970, 3, 1)), world.seeker(station, birth=son_born)
    response = _create(world, station, "father_son", [son, father])
    if status == 422:
        _rejected(response, "father_son_age_gap")
    else:
        assert response.status_code == 201, response.text


def test_father_son_and_brothers_are_men(world: World) -> None:
    station = world.station()
    father, daughter = world.seeker(station, birth=date(1970, 1, 1)), world.seeker(station, sex="female")
    _rejected(_create(world, station, "father_son", [father, daughter]), "father_son_sex")
    _rejected(_create(world, station, "brothers", [world.seeker(station), daughter]), "brothers_sex")


def test_a_seeker_is_in_at_most_one_family(world: World) -> None:
    station = world.station()
    family = world_family(world, station, "brothers")
    taken = family["member_ids"][1]
    newcomer = world.seeker(station)
    body = _rejected(_create(world, station, "brothers", [newcomer, taken]), "member_in_other_family")
    assert str(taken) in body["errors"][0]["message"]
    _rejected(_create(world, station, "brothers", [taken, taken]), "duplicate_member")
    assert _family_of(world, station, taken) == family["id"]


def test_another_stations_seeker_is_rejected_like_a_missing_one(world: World) -> None:
    station, other = world.station(), world.station("222401")
    mine, theirs = world.seeker(station), world.seeker(other)
    foreign = _rejected(_create(world, station, "brothers", [mine, theirs]), "member_not_found")
    missing = _rejected(_create(world, station, "brothers", [mine, MISSING_ID]), "member_not_found")

    def shape(body: dict[str, Any]) -> str:
        return re.sub(r"\d+", "#", str({k: v for k, v in body.items() if k != "instance"}))

    assert shape(foreign) == shape(missing)
    assert _family_of(world, other, theirs) is None
    family = world_family(world, station, "brothers")
    change = {"member_ids": [family["member_ids"][0], theirs]}
    patched = world.client.patch(f"{URL}/{family['id']}", json=change, headers=station.headers)
    _rejected(patched, "member_not_found")


def test_update_replaces_members_and_flags(world: World) -> None:
    station = world.station()
    family = world_family(world, station, "brothers")
    first, leaving = family["member_ids"]
    joining = [world.seeker(station), world.seeker(station)]
    url = f"{URL}/{family['id']}"
    change = {"member_ids": [first, *joining], "must_stay_together": False}
    response = world.client.patch(url, json=change, headers=station.headers)
    assert response.status_code == 200, response.text
    assert response.json()["member_ids"] == sorted([first, *joining])
    assert response.json()["must_stay_together"] is False
    assert _family_of(world, station, leaving) is None
    assert _family_of(world, station, joining[0]) == family["id"]
    # A rejected update keeps the family exactly as it was.
    kept = world.client.get(url, headers=station.headers).json()
    _rejected(world.client.patch(url, json={"needs_couple_dormitory": True}, headers=station.headers),
              "dormitory_couple_only", "needs_couple_dormitory")
    _rejected(world.client.patch(url, json={"member_ids": [first]}, headers=station.headers), "too_short")
    assert world.client.get(url, headers=station.headers).json() == kept


def test_dissolving_frees_the_members(world: World) -> None:
    station = world.station()
    family = world_family(world, station, "couple")
    url = f"{URL}/{family['id']}"
    response = world.client.delete(url, headers=station.headers)
    assert response.status_code == 204 and response.content == b""
    assert world.client.get(url, headers=station.headers).status_code == 404
    assert all(_family_of(world, station, m) is None for m in family["member_ids"])
    # Free again: the same people can form a new family.
    assert _create(world, station, "couple", family["member_ids"]).status_code == 201


def test_list_filters_by_kind(world: World) -> None:
    station = world.station()
    couple, brothers = world_family(world, station, "couple"), world_family(world, station, "brothers")
    listed = world.client.get(f"{URL}?kind=couple", headers=station.headers).json()
    assert [f["id"] for f in listed] == [couple["id"]]
    everything = world.client.get(URL, headers=world.admin.headers).json()
    assert {f["id"] for f in everything} == {couple["id"], brothers["id"]}
