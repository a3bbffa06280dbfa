"""Demo data: deterministic generation, valid identifiers, the article's proportions, families that keep
the family service's rules, and a loaded demo whose keys work against the API."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.clock import today_shanghai, utcnow
from app.demo import loader
from app.demo.identifiers import MAX_AGE, MIN_AGE, birth_slot, capacity, resident_id
from app.demo.loader import DemoDataExists, add_population, has_demo_data, load_demo
from app.demo.population import (
    demo_rng,
    generate_employers,
    generate_stations,
    generate_vacancies,
    seeker_blocks,
)
from app.demo.vocabulary import DISTRICTS, FORKLIFT_CERT, FREE_TEXT_SKILLS, ID_AREA_CODES
from app.models import ApiKey, Employer, Family, ResponsiblePerson, Seeker, Station, Vacancy
from app.models.employer import EmployerCreate
from app.models.family import FamilyUpdate
from app.models.seeker import SeekerCreate
from app.models.vacancy import VacancyCreate
from app.seed.places import NINGBO_DISTRICT_CODES, REGIONS_BY_CODE
from app.services.families import MIN_FATHER_SON_GAP_YEARS, family_members, update_family
from app.validation.credit_code import validate_credit_code
from app.validation.identity import age_on, parse_resident_id
from app.validation.mobile import validate_mobile
from tests.factories import auth

Row = dict[str, Any]
TODAY = date(2025, 6, 1)


def build(seed: int = 2018, seekers: int = 2000, vacancies: int = 200, employers: int = 20,
          today: date = TODAY) -> dict[str, list[Row]]:
    stations = generate_stations(demo_rng(seed, "stations"))
    firms = generate_employers(demo_rng(seed, "employers"), employers)
    people: list[Row] = []
    families: list[Row] = []
    for block, block_families in seeker_blocks(seed, stations, seekers, today):
        people += block
        families += block_families
    return {
        "stations": stations, "employers": firms, "seekers": people, "families": families,
        "vacancies": list(generate_vacancies(demo_rng(seed, "vacancies"), firms, vacancies, today)),
    }


@pytest.fixture(scope="module")
def demo() -> dict[str, list[Row]]:
    return build()


# --- the pure generator ----------------------------------------------------------------------------------

def test_the_same_seed_gives_the_same_population(demo: dict[str, list[Row]]) -> None:
    again = build()
    assert again == demo
    other = build(seed=7, seekers=200, vacancies=20)
    assert [s["name"] for s in other["seekers"]] != [s["name"] for s in demo["seekers"][:200]]
    assert [v["title"] for v in other["vacancies"]] != [v["title"] for v in demo["vacancies"][:20]]


def test_stations_cover_every_paired_county_with_responsible_persons(demo: dict[str, list[Row]]) -> None:
    stations = demo["stations"]
    assert len({s["code"] for s in stations}) == len(stations)
    assert {"522325", "522300-YL", "522323", "522324", "222406", "222401", "222404", "222426"} <= {
        s["region_code"] for s in stations}
    zhenfeng = next(s for s in stations if s["code"] == "QXN-ZF")
    assert zhenfeng["name"] == "贞丰县劳务协作站"
    assert all(1 <= len(s["responsible_persons"]) <= 3 for s in stations)


def test_every_id_number_is_valid_and_agrees_with_the_seeker(demo: dict[str, list[Row]]) -> None:
    seekers = demo["seekers"]
    for seeker in seekers:
        parsed = parse_resident_id(seeker["id_number"], today=TODAY)
        assert parsed.sex == seeker["sex"]
        assert parsed.birth_date == seeker["birth_date"]
        assert parsed.area_code == ID_AREA_CODES.get(seeker["origin_code"], seeker["origin_code"])
        assert MIN_AGE <= age_on(seeker["birth_date"], TODAY) <= MAX_AGE
        assert validate_mobile(seeker["phone"]) == seeker["phone"]
    assert len({s["id_number"] for s in seekers}) == len(seekers)
    assert len({s["phone"] for s in seekers}) == len(seekers)


def test_seekers_are_valid_registrations(demo: dict[str, list[Row]]) -> None:
    fields = set(SeekerCreate.model_fields)
    for seeker in demo["seekers"]:
        data = SeekerCreate(**{k: v for k, v in seeker.items() if k in fields})
        assert len(data.preferred_districts) in range(1, 4)
        assert set(data.preferred_districts) <= set(NINGBO_DISTRICT_CODES)
        assert not data.registered_poor or data.poverty_evidence_ref
        assert data.consent_matching or not data.consent_push
    seekers = demo["seekers"]
    poor = sum(s["registered_poor"] for s in seekers) / len(seekers)
    consenting = sum(s["consent_matching"] for s in seekers) / len(seekers)
    assert 0.35 <= poor <= 0.45
    assert 0.92 <= consenting <= 0.98
    spellings = Counter(skill["name"] for s in seekers for skill in s["skills"])
    assert {"电焊", "焊工", "电焊工"} & set(spellings)
    assert set(FREE_TEXT_SKILLS) & set(spellings)


def test_origins_follow_the_article(demo: dict[str, list[Row]]) -> None:
    prefectures = Counter(REGIONS_BY_CODE[s["origin_code"]].parent_code for s in demo["seekers"])
    # 3,182 from Qianxinan against 164 from Yanbian: 95%.
    share = prefectures["522300"] / (prefectures["522300"] + prefectures["222400"])
    assert 0.93 <= share <= 0.97
    assert 0 < prefectures["522600"] < 0.03 * len(demo["seekers"])
    assert set(prefectures) == {"522300", "222400", "522600"}


def test_employers_are_valid_and_sit_in_their_district(demo: dict[str, list[Row]]) -> None:
    firms = demo["employers"]
    boxes = {d.code: d.box for d in DISTRICTS}
    fields = set(EmployerCreate.model_fields)
    for firm in firms:
        assert validate_credit_code(firm["credit_code"]) == firm["credit_code"]
        EmployerCreate(**{k: v for k, v in firm.items() if k in fields})
        lat_min, lat_max, lng_min, lng_max = boxes[firm["district_code"]]
        assert lat_min <= firm["latitude"] <= lat_max and lng_min <= firm["longitude"] <= lng_max
        assert firm["name"].endswith("有限公司")
    assert len({f["name"] for f in firms}) == len({f["credit_code"] for f in firms}) == len(firms)
    assert {f["district_code"] for f in firms} == set(NINGBO_DISTRICT_CODES)
    assert any(f["couple_dormitories"] for f in firms) and any(f["verified"] for f in firms)


def test_vacancies_are_valid_postings(demo: dict[str, list[Row]]) -> None:
    vacancies = demo["vacancies"]
    fields = set(VacancyCreate.model_fields) - {"status"}
    for vacancy in vacancies:
        VacancyCreate(**{k: v for k, v in vacancy.items() if k in fields})
        assert 4000 <= vacancy["pay_min"] <= vacancy["pay_max"] <= 9000
        assert sum(vacancy["family_posts"].values()) * 2 <= vacancy["headcount"]
        assert TODAY < vacancy["start_date"] <= vacancy["valid_until"] <= TODAY + timedelta(days=60)
        if vacancy["canonical"] == "叉车司机":
            assert FORKLIFT_CERT in vacancy["certificates"]
    caring = sum(v["caring_post"] for v in vacancies) / len(vacancies)
    family = sum(bool(v["family_posts"]) for v in vacancies) / len(vacancies)
    statuses = Counter(v["status"] for v in vacancies)
    assert 0.08 <= caring <= 0.25
    assert 0.10 <= family <= 0.30
    assert statuses["open"] > 0.75 * len(vacancies) and set(statuses) <= {"open", "paused", "filled", "draft"}
    assert len({v["occupation"] for v in vacancies}) > len({v["canonical"] for v in vacancies})


def test_families_keep_the_family_service_rules(demo: dict[str, list[Row]]) -> None:
    seekers = {s["index"]: s for s in demo["seekers"]}
    families = demo["families"]
    members_seen: set[int] = set()
    for family in families:
        members = [seekers[i] for i in family["member_indexes"]]
        assert 2 <= len(members) <= 4
        assert {m["station_code"] for m in members} == {family["station_code"]}
        assert all(m["family_key"] == family["key"] for m in members)
        assert not members_seen & set(family["member_indexes"])
        members_seen |= set(family["member_indexes"])
        sexes = [m["sex"] for m in members]
        if family["kind"] == "couple":
            assert len(members) == 2 and sexes[0] != sexes[1]
        if family["kind"] == "father_son":
            older, younger = sorted(m["birth_date"] for m in members)
            assert len(members) == 2 and sexes == ["male", "male"]
            assert age_on(older, younger) >= MIN_FATHER_SON_GAP_YEARS
        if family["kind"] == "brothers":
            assert len(members) <= 3 and set(sexes) == {"male"}
        assert not family["needs_couple_dormitory"] or family["kind"] == "couple"
    kinds = Counter(f["kind"] for f in families)
    assert set(kinds) == {"couple", "father_son", "brothers", "other"}
    assert 0.08 <= len(members_seen) / len(seekers) <= 0.12
    assert sum(f["must_stay_together"] for f in families) > 0.75 * len(families)
    assert sum(1 for s in seekers.values() if s["family_key"] is not None) == len(members_seen)


def test_id_numbers_stay_unique_in_large_populations() -> None:
    assert capacity(TODAY.year) > 2_000_000
    n = 200_000
    slots = [birth_slot(i, TODAY.year) for i in range(n)]
    assert len(set(slots)) == n
    # A number spells its slot out (birth date, then order code = 2 × pair + sex), so distinct slots
    # give distinct numbers whatever area and sex families rewrite them to; checked on a sample.
    rng = random.Random(1)
    areas = [code for code in REGIONS_BY_CODE if REGIONS_BY_CODE[code].role == "origin"]
    for birth, pair in rng.sample(slots, 5_000):
        number = resident_id(rng.choice(areas), birth, pair, rng.choice(("male", "female")))
        assert number[6:14] == f"{birth:%Y%m%d}" and int(number[14:17]) // 2 == pair
    # A demo extended after new year gets other order codes, so it cannot meet itself either.
    next_year = {birth_slot(i, TODAY.year + 1) for i in range(20_000)}
    assert not next_year & set(slots)


def test_blocks_continue_without_colliding() -> None:
    stations = generate_stations(demo_rng(1, "stations"))
    first = [s for block, _ in seeker_blocks(1, stations, 500, TODAY) for s in block]
    later = [s for block, _ in seeker_blocks(2, stations, 500, TODAY, start_index=500) for s in block]
    assert len({s["id_number"] for s in first + later}) == 1000
    assert [s["index"] for s in later] == list(range(500, 1000))


# --- loading into the database (SQLite and PostgreSQL) -----------------------------------------------------

def _count(session: Session, model: Any) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def test_load_demo_writes_the_population(engine: Engine, session: Session, app: Any) -> None:
    vault, today = app.state.vault, today_shanghai()
    assert not has_demo_data(engine)
    credentials = load_demo(engine, vault, seekers=300, vacancies=40, employers=8, today=today)
    assert has_demo_data(engine)
    assert _count(session, Station) == 14
    assert 14 <= _count(session, ResponsiblePerson) <= 42
    assert _count(session, Employer) == 8
    assert _count(session, Vacancy) == 40
    assert _count(session, Seeker) == 300
    assert _count(session, ApiKey) == 1 + 14 + 8
    assert len(credentials.stations) == 14 and len(credentials.employers) == 8
    assert set(credentials.to_json()) == {"admin", "stations", "employers"}

    expected = build(seekers=300, vacancies=40, employers=8, today=today)
    stored = session.exec(select(Seeker).order_by(col(Seeker.id))).all()
    assert [s.name for s in stored] == [s["name"] for s in expected["seekers"]]
    for row, generated in zip(stored, expected["seekers"], strict=True):
        assert vault.decrypt(row.id_number_enc) == generated["id_number"]
        assert row.id_fingerprint == vault.fingerprint(generated["id_number"])
        assert row.id_masked == generated["id_number"][:6] + "********" + generated["id_number"][-4:]
        assert row.created_at.tzinfo is not None and row.created_at < utcnow()
    assert _count(session, Family) == len(expected["families"])
    titles = session.exec(select(Vacancy.title).order_by(col(Vacancy.id))).all()
    assert list(titles) == [v["title"] for v in expected["vacancies"]]

    with pytest.raises(DemoDataExists):
        load_demo(engine, vault)


def test_loaded_families_pass_the_family_service(engine: Engine, session: Session, app: Any) -> None:
    load_demo(engine, app.state.vault, seekers=300, vacancies=40, employers=8)
    families = session.exec(select(Family)).all()
    assert families
    for family in families:
        members = family_members(session, family)
        assert 2 <= len(members) <= 4
        assert {m.station_id for m in members} == {family.station_id}
        update_family(session, family, FamilyUpdate())  # re-checks the composition; raises if broken
    session.rollback()


def test_demo_credentials_work_against_the_api(client: TestClient, app: Any) -> None:
    credentials = load_demo(app.state.engine, app.state.vault, seekers=300, vacancies=40, employers=8)
    with Session(app.state.engine) as db:
        station_ids = {s.code: s.id for s in db.exec(select(Station)).all()}
        employer_ids = {e.name: e.id for e in db.exec(select(Employer)).all()}
    for code, key in credentials.stations.items():
        response = client.get(f"/api/v1/stations/{station_ids[code]}", headers=auth(key))
        assert response.status_code == 200, response.text
        assert response.json()["code"] == code
        assert len(response.json()["responsible_persons"]) in range(1, 4)
    zhenfeng = auth(credentials.stations["QXN-ZF"])
    assert client.get(f"/api/v1/stations/{station_ids['YB-YJ']}", headers=zhenfeng).status_code == 404
    for name, key in credentials.employers.items():
        response = client.get(f"/api/v1/employers/{employer_ids[name]}", headers=auth(key))
        assert response.status_code == 200, response.text
    everything = client.get("/api/v1/stations", headers=auth(credentials.admin))
    assert everything.status_code == 200 and len(everything.json()) == 14


def test_add_population_grows_the_demo_in_worker_processes(engine: Engine, session: Session, app: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    load_demo(engine, app.state.vault, seekers=120, vacancies=10, employers=4)
    families_before = _count(session, Family)
    monkeypatch.setattr(loader, "PARALLEL_FROM", 1)  # the path a million seekers take
    add_population(engine, app.state.vault, seekers=150, vacancies=20, seed=2019)
    assert _count(session, Seeker) == 270
    assert _count(session, Vacancy) == 30
    assert _count(session, Family) > families_before
    fingerprints = session.exec(select(Seeker.id_fingerprint)).all()
    assert len(set(fingerprints)) == 270
    for family in session.exec(select(Family)).all():
        assert {m.station_id for m in family_members(session, family)} == {family.station_id}
