"""Deterministic demo populations as plain dicts: stations, employers, vacancies, seekers, families.

No database here, so benchmarks can build populations of any size in memory. Every function takes its
own ``random.Random``; ``demo_rng(seed, part)`` gives each part an independent stream, so asking for more
vacancies does not change the seekers. Keys that are not table columns (``index``, ``industry``,
``canonical``, ``skill_canonicals``, ``family_key``…) are ground truth for tests and benchmarks.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from app.clock import SHANGHAI
from app.demo.vocabulary import (
    BRAND_CHARS, DISTRICTS, FALLBACK_STATION_REGION, FEMALE_CHARS, FREE_TEXT_SKILLS, ID_AREA_CODES, INDUSTRIES,
    LEVELS, MALE_CHARS, OCCUPATIONS, ORIGIN_WEIGHTS, OTHER_CERTIFICATES, ROADS, SEEKER_SKILL_WEIGHTS, STATIONS,
    SURNAMES,
)
from app.seed.places import PAIRINGS, REGIONS_BY_CODE
from app.validation.credit_code import ALPHABET, make_credit_code, organization_code_check_char
from app.validation.identity import age_on, make_resident_id

Row = dict[str, Any]

# Families are formed within blocks of this many seekers; it is part of what a seed means, so changing
# it changes every population.
SEEKER_BLOCK = 10_000
FAMILY_SHARE = 0.10
MIN_AGE, MAX_AGE = 18, 55


def demo_rng(seed: int, part: str) -> random.Random:
    # String seeds are hashed with SHA-512, so streams are stable across runs and PYTHONHASHSEED.
    return random.Random(f"jobmatch-demo:{seed}:{part}")


# --- identity numbers -------------------------------------------------------------------------------
# An ID is unique when its (birth date, order code) pair is, whatever its area code and sex: the sex only
# sets the order code's last bit. Each birth date has a number of "slots" (order codes / 2, at most 500)
# shaped like the age profile of migrant workers; index → slot is a bijection (multiplication by a unit
# mod the slot count), so any million indices give a million distinct IDs and a realistic age mix.

def _age_weight(age: int) -> float:
    if age < 20:
        return 0.5
    if age < 25:
        return 0.9
    if age < 40:
        return 1.0
    if age < 45:
        return 0.8
    return 0.6 if age < 50 else 0.35


@dataclass(frozen=True, slots=True)
class _Slots:
    first_day: date
    cumulative: list[int]
    total: int
    step: int


@lru_cache(maxsize=4)
def _slots(year: int) -> _Slots:
    # Births from 1 Jan (year-55) to 31 Dec (year-19) are aged 18-55 on every day of `year`; tying the
    # window to the year, not the day, keeps a population's IDs stable while a demo is extended.
    first, last = date(year - MAX_AGE, 1, 1), date(year - MIN_AGE - 1, 12, 31)
    cumulative = [0]
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        cumulative.append(cumulative[-1] + round(500 * _age_weight(year - day.year)))
    total = cumulative[-1]
    step = int(total * 0.6180339887)  # golden ratio: consecutive indices land far apart
    while math.gcd(step, total) != 1:
        step += 1
    return _Slots(first, cumulative, total, step)


def birth_slot(index: int, year: int) -> tuple[date, int]:
    """The birth date and order-code pair (0-499) reserved for seeker ``index`` in ``year``."""
    slots = _slots(year)
    if not 0 <= index < slots.total:
        raise ValueError(f"seeker index must be within 0..{slots.total - 1}")
    k = index * slots.step % slots.total
    day = bisect.bisect_right(slots.cumulative, k) - 1
    return slots.first_day + timedelta(days=day), k - slots.cumulative[day]


def _resident_id(origin: str, birth: date, pair: int, sex: str) -> str:
    return make_resident_id(ID_AREA_CODES.get(origin, origin), birth, 2 * pair, sex)


def mobile_for(index: int) -> str:
    """A mobile number unique to ``index``: a bijection onto 1[3-9]XXXXXXXXX (the step is prime)."""
    u = (index * 2_654_435_761 + 123_456_789) % (7 * 10**9)
    return f"1{3 + u // 10**9}{u % 10**9:09d}"


# --- people and places ------------------------------------------------------------------------------

def _prefecture(code: str) -> str:
    parent = REGIONS_BY_CODE[code].parent_code
    return parent or code


def _given_name(rng: random.Random, sex: str) -> str:
    chars = MALE_CHARS if sex == "male" else FEMALE_CHARS
    return rng.choice(chars) if rng.random() < 0.3 else rng.choice(chars) + rng.choice(chars)


def _person_name(rng: random.Random, prefecture: str, sex: str) -> str:
    return rng.choice(SURNAMES.get(prefecture, SURNAMES["522300"])) + _given_name(rng, sex)


def _contact_phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def _anchor(today: date) -> datetime:
    return datetime.combine(today, time(8), tzinfo=SHANGHAI).astimezone(UTC)


def generate_stations(rng: random.Random) -> list[Row]:
    rows = []
    for spec in STATIONS:
        prefecture = _prefecture(spec.county_code)
        people = [
            {"name": _person_name(rng, prefecture, rng.choice(("male", "female"))), "phone": _contact_phone(rng)}
            for _ in range(rng.randint(1, 3))
        ]
        rows.append({
            "code": spec.code, "name": f"{spec.county_name}劳务协作站", "region_code": spec.county_code,
            "contact_name": people[0]["name"], "contact_phone": people[0]["phone"],
            "address": f"{spec.county_name}就业服务中心（宁波市人力资源市场{spec.county_name}分市场）",
            "responsible_persons": people,
        })
    return rows


def generate_employers(rng: random.Random, n: int) -> list[Row]:
    rows: list[Row] = []
    names: set[str] = set()
    for i in range(n):
        district = DISTRICTS[i % len(DISTRICTS)]
        industry = rng.choice(district.industries)
        prefix = rng.choice(district.name_prefixes)
        for attempt in itertools.count():
            name = f"{prefix}{''.join(rng.sample(BRAND_CHARS, 2))}{industry}有限公司"
            if attempt > 20:
                name += f"第{i}分公司"
            if name not in names:
                break
        names.add(name)
        lat_min, lat_max, lng_min, lng_max = district.box
        rows.append({
            "name": name, "credit_code": _credit_code(i, district.code), "district_code": district.code,
            "industry": industry,
            "address": f"浙江省宁波市{district.name}{rng.choice(district.towns)}{rng.choice(ROADS)}"
                       f"{rng.randint(1, 999)}号",
            "latitude": round(rng.uniform(lat_min, lat_max), 5), "longitude": round(rng.uniform(lng_min, lng_max), 5),
            "verified": rng.random() < 0.7,
            "couple_dormitories": rng.randint(5, 40) if rng.random() < 0.4 else 0,
            "contact_name": _person_name(rng, "330200", rng.choice(("male", "female"))),
            "contact_phone": _contact_phone(rng),
        })
    return rows


def _credit_code(i: int, area: str) -> str:
    # Post-2015 style "91 330206 MA2xxxxx?": the body is unique per i, with a correct inner GB 11714 check.
    u = (i * 7_368_787 + 1_234_567) % 31**5
    body = "".join(ALPHABET[u // 31**p % 31] for p in range(4, -1, -1))
    org8 = f"MA2{body}"
    return make_credit_code(f"91{area}{org8}{organization_code_check_char(org8)}")


# --- vacancies ----------------------------------------------------------------------------------------

_SKILLED_LEVELS = ((None, *LEVELS), (0, 30, 45, 18, 5, 2))
_UNSKILLED_LEVELS = ((None, "初级", "中级"), (60, 35, 5))
_NO_FAMILY_POSTS = {"家政服务员", "育婴员", "直播销售员", "厨师"}


def _industry_of(employer: Row) -> str:
    if employer.get("industry") in INDUSTRIES:
        return str(employer["industry"])
    # Employers read back from a database carry no industry: the company name usually says it.
    return next((word for word in INDUSTRIES if word in str(employer.get("name", ""))), "电器")


def _level(rng: random.Random, skilled: bool) -> str | None:
    levels, weights = _SKILLED_LEVELS if skilled else _UNSKILLED_LEVELS
    return rng.choices(levels, weights)[0]


def _shifts(rng: random.Random, canonical: str) -> str:
    if canonical in ("家政服务员", "育婴员"):
        return rng.choice(("住家", "白班"))
    if canonical == "保安员":
        return rng.choice(("两班倒", "三班倒"))
    return rng.choices(("长白班", "两班倒", "三班倒"), (50, 35, 15))[0]


def _family_posts(rng: random.Random, headcount: int, has_dormitory: bool) -> dict[str, int]:
    kinds = ["couple", "father_son", "brothers"]
    weights = [70 if has_dormitory else 40, 25, 30]
    chosen = {rng.choices(kinds, weights)[0]}
    if rng.random() < 0.2:
        chosen.add(rng.choice(kinds))
    budget = headcount // 2  # every family post places at least two people
    posts = {}
    for kind in sorted(chosen):
        if budget < 1:
            break
        posts[kind] = rng.randint(1, min(3, budget))
        budget -= posts[kind]
    return posts


def generate_vacancies(rng: random.Random, employers: Sequence[Row], n: int, today: date) -> Iterator[Row]:
    anchor = _anchor(today)
    for _ in range(n):
        employer_index = rng.randrange(len(employers))
        employer = employers[employer_index]
        industry = _industry_of(employer)
        hiring = INDUSTRIES[industry]
        # Earlier occupations in an industry's list are the ones it needs most.
        canonical = rng.choices(hiring, range(len(hiring) + 1, 1, -1))[0]
        occ = OCCUPATIONS[canonical]
        spelling = rng.choice(occ.spellings)
        if canonical in ("家政服务员", "育婴员", "直播销售员"):
            headcount = rng.randint(1, 5)
        else:
            headcount = rng.randint(1, 10) if occ.skilled else rng.randint(5, 60)
        low, high = occ.pay
        pay_min = rng.randrange(low, (low + high) // 2 + 1, 100)
        pay_max = min(9000, pay_min + rng.choice((500, 1000, 1500, 2000, 2500)))
        skills = [{"name": spelling, "level": _level(rng, occ.skilled),
                   "years": rng.randint(1, 5) if occ.skilled else 0}]
        certificates = []
        if occ.certificate and (canonical == "叉车司机" or rng.random() < 0.5):
            certificates.append(occ.certificate)
        shifts = _shifts(rng, canonical)
        housing = shifts == "住家" or rng.random() < 0.75
        meals = rng.random() < 0.7
        caring = rng.random() < 0.15
        family_posts: dict[str, int] = {}
        if canonical not in _NO_FAMILY_POSTS and headcount >= 2 and rng.random() < 0.23:
            family_posts = _family_posts(rng, headcount, employer.get("couple_dormitories", 0) > 0)
        valid_days = rng.randint(14, 60)
        status = rng.choices(("open", "paused", "filled", "draft"), (86, 5, 5, 4))[0]
        title = rng.choice((spelling, f"招聘{spelling}", f"急招{spelling}{headcount}名", f"{spelling}（{shifts}）"))
        created = anchor - timedelta(days=rng.randint(0, 30), seconds=rng.randrange(86_400))
        yield {
            "employer_index": employer_index, "canonical": canonical, "title": title, "occupation": spelling,
            "skills": skills, "certificates": certificates, "headcount": headcount,
            "hired_count": headcount if status == "filled" else 0, "district_code": employer["district_code"],
            "latitude": employer.get("latitude"), "longitude": employer.get("longitude"),
            "pay_min": pay_min, "pay_max": pay_max, "shifts": shifts, "housing": housing, "meals": meals,
            "caring_post": caring, "family_posts": family_posts,
            "start_date": today + timedelta(days=rng.randint(1, valid_days)),
            "valid_until": today + timedelta(days=valid_days), "status": status,
            "description": _describe(industry, canonical, pay_min, pay_max, housing, meals, caring, family_posts),
            "created_at": created, "updated_at": created,
        }


def _describe(industry: str, canonical: str, pay_min: int, pay_max: int, housing: bool, meals: bool,
              caring: bool, family_posts: dict[str, int]) -> str:
    perks = {(True, True): "包吃包住", (True, False): "提供住宿", (False, True): "提供工作餐"}.get((housing, meals), "")
    parts = [f"{industry}企业招{canonical}，月薪{pay_min}-{pay_max}元", perks]
    if caring:
        parts.append("本岗位为爱心岗位，优先录用建档立卡脱贫劳动力")
    if family_posts:
        words = {"couple": "夫妻", "father_son": "父子", "brothers": "兄弟"}
        parts.append("设亲情岗位，欢迎" + "、".join(words[k] for k in family_posts) + "一同应聘")
    return "，".join(p for p in parts if p) + "。"


# --- seekers and families ----------------------------------------------------------------------------

_FEMALE_LEANING = {"缝纫工": 4.0, "刺绣工": 6.0, "家政服务员": 6.0, "育婴员": 8.0, "质检员": 2.0, "包装工": 2.0,
                   "直播销售员": 3.0, "电焊工": 0.15, "叉车司机": 0.15, "电工": 0.2, "钳工": 0.2, "保安员": 0.2}


def _skill_table(sex: str) -> tuple[list[str], list[float]]:
    names = list(SEEKER_SKILL_WEIGHTS)
    weights = [SEEKER_SKILL_WEIGHTS[n] * (_FEMALE_LEANING.get(n, 1.0) if sex == "female" else 1.0) for n in names]
    return names, list(itertools.accumulate(weights))


_SKILL_TABLES = {sex: _skill_table(sex) for sex in ("male", "female")}
_PAIRED_DISTRICTS: dict[str, list[str]] = {}
for _p in PAIRINGS:
    _PAIRED_DISTRICTS.setdefault(_p.origin_code, []).append(_p.district_code)
_WORKPLACES = [d.code for d in DISTRICTS]


def _station_resolver(stations: Sequence[Row]) -> Callable[[str], str]:
    by_region = {s["region_code"]: s["code"] for s in stations}

    def station_for(origin: str) -> str:
        prefecture = _prefecture(origin)
        fallback = FALLBACK_STATION_REGION.get(prefecture, "")
        code = by_region.get(origin) or by_region.get(fallback)
        if code is None:
            near = [s["code"] for s in stations if _prefecture(s["region_code"]) == prefecture]
            code = near[0] if near else stations[0]["code"]
        return str(code)

    return station_for


def _preferred_districts(rng: random.Random, origin: str) -> list[str]:
    paired = _PAIRED_DISTRICTS.get(origin, []) + _PAIRED_DISTRICTS.get(_prefecture(origin), [])
    chosen = [rng.choice(paired)] if paired and rng.random() < 0.75 else []
    chosen += rng.sample(_WORKPLACES, rng.choices((0, 1, 2), (40, 40, 20))[0] + (0 if chosen else 1))
    return list(dict.fromkeys(chosen))[:3]


def _seeker_skills(rng: random.Random, sex: str, age: int) -> tuple[list[Row], list[str], list[str]]:
    names, cumulative = _SKILL_TABLES[sex]
    canonicals: list[str] = []
    for _ in range(rng.choices((1, 2, 3), (55, 32, 13))[0]):
        pick = rng.choices(names, cum_weights=cumulative)[0]
        if pick not in canonicals:
            canonicals.append(pick)
    skills: list[Row] = []
    certificates: list[str] = []
    for canonical in canonicals:
        occ = OCCUPATIONS[canonical]
        skills.append({"name": rng.choice(occ.spellings), "level": _level(rng, occ.skilled),
                       "years": rng.randint(0, min(15, age - MIN_AGE))})
        if occ.certificate and rng.random() < occ.cert_share and occ.certificate not in certificates:
            certificates.append(occ.certificate)
    if rng.random() < 0.08:
        skills.append({"name": rng.choice(FREE_TEXT_SKILLS), "level": None, "years": 0})
    if rng.random() < 0.12:
        certificates.append(rng.choice(OTHER_CERTIFICATES))
    return skills, certificates, canonicals


def generate_seekers(rng: random.Random, stations: Sequence[Row], n: int, today: date,
                     start_index: int = 0) -> Iterator[Row]:
    station_for = _station_resolver(stations)
    origins = list(ORIGIN_WEIGHTS)
    cumulative = list(itertools.accumulate(ORIGIN_WEIGHTS.values()))
    anchor = _anchor(today)
    for index in range(start_index, start_index + n):
        origin = rng.choices(origins, cum_weights=cumulative)[0]
        sex = "male" if rng.random() < 0.62 else "female"
        birth, pair = birth_slot(index, today.year)
        skills, certificates, canonicals = _seeker_skills(rng, sex, age_on(birth, today))
        poor = rng.random() < 0.4
        matching = rng.random() < 0.95
        main_pay = OCCUPATIONS[canonicals[0]].pay
        yield {
            "index": index, "station_code": station_for(origin), "name": _person_name(rng, _prefecture(origin), sex),
            "id_number": _resident_id(origin, birth, pair, sex), "phone": mobile_for(index),
            "birth_date": birth, "sex": sex, "origin_code": origin, "registered_poor": poor,
            "poverty_evidence_ref": f"JDLK-{origin}-{rng.randrange(1, 10**6):06d}" if poor else None,
            "poverty_verified_on": today - timedelta(days=rng.randint(30, 900)) if poor else None,
            "skills": skills, "certificates": certificates, "skill_canonicals": canonicals,
            "preferred_districts": _preferred_districts(rng, origin),
            "expected_pay": rng.randrange(main_pay[0], main_pay[1] + 1, 500),
            "available_from": today + timedelta(days=rng.randint(-20, 45)),
            "status": "active" if rng.random() < 0.94 else "inactive",
            "consent_matching": matching, "consent_push": matching and rng.random() < 0.9,
            "created_at": anchor - timedelta(days=rng.randint(1, 365), seconds=rng.randrange(86_400)),
            "family_key": None,
        }


_KINDS = ("couple", "father_son", "brothers", "other")
_HOUSEHOLD = ("station_code", "origin_code", "registered_poor", "poverty_evidence_ref", "poverty_verified_on",
              "available_from", "status")


def _gap(a: Row, b: Row) -> int:
    older, younger = sorted((a["birth_date"], b["birth_date"]))
    return age_on(older, younger)


def _become(rng: random.Random, seeker: Row, sex: str, surname: str | None) -> None:
    """Give a family member the sex and surname the family needs (a new given name to suit)."""
    if seeker["sex"] != sex or surname:
        seeker["name"] = (surname or seeker["name"][0]) + _given_name(rng, sex)
    seeker["sex"] = sex


def _reissue_id(seeker: Row) -> None:
    # The birth date and order-code pair stay, so the number stays unique; area and sex may have changed.
    pair = int(seeker["id_number"][14:17]) // 2
    seeker["id_number"] = _resident_id(seeker["origin_code"], seeker["birth_date"], pair, seeker["sex"])


def _fits(kind: str, anchor: Row, other: Row, today: date) -> bool:
    gap = _gap(anchor, other)
    if kind == "couple":
        # 22 is the legal marriage age for men (20 for women); asking it of both keeps the check simple.
        return gap <= 8 and min(age_on(anchor["birth_date"], today), age_on(other["birth_date"], today)) >= 22
    if kind == "father_son":
        return 20 <= gap <= 35
    if kind == "brothers":
        return gap <= 10
    return gap <= 30


def _family_size(rng: random.Random, kind: str) -> int:
    if kind in ("couple", "father_son"):
        return 2
    return rng.choice((2, 2, 3)) if kind == "brothers" else rng.choice((2, 3, 4))


def generate_families(rng: random.Random, seekers: list[Row], today: date) -> list[Row]:
    """Groups about a tenth of ``seekers`` into families, rewriting members so each family keeps the
    service's rules (couple of two sexes, father at least 15 years older, brothers male, one station).
    Members share the anchor's household: station, origin, registered-poor record, preferences."""
    target = round(len(seekers) * FAMILY_SHARE)
    free = [s for s in seekers if s.get("family_key") is None]
    rng.shuffle(free)
    taken: set[int] = set()
    families: list[Row] = []
    placed = 0
    for anchor in free:
        if placed >= target:
            break
        if anchor["index"] in taken:
            continue
        kind = rng.choices(_KINDS, (45, 20, 25, 10))[0]
        size = _family_size(rng, kind)
        members = [anchor]
        chosen = {anchor["index"]}
        for _ in range(40 * size):
            candidate = rng.choice(free)
            if candidate["index"] in taken or candidate["index"] in chosen or not _fits(kind, anchor, candidate,
                                                                                       today):
                continue
            members.append(candidate)
            chosen.add(candidate["index"])
            if len(members) == size:
                break
        if len(members) < size:
            continue
        for member in members[1:]:
            for field in _HOUSEHOLD:
                member[field] = anchor[field]
            member["preferred_districts"] = list(anchor["preferred_districts"])
        _shape(rng, kind, members)
        for member in members:
            _reissue_id(member)
            member["family_key"] = anchor["index"]
        taken |= chosen
        placed += len(members)
        families.append({
            "key": anchor["index"], "station_code": anchor["station_code"], "kind": kind,
            "must_stay_together": rng.random() < 0.9,
            "needs_couple_dormitory": kind == "couple" and rng.random() < 0.7,
            "member_indexes": [m["index"] for m in members],
            "created_at": max(m["created_at"] for m in members),
        })
    return families


def _shape(rng: random.Random, kind: str, members: list[Row]) -> None:
    if kind == "couple":
        first, second = members
        _become(rng, second, "female" if first["sex"] == "male" else "male", None)
    elif kind in ("father_son", "brothers"):
        surname = members[0]["name"][0]
        _become(rng, members[0], "male", None)
        for member in members[1:]:
            _become(rng, member, "male", surname)


def seeker_block(seed: int, stations: Sequence[Row], start: int, count: int, today: date) -> tuple[list[Row], list[Row]]:
    """Seekers ``start``..``start+count-1`` and their families; a pure function of its arguments."""
    rng = demo_rng(seed, f"seekers:{start}")
    seekers = list(generate_seekers(rng, stations, count, today, start_index=start))
    return seekers, generate_families(rng, seekers, today)


def seeker_blocks(seed: int, stations: Sequence[Row], n: int, today: date, *,
                  start_index: int = 0) -> Iterator[tuple[list[Row], list[Row]]]:
    for offset in range(0, n, SEEKER_BLOCK):
        yield seeker_block(seed, stations, start_index + offset, min(SEEKER_BLOCK, n - offset), today)
