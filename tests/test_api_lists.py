"""Lists: cursor pagination that walks every item exactly once, and the filters each audience needs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Actor, World, world_family

MAX_LIMIT = 200


def _walk(world: World, url: str, headers: dict[str, str], limit: int) -> list[list[int]]:
    pages: list[list[int]] = []
    cursor: str | None = None
    while True:
        sep = "&" if "?" in url else "?"
        query = f"{url}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = world.client.get(query, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 50, "the cursor never ends"


def _ids(world: World, url: str, headers: dict[str, str]) -> set[int]:
    response = world.client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def test_cursor_walks_every_seeker_exactly_once(world: World) -> None:
    station = world.station()
    created = [world.seeker(station) for _ in range(7)]
    world.seeker(world.station())  # another station's: never in this walk
    pages = _walk(world, "/api/v1/seekers", station.headers, 3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i for p in pages for i in p] == created
    assert _walk(world, "/api/v1/seekers", station.headers, 7) == [created]
    assert _walk(world, "/api/v1/seekers", station.headers, MAX_LIMIT) == [created]


def test_cursor_walks_vacancies_and_employers(world: World) -> None:
    employer = world.employer()
    vacancies = [world.vacancy(employer)["id"] for _ in range(5)]
    assert [i for p in _walk(world, "/api/v1/vacancies", employer.headers, 2) for i in p] == vacancies
    employers = [employer.id, *(world.employer().id for _ in range(4))]
    assert [i for p in _walk(world, "/api/v1/employers", world.admin.headers, 2) for i in p] == employers


@pytest.mark.parametrize("query, rule", [("limit=201", "limit_range"), ("limit=0", "limit_range"),
                                         ("limit=-5", "limit_range"), ("cursor=not-a-cursor", "cursor"),
                                         ("cursor=eyJhZnRlciI6ICJ4In0", "cursor")])
def test_limit_is_capped_and_cursors_are_checked(world: World, query: str, rule: str) -> None:
    for path in ("/api/v1/seekers", "/api/v1/vacancies", "/api/v1/employers", "/api/v1/audit-events"):
        response = world.client.get(f"{path}?{query}", headers=world.admin.headers)
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        error = response.json()["errors"][0]
        assert (error["field"], error["rule"]) == (query.split("=")[0], rule)


def test_seeker_filters(world: World) -> None:
    station = world.station()
    zhenfeng = world.seeker(station, area="522325", skills=[{"name": "电焊工", "level": "中级", "years": 3}])
    xingyi = world.seeker(station, area="522301", registered_poor=True, poverty_evidence_ref="JDLK-1",
                          skills=[{"name": "缝纫", "years": 2}])
    yanji = world.seeker(station, area="222401", skills=[{"name": "叉车司机", "years": 5}])
    placed = world.seeker(station, area="522325")
    world.client.patch(f"/api/v1/seekers/{placed}", json={"status": "placed"},
                       headers=station.headers).raise_for_status()
    family = world_family(world, station, "brothers")
    everyone = {zhenfeng, xingyi, yanji, placed, *family["member_ids"]}
    url = "/api/v1/seekers?"

    def ids(query: str) -> set[int]:
        return _ids(world, url + query, station.headers)

    assert ids("") == everyone
    assert ids("origin_code=522301") == {xingyi}
    assert ids("origin_code=522300") == everyone - {yanji}  # a prefecture: all its counties
    assert ids("origin_code=220000") == {yanji}  # a province: all its prefectures' counties
    assert ids("origin_code=222400") == {yanji}
    assert ids("registered_poor=true") == {xingyi}
    assert ids("registered_poor=false") == everyone - {xingyi}
    assert ids("status=placed") == {placed}
    assert ids("status=active") == everyone - {placed}
    assert ids("occupation=电焊") == {zhenfeng}
    assert ids("occupation=叉车") == {yanji}
    assert ids("in_family=true") == set(family["member_ids"])
    assert ids("origin_code=522325&status=active&in_family=false") == {zhenfeng}
    assert _ids(world, f"{url}station_id={station.id}", world.admin.headers) == everyone
    assert _ids(world, f"{url}station_id={world.station().id}", world.admin.headers) == set()


def _post_vacancy(world: World, employer: Actor, **fields: Any) -> int:
    return int(world.vacancy(employer, **fields)["id"])


def test_vacancy_filters(world: World) -> None:
    employer, other = world.employer(), world.employer("330212")
    welder = _post_vacancy(world, employer, title="电焊工", occupation="电焊工", district_code="330203")
    caring = _post_vacancy(world, employer, title="包装工", occupation="包装工", district_code="330206",
                           caring_post=True)
    couple = _post_vacancy(world, other, title="注塑工", occupation="注塑工", district_code="330212",
                           family_posts={"couple": 2})
    brothers = _post_vacancy(world, other, title="普工", occupation="普工", district_code="330212",
                             family_posts={"brothers": 1, "father_son": 1})
    draft = _post_vacancy(world, employer, title="氩弧焊工", occupation="焊工", status="draft")
    seeker_view = world.seeker_actor(world.station(), world.seeker(world.station())).headers

    def ids(query: str, headers: dict[str, str] = seeker_view) -> set[int]:
        return _ids(world, f"/api/v1/vacancies?{query}", headers)

    assert ids("") == {welder, caring, couple, brothers}  # drafts are not job information
    assert ids("district_code=330212") == {couple, brothers}
    assert ids("caring_post=true") == {caring}
    assert ids("caring_post=false") == {welder, couple, brothers}
    assert ids("family_post=couple") == {couple}
    assert ids("family_post=father_son") == {brothers}
    assert ids("occupation=焊") == {welder}
    assert ids("occupation=焊", employer.headers) == {welder, draft}
    assert ids("status=draft", employer.headers) == {draft}
    assert ids("status=draft") == set()
    assert ids(f"employer_id={other.id}&family_post=brothers", world.admin.headers) == {brothers}


def test_employer_filters(world: World) -> None:
    haishu = world.employer("330203", dormitories=20)
    beilun = world.employer("330206")
    world.client.patch(f"/api/v1/employers/{beilun.id}", json={"verified": True},
                       headers=world.admin.headers).raise_for_status()

    def ids(query: str) -> set[int]:
        return _ids(world, f"/api/v1/employers?{query}", world.admin.headers)

    assert ids("district_code=330203") == {haishu.id}
    assert ids("district_code=330206") == {beilun.id}
    assert ids("district_code=330225") == set()
    assert ids("verified=true") == {beilun.id}
    assert ids("has_couple_dormitory=true") == {haishu.id}
    assert ids("has_couple_dormitory=false") == {beilun.id}
