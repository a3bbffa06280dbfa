"""Deterministic demo populations as plain dicts: stations, employers, vacancies, seekers, families.

No database here, so benchmarks can build populations of any size in memory. Every generator takes its
own ``random.Random``; ``demo_rng(seed, part)`` gives each part an independent stream, so asking for more
vacancies does not change the seekers. Keys that are not table columns (``index``, ``industry``,
``canonical``, ``skill_canonicals``, ``family_key``, ``employer_index``…) are ground truth for tests and
benchmarks; the loader picks the columns it needs. Rows carry ``created_at`` spread over the past (so
statistics have history) but no ``updated_at``: that is when a row is written, and the matching index
polls it to notice new rows.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta

from app.demo.families import FAMILY_SHARE, generate_families
from app.demo.identifiers import MIN_AGE, birth_slot, credit_code_for, mobile_for, resident_id
from app.demo.sampling import (
    DAY,
    Row,
    Weighted,
    between,
    contact_phone,
    demo_rng,
    morning_of,
    person_name,
    prefecture_of,
)
from app.demo.vocabulary import (
    BRAND_CHARS,
    DISTRICTS,
    FALLBACK_STATION_REGION,
    FREE_TEXT_SKILLS,
    INDUSTRIES,
    LEVELS,
    OCCUPATIONS,
    ORIGIN_WEIGHTS,
    OTHER_CERTIFICATES,
    ROADS,
    SEEKER_SKILL_WEIGHTS,
    STATIONS,
)
from app.seed.places import PAIRINGS
from app.validation.identity import age_on

__all__ = [
    "FAMILY_SHARE", "SEEKER_BLOCK", "block_starts", "demo_rng", "generate_employers", "generate_families",
    "generate_seekers", "generate_stations", "generate_vacancies", "seeker_block", "seeker_blocks",
]

# Families are formed within blocks of this many seekers; it is part of what a seed means, so changing
# it changes every population.
SEEKER_BLOCK = 10_000


# --- stations and employers ---------------------------------------------------------------------------

def generate_stations(rng: random.Random) -> list[Row]:
    rows = []
    for spec in STATIONS:
        prefecture = prefecture_of(spec.county_code)
        people = [{"name": person_name(rng, prefecture, rng.choice(("male", "female"))),
                   "phone": contact_phone(rng)} for _ in range(rng.randint(1, 3))]
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
            "name": name, "credit_code": credit_code_for(i, district.code), "district_code": district.code,
            "industry": industry,
            "address": f"浙江省宁波市{district.name}{rng.choice(district.towns)}{rng.choice(ROADS)}"
                       f"{rng.randint(1, 999)}号",
            "latitude": round(rng.uniform(lat_min, lat_max), 5),
            "longitude": round(rng.uniform(lng_min, lng_max), 5),
            "verified": rng.random() < 0.7,
            "couple_dormitories": rng.randint(5, 40) if rng.random() < 0.4 else 0,
            "contact_name": person_name(rng, "330200", rng.choice(("male", "female"))),
            "contact_phone": contact_phone(rng),
        })
    return rows


# --- vacancies ----------------------------------------------------------------------------------------

_SKILLED_LEVEL: Weighted[str | None] = Weighted(dict(zip(LEVELS, (30, 45, 18, 5, 2), strict=True)))
_UNSKILLED_LEVEL: Weighted[str | None] = Weighted({None: 55, LEVELS[0]: 35, LEVELS[1]: 10})
_FACTORY_SHIFTS = Weighted({"长白班": 50, "两班倒": 35, "三班倒": 15})
_VACANCY_STATUS = Weighted({"open": 86, "paused": 5, "filled": 5, "draft": 4})
_FEW_HANDS = {"家政服务员", "育婴员", "直播销售员"}
_NO_FAMILY_POSTS = {*_FEW_HANDS, "厨师"}
_FAMILY_WORDS = {"couple": "夫妻", "father_son": "父子", "brothers": "兄弟"}
_PERKS = {(True, True): "包吃包住", (True, False): "提供住宿", (False, True): "提供工作餐"}


def _industry_of(employer: Row) -> str:
    if employer.get("industry") in INDUSTRIES:
        return str(employer["industry"])
    # Employers read back from a database carry no industry: the company name usually says it.
    return next((word for word in INDUSTRIES if word in str(employer.get("name", ""))), "电器")


def _level(rng: random.Random, skilled: bool) -> str | None:
    return (_SKILLED_LEVEL if skilled else _UNSKILLED_LEVEL).pick(rng)


def _shifts(rng: random.Random, canonical: str) -> str:
    if canonical in ("家政服务员", "育婴员"):
        return rng.choice(("住家", "白班"))
    if canonical == "保安员":
        return rng.choice(("两班倒", "三班倒"))
    return _FACTORY_SHIFTS.pick(rng)


def _family_posts(rng: random.Random, headcount: int, has_dormitory: bool) -> dict[str, int]:
    kinds = Weighted({"couple": 70 if has_dormitory else 40, "father_son": 25, "brothers": 30})
    chosen = {kinds.pick(rng)}
    if rng.random() < 0.2:
        chosen.add(kinds.pick(rng))
    budget = headcount // 2  # every family post places at least two people
    posts = {}
    for kind in sorted(chosen):
        if budget >= 1:
            posts[kind] = rng.randint(1, min(3, budget))
            budget -= posts[kind]
    return posts


def generate_vacancies(rng: random.Random, employers: Sequence[Row], n: int, today: date) -> Iterator[Row]:
    anchor = morning_of(today)
    # Earlier occupations in an industry's list are the ones it needs most.
    hiring = {name: Weighted(dict(zip(occs, range(len(occs) + 1, 1, -1), strict=True)))
              for name, occs in INDUSTRIES.items()}
    for _ in range(n):
        employer_index = rng.randrange(len(employers))
        employer = employers[employer_index]
        industry = _industry_of(employer)
        canonical = hiring[industry].pick(rng)
        occ = OCCUPATIONS[canonical]
        spelling = rng.choice(occ.spellings)
        if canonical in _FEW_HANDS:
            headcount = between(rng, 1, 5)
        else:
            headcount = between(rng, 1, 10) if occ.skilled else between(rng, 5, 60)
        low, high = occ.pay
        pay_min = low + 100 * between(rng, 0, (high - low) // 200)
        pay_max = min(9000, pay_min + 500 * between(rng, 1, 5))
        skills = [{"name": spelling, "level": _level(rng, occ.skilled),
                   "years": between(rng, 1, 5) if occ.skilled else 0}]
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
        valid_days = between(rng, 14, 60)
        status = _VACANCY_STATUS.pick(rng)
        title = rng.choice(
            (spelling, f"招聘{spelling}", f"急招{spelling}{headcount}名", f"{spelling}（{shifts}）"))
        created = anchor - timedelta(seconds=between(rng, 0, 30 * DAY))
        yield {
            "employer_index": employer_index, "canonical": canonical, "title": title, "occupation": spelling,
            "skills": skills, "certificates": certificates, "headcount": headcount,
            "hired_count": headcount if status == "filled" else 0, "district_code": employer["district_code"],
            "latitude": employer.get("latitude"), "longitude": employer.get("longitude"),
            "pay_min": pay_min, "pay_max": pay_max, "shifts": shifts, "housing": housing, "meals": meals,
            "caring_post": caring, "family_posts": family_posts,
            "start_date": today + timedelta(days=between(rng, 1, valid_days)),
            "valid_until": today + timedelta(days=valid_days), "status": status,
            "description": _describe(industry, canonical, (pay_min, pay_max), housing, meals, caring,
                                     family_posts),
            "created_at": created,
        }


def _describe(industry: str, canonical: str, pay: tuple[int, int], housing: bool, meals: bool,
              caring: bool, family_posts: dict[str, int]) -> str:
    perks = _PERKS.get((housing, meals), "")
    parts = [f"{industry}企业招{canonical}，月薪{pay[0]}-{pay[1]}元", perks]
    if caring:
        parts.append("本岗位为爱心岗位，优先录用建档立卡脱贫劳动力")
    if family_posts:
        parts.append("设亲情岗位，欢迎" + "、".join(_FAMILY_WORDS[k] for k in family_posts) + "一同应聘")
    return "，".join(p for p in parts if p) + "。"


# --- seekers ------------------------------------------------------------------------------------------

# Trades that women and men in the source regions take up at very different rates.
_FEMALE_FACTOR = {
    "缝纫工": 4.0, "刺绣工": 6.0, "家政服务员": 6.0, "育婴员": 8.0, "质检员": 2.0, "包装工": 2.0,
    "直播销售员": 3.0, "电焊工": 0.15, "叉车司机": 0.15, "电工": 0.2, "钳工": 0.2, "保安员": 0.2,
}
_SKILLS = {
    "male": Weighted(SEEKER_SKILL_WEIGHTS),
    "female": Weighted({k: w * _FEMALE_FACTOR.get(k, 1.0) for k, w in SEEKER_SKILL_WEIGHTS.items()}),
}
_SKILL_COUNT = Weighted({1: 55, 2: 32, 3: 13})
_ORIGINS = Weighted(ORIGIN_WEIGHTS)
_EXTRA_DISTRICTS = Weighted({0: 40, 1: 40, 2: 20})
_WORKPLACES = [d.code for d in DISTRICTS]


def _paired_districts() -> dict[str, list[str]]:
    by_origin: dict[str, list[str]] = {}
    for pairing in PAIRINGS:
        by_origin.setdefault(pairing.origin_code, []).append(pairing.district_code)
    # A county is helped by its own partner districts and by those paired with its whole prefecture.
    return {code: by_origin.get(code, []) + by_origin.get(prefecture_of(code), [])
            for code in ORIGIN_WEIGHTS}


_PAIRED = _paired_districts()


def _station_resolver(stations: Sequence[Row]) -> Callable[[str], str]:
    by_region = {s["region_code"]: s["code"] for s in stations}

    def station_for(origin: str) -> str:
        prefecture = prefecture_of(origin)
        code = by_region.get(origin) or by_region.get(FALLBACK_STATION_REGION.get(prefecture, ""))
        if code is None:
            near = [s["code"] for s in stations if prefecture_of(s["region_code"]) == prefecture]
            code = near[0] if near else stations[0]["code"]
        return str(code)

    return station_for


def _preferred_districts(rng: random.Random, origin: str) -> list[str]:
    paired = _PAIRED.get(origin, [])
    chosen = [rng.choice(paired)] if paired and rng.random() < 0.75 else []
    chosen += rng.sample(_WORKPLACES, _EXTRA_DISTRICTS.pick(rng) + (0 if chosen else 1))
    return list(dict.fromkeys(chosen))[:3]


def _seeker_skills(rng: random.Random, sex: str, age: int) -> tuple[list[Row], list[str], list[str]]:
    canonicals = list(dict.fromkeys(_SKILLS[sex].pick(rng) for _ in range(_SKILL_COUNT.pick(rng))))
    skills: list[Row] = []
    certificates: list[str] = []
    for canonical in canonicals:
        occ = OCCUPATIONS[canonical]
        skills.append({"name": rng.choice(occ.spellings), "level": _level(rng, occ.skilled),
                       "years": between(rng, 0, min(15, age - MIN_AGE))})
        if occ.certificate and rng.random() < occ.cert_share and occ.certificate not in certificates:
            certificates.append(occ.certificate)
    if rng.random() < 0.08:
        skills.append({"name": rng.choice(FREE_TEXT_SKILLS), "level": None, "years": 0})
    if rng.random() < 0.12:
        certificates.append(rng.choice(OTHER_CERTIFICATES))
    return skills, certificates, canonicals


def generate_seekers(rng: random.Random, stations: Sequence[Row], n: int, today: date,
                     start_index: int = 0) -> Iterator[Row]:
    """Seekers ``start_index``.. in order; the index alone fixes the birth date, ID slot and phone."""
    station_for = _station_resolver(stations)
    anchor = morning_of(today)
    for index in range(start_index, start_index + n):
        origin = _ORIGINS.pick(rng)
        sex = "male" if rng.random() < 0.62 else "female"
        birth, pair = birth_slot(index, today.year)
        skills, certificates, canonicals = _seeker_skills(rng, sex, age_on(birth, today))
        poor = rng.random() < 0.4
        matching = rng.random() < 0.95
        low, high = OCCUPATIONS[canonicals[0]].pay
        yield {
            "index": index, "station_code": station_for(origin),
            "name": person_name(rng, prefecture_of(origin), sex),
            "id_number": resident_id(origin, birth, pair, sex), "phone": mobile_for(index),
            "birth_date": birth, "sex": sex, "origin_code": origin, "registered_poor": poor,
            "poverty_evidence_ref": f"JDLK-{origin}-{between(rng, 1, 999_999):06d}" if poor else None,
            "poverty_verified_on": today - timedelta(days=between(rng, 30, 900)) if poor else None,
            "skills": skills, "certificates": certificates, "skill_canonicals": canonicals,
            "preferred_districts": _preferred_districts(rng, origin),
            "expected_pay": low + 500 * between(rng, 0, (high - low) // 500),
            "available_from": today + timedelta(days=between(rng, -20, 45)),
            "status": "active" if rng.random() < 0.94 else "inactive",
            "consent_matching": matching, "consent_push": matching and rng.random() < 0.9,
            "created_at": anchor - timedelta(seconds=between(rng, DAY, 365 * DAY)),
            "family_key": None,
        }


# --- blocks of seekers with their families ------------------------------------------------------------

def seeker_block(seed: int, stations: Sequence[Row], start: int, count: int,
                 today: date) -> tuple[list[Row], list[Row]]:
    """Seekers ``start``..``start+count-1`` and their families: a pure function of the arguments, so
    blocks can be built in any order or in other processes."""
    rng = demo_rng(seed, f"seekers:{start}")
    seekers = list(generate_seekers(rng, stations, count, today, start_index=start))
    return seekers, generate_families(rng, seekers, today)


def block_starts(n: int, start_index: int = 0) -> list[tuple[int, int]]:
    """(start, count) of each block for seekers ``start_index``..``start_index+n-1``."""
    return [(start_index + offset, min(SEEKER_BLOCK, n - offset)) for offset in range(0, n, SEEKER_BLOCK)]


def seeker_blocks(seed: int, stations: Sequence[Row], n: int, today: date, *,
                  start_index: int = 0) -> Iterator[tuple[list[Row], list[Row]]]:
    for start, count in block_starts(n, start_index):
        yield seeker_block(seed, stations, start, count, today)
