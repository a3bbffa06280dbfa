from tests.factories import World


def test_station_registers_seeker_and_sees_it_masked(world: World) -> None:
    station = world.station()
    body = {
        "name": "李四",
        "id_number": "11010519491231002X",
        "phone": "13812345678",
        "origin_code": "522325",
        "skills": [{"name": "电焊", "level": "中级", "years": 3}],
        "preferred_districts": ["330203"],
        "consent_matching": True,
    }
    r = world.client.post("/api/v1/seekers", json=body, headers=station.headers)
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["id_number"] == "110105********002X"
    assert got["phone"] == "138****5678"
    assert got["sex"] == "female"
    assert got["birth_date"] == "1949-12-31"
