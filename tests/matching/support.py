"""Builders and Hypothesis strategies for the matching tests: plain profiles, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from app.matching.context import MatchContext, Weights
from app.matching.index import MatchIndex
from app.matching.profiles import (
    EmployerProfile,
    FamilyProfile,
    SeekerProfile,
    SkillClaim,
    VacancyProfile,
)
from app.matching.reference import Population

TODAY = date(2024, 3, 1)

HAISHU, BEILUN, CIXI, XIANGSHAN, YINZHOU = "330203", "330206", "330282", "330225", "330212"
QIANXINAN, ZHENFENG, XINGYI, PUAN = "522300", "522325", "522301", "522323"
YANBIAN, HELONG = "222400", "222406"
PARENT = {ZHENFENG: QIANXINAN, XINGYI: QIANXINAN, PUAN: QIANXINAN, HELONG: YANBIAN}

NAMES = {
    HAISHU: "海曙区",
    BEILUN: "北仑区",
    CIXI: "慈溪市",
    XIANGSHAN: "象山县",
    YINZHOU: "鄞州区",
    QIANXINAN: "黔西南布依族苗族自治州",
    ZHENFENG: "贞丰县",
    XINGYI: "兴义市",
    PUAN: "普安县",
    YANBIAN: "延边朝鲜族自治州",
    HELONG: "和龙市",
}
COORDS = {
    HAISHU: (29.874, 121.546),
    BEILUN: (29.909, 121.829),
    CIXI: (30.177, 121.247),
    ZHENFENG: (25.386, 105.650),
    XINGYI: (25.093, 104.891),
    HELONG: (42.546, 129.011),
}
# County pairings and two prefecture-wide ones (慈溪—黔西南, 象山—延边), as in the article.
PAIRINGS = frozenset({(HAISHU, ZHENFENG), (CIXI, QIANXINAN), (XIANGSHAN, YANBIAN), (YINZHOU, HELONG)})


def context(**overrides: Any) -> MatchContext:
    values: dict[str, Any] = {
        "today": TODAY,
        "pairings": PAIRINGS,
        "region_names": NAMES,
        "region_coords": COORDS,
    }
    values.update(overrides)
    return MatchContext(**values)


def seeker(
    id: int = 1, skills: tuple[tuple[str, int, int], ...] = (("电焊工", 2, 3),), **overrides: Any
) -> SeekerProfile:
    origin = overrides.pop("origin_code", ZHENFENG)
    values: dict[str, Any] = {
        "id": id,
        "station_id": 1,
        "origin_code": origin,
        "origin_parent_code": PARENT.get(origin),
        "registered_poor": False,
        "skills": tuple(SkillClaim(*s) for s in skills),
        "certificates": frozenset(),
        "preferred_districts": (HAISHU,),
        "expected_pay": 5000,
        "available_from": None,
        "active": True,
        "consent_matching": True,
        "family_id": None,
    }
    values.update(overrides)
    return SeekerProfile(**values)


def vacancy(id: int = 100, occupation: str = "焊工", **overrides: Any) -> VacancyProfile:
    values: dict[str, Any] = {
        "id": id,
        "employer_id": 7,
        "occupation": occupation,
        "skills": (),
        "certificates": frozenset(),
        "district_code": HAISHU,
        "latitude": None,
        "longitude": None,
        "pay_min": 5000,
        "pay_max": 7000,
        "caring_post": False,
        "family_posts": {},
        "start_date": None,
        "open_places": 3,
        "is_open": True,
    }
    values.update(overrides)
    if isinstance(values["skills"], tuple) and values["skills"] and isinstance(values["skills"][0], tuple):
        values["skills"] = tuple(SkillClaim(*s) for s in values["skills"])
    return VacancyProfile(**values)


def employer(id: int = 7, free: int = 0, district: str = HAISHU) -> EmployerProfile:
    return EmployerProfile(id=id, name=f"宁波{id}号厂", district_code=district, free_couple_dormitories=free)


def population(*items: object) -> Population:
    pop = Population()
    for item in items:
        if isinstance(item, SeekerProfile):
            pop.seekers[item.id] = item
        elif isinstance(item, VacancyProfile):
            pop.vacancies[item.id] = item
        elif isinstance(item, EmployerProfile):
            pop.employers[item.id] = item
        elif isinstance(item, FamilyProfile):
            pop.families[item.id] = item
    return pop


def index_of(pop: Population, ctx: MatchContext) -> MatchIndex:
    return MatchIndex.build(
        ctx,
        seekers=pop.seekers.values(),
        vacancies=pop.vacancies.values(),
        employers=pop.employers.values(),
        families=pop.families.values(),
    )


# --- random populations --------------------------------------------------------------------------------

# Synonyms, related and unrelated trades, a fuzzy guess (汽车电焊工, 电子厂普工) and text the
# taxonomy cannot place (会开拖拉机).
SKILL_TEXTS = [
    "电焊",
    "焊工",
    "氩弧焊",
    "汽车电焊工",
    "缝纫工",
    "车位",
    "刺绣工",
    "普工",
    "电子厂普工",
    "操作工",
    "装配工",
    "叉车",
    "电工",
    "会开拖拉机",
    "保洁",
]
CERTS = ["叉车证", "电工证", "健康证明", "ＣＮＣ证"]
DISTRICTS = [HAISHU, BEILUN, CIXI, XIANGSHAN, YINZHOU]
ORIGINS = [ZHENFENG, XINGYI, PUAN, HELONG, "510100"]
WEIGHTS = [
    Weights(),
    Weights(skills=40, location=25, pairing=15, pay=10, start=5, family=5),
    Weights(skills=60, location=0, pairing=20, pay=10, start=5, family=5),
    Weights(skills=33.3, location=16.7, pairing=12.5, pay=12.5, start=12.5, family=12.5),
]


def claims(pool: list[str], min_size: int = 0) -> st.SearchStrategy[list[tuple[str, int, int]]]:
    return st.lists(
        st.tuples(st.sampled_from(pool), st.integers(0, 5), st.integers(0, 12)), min_size=min_size, max_size=3
    )


dates = st.one_of(st.none(), st.integers(-10, 50).map(lambda d: TODAY + timedelta(days=d)))


@st.composite
def seekers_st(
    draw: st.DrawFn, id: int, family_id: int | None = None, pool: list[str] = SKILL_TEXTS, eager: bool = False
) -> SeekerProfile:
    """A random seeker; an ``eager`` one almost always can match (active, consenting, some skill)."""
    origin = draw(st.sampled_from(ORIGINS))
    return SeekerProfile(
        id=id,
        station_id=draw(st.integers(1, 3)),
        origin_code=origin,
        origin_parent_code=PARENT.get(origin),
        registered_poor=draw(st.booleans()),
        skills=tuple(SkillClaim(*c) for c in draw(claims(pool, 1 if eager else 0))),
        certificates=frozenset(draw(st.lists(st.sampled_from([*CERTS, "驾驶证", " 叉车证 "]), max_size=2))),
        preferred_districts=tuple(draw(st.lists(st.sampled_from(DISTRICTS), max_size=3, unique=True))),
        expected_pay=draw(st.one_of(st.none(), st.integers(3000, 9000))),
        available_from=draw(dates),
        active=draw(st.integers(0, 30 if eager else 4)) > 0,
        consent_matching=draw(st.integers(0, 30 if eager else 5)) > 0,
        family_id=family_id,
    )


@st.composite
def vacancies_st(draw: st.DrawFn, id: int, employer_ids: list[int], pool: list[str] = SKILL_TEXTS) -> VacancyProfile:
    pay_min = draw(st.integers(3000, 8000))
    posts = draw(st.dictionaries(st.sampled_from(["couple", "father_son", "brothers"]), st.integers(0, 2), max_size=3))
    if draw(st.integers(0, 2)) == 0:
        posts = {}
    return VacancyProfile(
        id=id,
        employer_id=draw(st.sampled_from(employer_ids)),
        occupation=draw(st.sampled_from(pool)),
        skills=tuple(SkillClaim(*c) for c in draw(claims(pool))[:2]),
        certificates=frozenset(
            draw(st.lists(st.sampled_from(CERTS), max_size=2)) if draw(st.integers(0, 3)) == 0 else ()
        ),
        district_code=draw(st.sampled_from(DISTRICTS)),
        latitude=None,
        longitude=None,
        pay_min=pay_min,
        pay_max=pay_min + draw(st.integers(0, 3000)),
        caring_post=draw(st.integers(0, 4)) == 0,
        family_posts=posts,
        start_date=draw(dates),
        open_places=draw(st.integers(0, 3)),
        is_open=draw(st.integers(0, 6)) > 0,
    )


@st.composite
def populations(
    draw: st.DrawFn, max_seekers: int = 30, max_vacancies: int = 14, family_friendly: bool = False
) -> tuple[Population, MatchContext]:
    """Random worlds. ``family_friendly`` ones have few trades, family posts and free dormitories
    everywhere, so that families can actually be placed and the family engine has choices to make."""
    # A few trades per population, so that seekers, vacancies and families overlap.
    pool = draw(st.lists(st.sampled_from(SKILL_TEXTS), min_size=2, max_size=3 if family_friendly else 6, unique=True))
    n_employers = draw(st.integers(1, 4))
    employer_ids = list(range(1, n_employers + 1))
    pop = Population()
    for employer_id in employer_ids:
        pop.employers[employer_id] = EmployerProfile(
            employer_id,
            f"厂{employer_id}",
            HAISHU,
            draw(st.integers(0, 2) if not family_friendly else st.sampled_from([0, 1, 1, 2])),
        )
    n_seekers = draw(st.integers(1, max_seekers))
    next_id = 1
    while next_id <= n_seekers:
        if draw(st.integers(0, 1 if family_friendly else 4)) == 0:
            size = draw(st.integers(2, 3))
            family_id = 500 + next_id
            members = tuple(range(next_id, next_id + size))
            pop.families[family_id] = FamilyProfile(
                family_id,
                draw(st.sampled_from(["couple", "father_son", "brothers", "other"])),
                members,
                draw(st.integers(0, 3)) > 0,
                draw(st.booleans()),
            )
            for member in members:
                pop.seekers[member] = draw(seekers_st(member, family_id, pool, family_friendly))
            next_id += size
        else:
            pop.seekers[next_id] = draw(seekers_st(next_id, None, pool))
            next_id += 1
    for vacancy_id in range(100, 100 + draw(st.integers(1, max_vacancies))):
        vacancy = draw(vacancies_st(vacancy_id, employer_ids, pool))
        if family_friendly and draw(st.integers(0, 3)) > 0:
            vacancy = replace(
                vacancy, family_posts={"couple": 1, "father_son": 1, "brothers": 2}, certificates=frozenset()
            )
        pop.vacancies[vacancy_id] = vacancy
    pairings = frozenset(
        draw(
            st.lists(
                st.sampled_from(sorted({(d, o) for d in DISTRICTS for o in [*ORIGINS, QIANXINAN, YANBIAN]})),
                max_size=6,
            )
        )
    )
    ctx = context(pairings=pairings, weights=draw(st.sampled_from(WEIGHTS)), per_employer=draw(st.integers(0, 3)))
    return pop, ctx
