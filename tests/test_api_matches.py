"""The matching endpoints: each audience gets ranked results with Chinese reasons, and sees its own writes."""

from __future__ import annotations

from datetime import date

from tests.factories import World


def welder(world: World, station, **fields):  # type: ignore[no-untyped-def]
    body = {"skills": [{"name": "电焊", "level": "中级", "years": 4}], "preferred_districts": ["330203"],
            "expected_pay": 6000}
    body.update(fields)
    return world.seeker(station, **body)


def test_seeker_sees_a_matching_vacancy_with_reasons_right_after_it_is_posted(world: World) -> None:
    station = world.station(region="522325")
    seeker_id = welder(world, station)
    employer = world.employer(district="330203")
    vacancy = world.vacancy(employer, title="电焊工", occupation="焊工", pay_min=6000, pay_max=8000)
    cook = world.vacancy(employer, title="厨师", occupation="厨师")
    r = world.client.get(f"/api/v1/seekers/{seeker_id}/matches", headers=station.headers)
    assert r.status_code == 200, r.text
    found = r.json()
    ids = [m["vacancy"]["id"] for m in found]
    assert ids[0] == vacancy["id"]
    assert cook["id"] not in ids or ids.index(cook["id"]) > 0
    top = found[0]
    assert top["rank"] == 1 and 0 < top["score"] <= 100
    assert abs(sum(p["points"] for p in top["parts"]) - top["score"]) < 0.051
    reasons = " ".join(top["reasons"])
    assert "焊" in reasons
    # 贞丰县 is paired with 海曙区 (DOMAIN.md): the reason names the pairing.
    assert "对口帮扶" in reasons and "贞丰县" in reasons and "海曙区" in reasons


def test_employer_sees_candidates_masked_and_never_their_numbers(world: World) -> None:
    station = world.station()
    welder(world, station, name="张三丰")
    employer = world.employer()
    vacancy = world.vacancy(employer, occupation="电焊工")
    r = world.client.get(f"/api/v1/vacancies/{vacancy['id']}/matches", headers=employer.headers)
    assert r.status_code == 200, r.text
    [candidate] = r.json()
    seeker = candidate["seeker"]
    assert seeker["display_name"] == "张*"
    assert set(seeker) >= {"age", "origin_code", "skills"}
    assert not {"id_number", "phone", "registered_poor", "sex", "name"} & set(seeker)


def test_other_employer_cannot_read_a_vacancy_shortlist(world: World) -> None:
    employer, other = world.employer(), world.employer()
    vacancy = world.vacancy(employer)
    r = world.client.get(f"/api/v1/vacancies/{vacancy['id']}/matches", headers=other.headers)
    assert r.status_code == 404


def test_caring_post_is_only_for_registered_poor_seekers_and_ranks_them_first(world: World) -> None:
    station = world.station()
    poor = welder(world, station, registered_poor=True, poverty_evidence_ref="JDLK-1")
    not_poor = welder(world, station)
    employer = world.employer()
    caring = world.vacancy(employer, occupation="电焊工", caring_post=True)
    r = world.client.get(f"/api/v1/vacancies/{caring['id']}/matches", headers=employer.headers)
    assert [c["seeker"]["id"] for c in r.json()] == [poor]
    r = world.client.get(f"/api/v1/seekers/{not_poor}/matches", headers=station.headers)
    assert caring["id"] not in [m["vacancy"]["id"] for m in r.json()]
    r = world.client.get(f"/api/v1/seekers/{poor}/matches", headers=station.headers)
    assert r.json()[0]["vacancy"]["id"] == caring["id"]


def test_withdrawn_consent_removes_the_seeker_from_matches(world: World) -> None:
    station = world.station()
    seeker_id = welder(world, station)
    employer = world.employer()
    vacancy = world.vacancy(employer, occupation="电焊工")
    url = f"/api/v1/vacancies/{vacancy['id']}/matches"
    assert len(world.client.get(url, headers=employer.headers).json()) == 1
    r = world.client.patch(f"/api/v1/seekers/{seeker_id}", json={"consent_matching": False}, headers=station.headers)
    assert r.status_code == 200
    assert world.client.get(url, headers=employer.headers).json() == []


def test_family_is_matched_to_one_employer_with_a_vacancy_each(world: World) -> None:
    station = world.station()
    husband = world.seeker(station, sex="male", birth=date(1988, 3, 1),
                           skills=[{"name": "焊工", "level": "中级", "years": 5}], preferred_districts=["330203"])
    wife = world.seeker(station, sex="female", birth=date(1990, 5, 1),
                        skills=[{"name": "车位", "level": "初级", "years": 3}], preferred_districts=["330203"])
    r = world.client.post("/api/v1/families", json={"kind": "couple", "member_ids": [husband, wife],
                                                    "needs_couple_dormitory": True}, headers=station.headers)
    family_id = r.json()["id"]
    with_dorm = world.employer(dormitories=5)
    world.vacancy(with_dorm, title="电焊工", occupation="电焊工", family_posts={"couple": 2})
    world.vacancy(with_dorm, title="缝纫工", occupation="缝纫工")
    without_dorm = world.employer(dormitories=0)
    world.vacancy(without_dorm, title="电焊工", occupation="电焊工", family_posts={"couple": 2})
    world.vacancy(without_dorm, title="缝纫工", occupation="缝纫工")
    r = world.client.get(f"/api/v1/families/{family_id}/matches", headers=station.headers)
    assert r.status_code == 200, r.text
    offers = r.json()
    assert [o["employer_id"] for o in offers] == [with_dorm.id]
    placed = {a["seeker_id"]: a["vacancy_title"] for a in offers[0]["assignment"]}
    assert placed == {husband: "电焊工", wife: "缝纫工"}


def test_improvements_name_a_licence_that_opens_jobs(world: World) -> None:
    station = world.station()
    seeker_id = world.seeker(station, skills=[{"name": "仓管", "level": "初级", "years": 1}],
                             preferred_districts=["330206"])
    employer = world.employer(district="330206")
    for _ in range(3):
        world.vacancy(employer, title="叉车司机", occupation="叉车司机", district_code="330206",
                      certificates=["特种设备作业人员证（叉车）"])
    r = world.client.get(f"/api/v1/seekers/{seeker_id}/improvements", headers=station.headers)
    assert r.status_code == 200, r.text
    tips = r.json()
    assert tips and tips[0]["added_vacancies"] >= 1
    assert any("叉车" in t["label_zh"] for t in tips)


def test_every_match_list_takes_a_limit_of_1_to_200_and_twenty_by_default(world: World) -> None:
    station = world.station()
    husband = world.seeker(station, sex="male", birth=date(1988, 3, 1), skills=[{"name": "焊工"}])
    wife = world.seeker(station, sex="female", birth=date(1990, 5, 1), skills=[{"name": "焊工"}])
    family_id = world.client.post("/api/v1/families", json={"kind": "couple", "member_ids": [husband, wife]},
                                  headers=station.headers).json()["id"]
    # 12 employers with 2 welding posts each: 24 vacancies, within the cap of 3 per employer.
    for _ in range(12):
        employer = world.employer(dormitories=5)
        for _ in range(2):
            vacancy = world.vacancy(employer, title="电焊工", occupation="电焊工", family_posts={"couple": 1})
    admin = world.admin
    urls = (f"/api/v1/vacancies/{vacancy['id']}/matches", f"/api/v1/seekers/{husband}/matches",
            f"/api/v1/families/{family_id}/matches")
    for url in urls:
        for bad in ("0", "201", "x"):
            r = world.client.get(f"{url}?limit={bad}", headers=admin.headers)
            assert r.status_code == 422, (url, bad, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.json()["errors"][0]["field"] == "limit"
    seeker_url, family_url = urls[1], urls[2]
    assert len(world.client.get(seeker_url, headers=admin.headers).json()) == 20
    assert len(world.client.get(f"{seeker_url}?limit=200", headers=admin.headers).json()) == 24
    assert len(world.client.get(family_url, headers=admin.headers).json()) == 12  # more than 10
    assert len(world.client.get(f"{family_url}?limit=3", headers=admin.headers).json()) == 3
