"""The reference scorer, rule by rule: hard filters, each part, the reasons, the order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.matching.context import Weights
from app.matching.profiles import FamilyProfile, Match, skill_claims
from app.matching.reference import (
    family_slots_by_employer,
    reference_top_seekers,
    reference_top_vacancies,
    score_pair,
)
from tests.matching.support import (
    BEILUN,
    CIXI,
    HAISHU,
    HELONG,
    TODAY,
    XIANGSHAN,
    XINGYI,
    ZHENFENG,
    context,
    employer,
    population,
    seeker,
    vacancy,
)

CTX = context()


def score(s, v, *, family=None, emp=None, slots=None, ctx=CTX) -> Match | None:  # type: ignore[no-untyped-def]
    return score_pair(s, v, ctx, employer=emp or employer(), family=family, employer_slots=slots or {})


def part(match: Match | None, key: str) -> float:
    assert match is not None
    return next(p.points for p in match.parts if p.key == key)


def reason(match: Match | None, key: str) -> str:
    assert match is not None
    return next(p.reason_zh for p in match.parts if p.key == key)


# --- hard filters -----------------------------------------------------------------------------------


def test_a_good_pair_matches_with_full_marks_and_chinese_reasons() -> None:
    match = score(seeker(skills=(("电焊工", 2, 5),)), vacancy(skills=(("焊工", 2, 3),)))
    assert match is not None
    assert match.score == 100.0
    assert sum(p.points for p in match.parts) == pytest.approx(match.score)
    assert [p.key for p in match.parts] == ["skills", "location", "pairing", "pay", "start", "family"]
    assert reason(match, "skills") == "技能匹配：焊工（中级，5年）"
    assert reason(match, "pairing") == "对口帮扶：贞丰县—海曙区"
    assert "距家乡约" in reason(match, "location")


@pytest.mark.parametrize(
    "change",
    [{"is_open": False}, {"open_places": 0}],
    ids=["vacancy not open", "vacancy full"],
)
def test_vacancy_must_take_applicants(change: dict[str, object]) -> None:
    assert score(seeker(), vacancy(**change)) is None


@pytest.mark.parametrize("change", [{"active": False}, {"consent_matching": False}], ids=["inactive", "no consent"])
def test_seeker_must_be_active_and_consenting(change: dict[str, object]) -> None:
    assert score(seeker(**change), vacancy()) is None


def test_every_required_certificate_must_be_held() -> None:
    v = vacancy(occupation="叉车司机", certificates=frozenset({"叉车证", "健康证明"}))
    driver = seeker(skills=(("叉车", 1, 2),), certificates=frozenset({"叉车证"}))
    assert score(driver, v) is None
    # compared without spaces, case or full-width forms
    assert score(driver.__class__(**{**_fields(driver), "certificates": frozenset({"叉车证", " 健康证明 "})}), v)


def _fields(profile: object) -> dict[str, object]:
    return {name: getattr(profile, name) for name in profile.__slots__}  # type: ignore[attr-defined]


def test_caring_post_takes_only_registered_poor_seekers() -> None:
    post = vacancy(caring_post=True)
    assert score(seeker(registered_poor=False), post) is None
    match = score(seeker(registered_poor=True), post)
    assert match is not None and match.caring
    assert match.reasons_zh[0] == "爱心岗位：优先录用建档立卡人员"


def test_caring_posts_come_first_in_a_registered_poor_seekers_list() -> None:
    poor = seeker(registered_poor=True, preferred_districts=(HAISHU,))
    best_regular = vacancy(100, district_code=HAISHU)
    weaker_caring = vacancy(101, district_code=BEILUN, caring_post=True, pay_min=3000, pay_max=4000)
    pop = population(poor, best_regular, weaker_caring, employer())
    ranked = reference_top_vacancies(pop, CTX, poor.id, 5)
    assert [m.vacancy_id for m in ranked] == [101, 100]
    assert ranked[0].score < ranked[1].score


def test_family_that_must_stay_together_needs_the_post_kind_and_a_dormitory() -> None:
    family = FamilyProfile(9, "couple", (1, 2), must_stay_together=True, needs_couple_dormitory=True)
    husband = seeker(1, family_id=9)
    v = vacancy(family_posts={"couple": 1})
    slots = family_slots_by_employer([v])[7]
    assert score(husband, v, family=family, emp=employer(free=0), slots=slots) is None  # no free dormitory
    assert score(husband, vacancy(), family=family, emp=employer(free=1), slots={}) is None  # no couple post
    match = score(husband, v, family=family, emp=employer(free=1), slots=slots)
    assert match is not None
    assert part(match, "family") == 5.0
    assert "提供夫妻宿舍" in reason(match, "family")


def test_family_that_may_split_is_scored_not_filtered() -> None:
    family = FamilyProfile(9, "couple", (1, 2), must_stay_together=False, needs_couple_dormitory=False)
    match = score(seeker(1, family_id=9), vacancy(), family=family, slots={})
    assert match is not None and part(match, "family") == 0.0
    elsewhere = score(seeker(1, family_id=9), vacancy(), family=family, slots={"couple": 2})
    assert part(elsewhere, "family") == 3.0 and "另有夫妻岗" in reason(elsewhere, "family")


def test_no_occupation_in_common_is_no_match() -> None:
    assert score(seeker(skills=(("厨师", 3, 5),)), vacancy(occupation="焊工")) is None
    assert score(seeker(skills=()), vacancy()) is None


# --- skills -----------------------------------------------------------------------------------------


def test_synonyms_score_as_the_same_skill() -> None:
    scores = {
        text: part(score(seeker(skills=((text, 2, 3),)), vacancy(occupation="电焊工")), "skills")
        for text in ("电焊", "焊工", "电焊工", "氩弧焊")
    }
    assert len(set(scores.values())) == 1


def test_related_occupations_earn_partial_credit() -> None:
    same = part(score(seeker(skills=(("操作工", 2, 3),)), vacancy(occupation="操作工")), "skills")
    related = score(seeker(skills=(("装配工", 2, 3),)), vacancy(occupation="操作工"))
    assert 0 < part(related, "skills") < same
    assert reason(related, "skills").startswith("相近工种：装配工")
    assert "按60%计分" in reason(related, "skills")
    embroidery = score(seeker(skills=(("缝纫工", 1, 1),)), vacancy(occupation="刺绣工"))
    assert embroidery is not None and "相近工种" in reason(embroidery, "skills")


def test_the_best_claim_counts() -> None:
    both = score(seeker(skills=(("装配工", 5, 9), ("操作工", 1, 0))), vacancy(occupation="操作工"))
    only_related = score(seeker(skills=(("装配工", 5, 9),)), vacancy(occupation="操作工"))
    assert part(both, "skills") > part(only_related, "skills")


def test_levels_and_years_against_the_requirement() -> None:
    v = vacancy(skills=(("焊工", 2, 3),))
    meets = part(score(seeker(skills=(("焊工", 2, 3),)), v), "skills")
    one_short = score(seeker(skills=(("焊工", 1, 3),)), v)
    two_short = part(score(seeker(skills=(("焊工", 0, 3),)), v), "skills")
    assert meets > part(one_short, "skills") > two_short
    assert "岗位要求中级，您为初级" in reason(one_short, "skills")
    # with no level asked, a higher grade still ranks higher
    assert part(score(seeker(skills=(("焊工", 4, 3),)), vacancy()), "skills") > part(
        score(seeker(skills=(("焊工", 1, 3),)), vacancy()), "skills"
    )


def test_other_required_skills_covered_or_missing() -> None:
    v = vacancy(occupation="焊工", skills=(("叉车", 1, 0),))
    with_it = score(seeker(skills=(("焊工", 2, 3), ("叉车司机", 1, 1))), v)
    without = score(seeker(skills=(("焊工", 2, 3),)), v)
    # 30 % of the 50 skills points go to the other required skills
    assert part(with_it, "skills") - part(without, "skills") == pytest.approx(15.0)
    assert "缺少所需技能：叉车司机（初级）" in reason(without, "skills")
    assert "具备所需技能：叉车司机" in reason(with_it, "skills")


def test_unrecognised_text_is_reported_never_dropped() -> None:
    fuzzy = score(seeker(skills=(("汽车电焊工", 2, 3),)), vacancy(occupation="焊工"))
    assert fuzzy is not None
    assert "技能“汽车电焊工”未能识别，按相近文字匹配为“焊工”" in reason(fuzzy, "skills")
    exact = part(score(seeker(skills=(("焊工", 2, 3),)), vacancy()), "skills")
    assert part(fuzzy, "skills") < exact  # a guess earns its confidence, not full credit
    # Text the taxonomy cannot place matches the very same wording, and says so.
    same_text = score(seeker(skills=(("会开拖拉机", 0, 0),)), vacancy(occupation="会开拖拉机"))
    assert same_text is not None and "技能“会开拖拉机”未能识别，按相同文字匹配" in reason(same_text, "skills")
    listed = score(seeker(skills=(("焊工", 2, 3), ("会开拖拉机", 0, 0))), vacancy())
    assert "未能识别的技能：“会开拖拉机”" in reason(listed, "skills")


def test_skill_rows_from_the_database() -> None:
    claims = skill_claims([{"name": "电焊", "level": "中级", "years": 3}, {"name": "叉车", "level": None}])
    assert [(c.text, c.level, c.years) for c in claims] == [("电焊", 2, 3), ("叉车", 0, 0)]


# --- location, pairing, pay, start --------------------------------------------------------------------


def test_location_preferred_none_or_elsewhere() -> None:
    assert part(score(seeker(preferred_districts=(HAISHU,)), vacancy()), "location") == 20.0
    assert part(score(seeker(preferred_districts=()), vacancy()), "location") == 10.0
    elsewhere = score(seeker(preferred_districts=(BEILUN,)), vacancy())
    assert part(elsewhere, "location") == 0.0 and "不在您的意向区县内" in reason(elsewhere, "location")


def test_pairing_county_and_prefecture_wide() -> None:
    county = score(seeker(origin_code=ZHENFENG), vacancy(district_code=HAISHU))
    assert part(county, "pairing") == 10.0 and reason(county, "pairing") == "对口帮扶：贞丰县—海曙区"
    # 慈溪 works with 黔西南州 as a whole: 兴义市 is covered through its prefecture
    whole = score(seeker(origin_code=XINGYI), vacancy(district_code=CIXI))
    assert part(whole, "pairing") == 10.0
    assert reason(whole, "pairing") == "对口帮扶：黔西南布依族苗族自治州—慈溪市"
    none = score(seeker(origin_code=XINGYI), vacancy(district_code=HAISHU))
    assert part(none, "pairing") == 0.0 and "暂无结对帮扶关系" in reason(none, "pairing")
    yanbian = score(seeker(origin_code=HELONG), vacancy(district_code=XIANGSHAN))
    assert part(yanbian, "pairing") == 10.0


@pytest.mark.parametrize(
    ("expected", "points"), [(None, 5.0), (4000, 10.0), (5000, 10.0), (6500, 6.0), (7700, 2.0), (7800, 0.0)]
)
def test_pay_expectation_against_the_range(expected: int | None, points: float) -> None:
    assert part(score(seeker(expected_pay=expected), vacancy(pay_min=5000, pay_max=7000)), "pay") == points


@pytest.mark.parametrize(("late", "points"), [(-5, 5.0), (0, 5.0), (10, 2.5), (20, 1.0), (31, 0.0)])
def test_start_date_against_availability(late: int, points: float) -> None:
    starts = TODAY + timedelta(days=10)
    s = seeker(available_from=starts + timedelta(days=late))
    assert part(score(s, vacancy(start_date=starts)), "start") == points


# --- order and context --------------------------------------------------------------------------------


def test_ties_break_by_id_and_scores_have_one_decimal() -> None:
    pop = population(*(seeker(i) for i in (5, 3, 9)), vacancy(), employer())
    ranked = reference_top_seekers(pop, CTX, 100, 10)
    assert [m.seeker_id for m in ranked] == [3, 5, 9]
    odd = context(weights=Weights(skills=33.3, location=16.7, pairing=12.5, pay=12.5, start=12.5, family=12.5))
    match = score(seeker(skills=(("装配工", 1, 1),)), vacancy(occupation="操作工"), ctx=odd)
    assert match is not None
    assert all(round(p.points * 10) == p.points * 10 for p in match.parts)
    assert match.score == round(sum(p.points for p in match.parts), 1)


def test_seeker_list_caps_vacancies_per_employer() -> None:
    pop = population(seeker(), *(vacancy(100 + i) for i in range(5)), vacancy(200, employer_id=8), employer())
    ranked = reference_top_vacancies(pop, CTX, 1, 10, per_employer=2)
    assert [m.vacancy_id for m in ranked] == [100, 101, 200]
    assert len(reference_top_vacancies(pop, CTX, 1, 10, per_employer=0)) == 6


def test_min_score_filters() -> None:
    pop = population(seeker(1), seeker(2, expected_pay=9000, preferred_districts=(BEILUN,)), vacancy(), employer())
    assert [m.seeker_id for m in reference_top_seekers(pop, CTX, 100, 10, min_score=90)] == [1]


@pytest.mark.parametrize(
    "weights",
    [
        dict(skills=50, location=20, pairing=10, pay=10, start=5, family=4),
        dict(skills=50.05, location=20, pairing=10, pay=10, start=5, family=4.95),
        dict(skills=-5, location=75, pairing=10, pay=10, start=5, family=5),
    ],
)
def test_weights_must_add_up_to_100_with_one_decimal(weights: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Weights(**weights)


def test_weights_from_settings() -> None:
    from app.settings import MatchWeights

    assert Weights.from_mapping(MatchWeights()) == Weights()
