from __future__ import annotations

import math

import pytest

from app.seed.places import (
    NINGBO_DISTRICT_CODES,
    PAIRINGS,
    REGIONS,
    REGIONS_BY_CODE,
    YILONG_CODE,
    RegionSeed,
    is_standard_code,
)

EARTH_RADIUS_KM = 6371.0


def km(a: RegionSeed, b: RegionSeed) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def point(lat: float, lon: float) -> RegionSeed:
    return RegionSeed("x", "x", "county", None, "none", lat, lon)


def region(code: str) -> RegionSeed:
    return REGIONS_BY_CODE[code]


def test_codes_are_unique() -> None:
    codes = [r.code for r in REGIONS]
    assert len(codes) == len(set(codes)) == len(REGIONS_BY_CODE)


def test_names_are_unique() -> None:
    names = [r.name for r in REGIONS]
    assert len(names) == len(set(names))


def test_every_parent_exists_and_is_one_level_up() -> None:
    parent_level = {"prefecture": "province", "county": "prefecture", "district": "prefecture"}
    for r in REGIONS:
        if r.level == "province":
            assert r.parent_code is None, r
            continue
        assert r.parent_code in REGIONS_BY_CODE, r
        assert region(r.parent_code).level == parent_level[r.level], r


def test_levels_and_roles_are_known() -> None:
    for r in REGIONS:
        assert r.level in {"province", "prefecture", "county", "district"}
        assert r.role in {"origin", "workplace", "none"}


def test_standard_codes_nest_in_their_parents() -> None:
    for r in REGIONS:
        if not is_standard_code(r.code):
            continue
        if r.level == "province":
            assert r.code.endswith("0000")
        elif r.level == "prefecture":
            assert r.parent_code is not None
            assert r.code.endswith("00") and r.code[:2] == r.parent_code[:2]
        else:
            assert r.parent_code is not None and r.code[:4] == r.parent_code[:4], r


def test_yilong_has_a_project_code_under_qianxinan() -> None:
    yilong = region(YILONG_CODE)
    assert yilong.name == "义龙新区"
    assert yilong.parent_code == "522300"
    assert not is_standard_code(YILONG_CODE)
    assert [r.code for r in REGIONS if not is_standard_code(r.code)] == [YILONG_CODE]


def test_domain_places_are_all_present() -> None:
    expected = {
        "330203": "海曙区", "330205": "江北区", "330206": "北仑区", "330211": "镇海区", "330212": "鄞州区",
        "330213": "奉化区", "330225": "象山县", "330226": "宁海县", "330281": "余姚市", "330282": "慈溪市",
        "522301": "兴义市", "522302": "兴仁市", "522323": "普安县", "522324": "晴隆县", "522325": "贞丰县",
        "522326": "望谟县", "522327": "册亨县", "522328": "安龙县",
        "222401": "延吉市", "222402": "图们市", "222403": "敦化市", "222404": "珲春市", "222405": "龙井市",
        "222406": "和龙市", "222424": "汪清县", "222426": "安图县",
        "330000": "浙江省", "520000": "贵州省", "220000": "吉林省", "330200": "宁波市",
    }  # fmt: skip
    for code, name in expected.items():
        assert region(code).name == name
    assert region("522300").name.startswith("黔西南")
    assert region("222400").name.startswith("延边")
    assert region("522600").name.startswith("黔东南")


def test_qiandongnan_has_its_sixteen_counties() -> None:
    children = [r for r in REGIONS if r.parent_code == "522600"]
    assert len(children) == 16
    assert region("522601").name == "凯里市"


def test_ningbo_districts_are_the_ten_workplaces() -> None:
    assert len(NINGBO_DISTRICT_CODES) == 10
    workplaces = {r.code for r in REGIONS if r.role == "workplace"}
    assert workplaces == set(NINGBO_DISTRICT_CODES)
    for code in NINGBO_DISTRICT_CODES:
        assert region(code).role == "workplace"
        assert region(code).parent_code == "330200"


def test_partner_regions_are_origins() -> None:
    for r in REGIONS:
        if r.code[:4] in {"5223", "2224", "5226"} or r.code == YILONG_CODE:
            assert r.role == "origin", r
        if r.level == "province" or r.code == "330200":
            assert r.role == "none", r


def test_coordinates_are_inside_china() -> None:
    for r in REGIONS:
        assert 18.0 <= r.latitude <= 53.6, r
        assert 73.5 <= r.longitude <= 135.1, r


def test_each_county_seat_is_near_its_prefecture_seat() -> None:
    for r in REGIONS:
        if r.level in {"county", "district"}:
            assert km(r, region(r.parent_code or "")) <= 300, r


def test_each_prefecture_seat_is_within_its_province() -> None:
    for r in REGIONS:
        if r.level == "prefecture":
            assert km(r, region(r.parent_code or "")) <= 700, r


@pytest.mark.parametrize(
    ("code", "lat", "lon"),
    [
        ("522301", 25.09, 104.89),  # 兴义市
        ("330203", 29.87, 121.55),  # 海曙区
        ("222401", 42.89, 129.51),  # 延吉市
        ("522601", 26.58, 107.98),  # 凯里市
        ("330000", 30.27, 120.15),  # 浙江省 (Hangzhou)
    ],
)
def test_known_seats(code: str, lat: float, lon: float) -> None:
    assert km(region(code), point(lat, lon)) <= 5


def test_relative_geography() -> None:
    # Cheap guards against swapped or mistyped coordinates.
    assert region("222404").longitude > region("222401").longitude  # 珲春 east of 延吉
    assert region("222403").longitude < region("222426").longitude  # 敦化 west of 安图
    assert region("522301").longitude < region("522325").longitude  # 兴义 west of 贞丰
    assert region("522327").latitude < region("522324").latitude  # 册亨 south of 晴隆
    assert region("330225").latitude < region("330212").latitude  # 象山 south of 鄞州
    assert region("330226").latitude < region("330225").latitude  # 宁海 south of 象山
    assert region("330282").latitude > region("330281").latitude  # 慈溪 north of 余姚
    assert region("330206").longitude > region("330211").longitude  # 北仑 east of 镇海
    assert 1500 < km(region("330200"), region("522300")) < 2000  # Ningbo — Xingyi
    assert 1400 < km(region("330200"), region("222400")) < 1800  # Ningbo — Yanji


def test_pairings_reference_known_regions() -> None:
    assert len(PAIRINGS) == 10
    for pairing in PAIRINGS:
        assert pairing.district_code in NINGBO_DISTRICT_CODES
        assert region(pairing.origin_code).role == "origin"
    assert len({(p.district_code, p.origin_code) for p in PAIRINGS}) == len(PAIRINGS)


def test_named_pairings() -> None:
    names = {(region(p.district_code).name, region(p.origin_code).name) for p in PAIRINGS}
    assert names == {
        ("海曙区", "贞丰县"),
        ("海曙区", "义龙新区"),
        ("镇海区", "普安县"),
        ("宁海县", "晴隆县"),
        ("鄞州区", "和龙市"),
        ("鄞州区", "延吉市"),
        ("奉化区", "珲春市"),
        ("奉化区", "安图县"),
        ("慈溪市", "黔西南布依族苗族自治州"),
        ("象山县", "延边朝鲜族自治州"),
    }


def test_is_standard_code() -> None:
    assert is_standard_code("522301")
    assert not is_standard_code(YILONG_CODE)
    assert not is_standard_code("52230")
    assert not is_standard_code("５２２３０１")
