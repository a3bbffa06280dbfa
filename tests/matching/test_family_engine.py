"""Families as one unit: an employer for the whole family, a vacancy per member, the weakest counts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.matching.families import choose_assignment, family_tenths
from app.matching.family_scan import member_floor
from app.matching.profiles import FamilyProfile, Placement
from app.matching.reference import reference_top_employers_for_family, reference_top_seekers
from tests.matching.support import CIXI, context, employer, index_of, population, seeker, vacancy

CTX = context()
COUPLE = FamilyProfile(9, "couple", (1, 2), must_stay_together=True, needs_couple_dormitory=True)


def welder_and_seamstress() -> list[object]:
    return [
        seeker(1, skills=(("电焊", 2, 5),), family_id=9),
        seeker(2, skills=(("车位", 2, 4),), family_id=9, registered_poor=True),
        COUPLE,
    ]


def test_welder_husband_and_seamstress_wife_go_to_two_vacancies_of_one_employer() -> None:
    pop = population(
        *welder_and_seamstress(),
        employer(7, free=1),
        vacancy(100, "电焊工", employer_id=7, family_posts={"couple": 1}),
        vacancy(101, "缝纫工", employer_id=7),
        # a welding job elsewhere, no couple posts: not a place for the family
        vacancy(200, "焊工", employer_id=8),
        employer(8, free=3),
    )
    [result] = reference_top_employers_for_family(pop, CTX, 9)
    assert result.employer_id == 7
    husband, wife = result.members
    assert result.assignment == (Placement(1, 100, husband.score), Placement(2, 101, wife.score))
    assert [m.vacancy_id for m in result.members] == [100, 101]
    assert "提供夫妻宿舍" in result.reasons_zh
    assert result.reasons_zh[0].startswith("亲情岗位：宁波7号厂设有夫妻岗1个")
    assert index_of(pop, CTX).top_employers_for_family(9) == [result]


def test_employer_without_a_free_couple_dormitory_is_excluded() -> None:
    pop = population(
        *welder_and_seamstress(),
        employer(7, free=0),
        vacancy(100, "电焊工", employer_id=7, family_posts={"couple": 1}),
        vacancy(101, "缝纫工", employer_id=7),
    )
    assert reference_top_employers_for_family(pop, CTX, 9) == []
    assert index_of(pop, CTX).top_employers_for_family(9) == []


def test_every_member_needs_a_vacancy_there() -> None:
    pop = population(
        *welder_and_seamstress(),
        employer(7, free=1),
        vacancy(100, "电焊工", employer_id=7, family_posts={"couple": 2}),
    )
    assert reference_top_employers_for_family(pop, CTX, 9) == []


def test_members_may_share_a_vacancy_with_enough_places() -> None:
    brothers = FamilyProfile(5, "brothers", (1, 2), must_stay_together=True)
    members = [seeker(1, family_id=5), seeker(2, family_id=5)]
    one_place = population(*members, brothers, employer(7), vacancy(100, family_posts={"brothers": 1}, open_places=1))
    assert reference_top_employers_for_family(one_place, CTX, 5) == []
    two_places = population(*members, brothers, employer(7), vacancy(100, family_posts={"brothers": 1}, open_places=2))
    [result] = reference_top_employers_for_family(two_places, CTX, 5)
    assert [p.vacancy_id for p in result.assignment] == [100, 100]
    assert index_of(two_places, CTX).top_employers_for_family(5) == [result]


def test_the_weakest_member_counts() -> None:
    # Employer 7: a near-perfect job for the husband (98.6), a poor one for the wife (59.8): mean 79.2.
    # Employer 8: fair jobs for both (68.6 and 76.6): mean 72.6. 0.5*min + 0.5*mean prefers employer 8.
    family = FamilyProfile(9, "couple", (1, 2), must_stay_together=True)
    husband = seeker(1, skills=(("焊工", 3, 5),), family_id=9)
    wife = seeker(2, skills=(("缝纫工", 3, 5),), family_id=9, expected_pay=6000, preferred_districts=())
    pop = population(
        husband,
        wife,
        family,
        employer(7),
        employer(8),
        vacancy(100, "焊工", employer_id=7, family_posts={"couple": 1}),
        vacancy(101, "刺绣工", employer_id=7, pay_min=3000, pay_max=4000),
        vacancy(
            200,
            "焊工",
            employer_id=8,
            family_posts={"couple": 1},
            pay_min=3000,
            pay_max=4500,
            district_code=CIXI,
        ),
        vacancy(201, "缝纫工", employer_id=8, pay_min=3000, pay_max=5000),
    )
    results = reference_top_employers_for_family(pop, CTX, 9)
    by_employer = {r.employer_id: r for r in results}
    seven, eight = by_employer[7], by_employer[8]
    mean7 = sum(p.score for p in seven.assignment) / 2
    mean8 = sum(p.score for p in eight.assignment) / 2
    assert mean7 > mean8  # employer 7 wins on average ...
    assert [r.employer_id for r in results] == [8, 7]  # ... but its weakest member drags it down
    assert any("最低" in r for r in eight.reasons_zh)
    assert index_of(pop, CTX).top_employers_for_family(9) == results


def test_family_score_is_half_min_half_mean_rounded() -> None:
    assert family_tenths([1000, 500]) == 625
    assert family_tenths([701, 700, 700]) == 700
    assert family_tenths([3, 4]) == 3  # 0.5*3 + 0.5*3.5 = 3.25
    assert family_tenths([0, 2]) == 1  # 0.5*0 + 0.5*1 = 0.5, half up


options_st = st.lists(
    st.tuples(st.integers(0, 1000), st.integers(1, 6)), min_size=1, max_size=6, unique_by=lambda o: o[1]
)


@settings(database=None, deadline=None, max_examples=300)
@given(
    members=st.integers(1, 4),
    data=st.data(),
    places=st.dictionaries(st.integers(1, 6), st.integers(1, 3), min_size=6, max_size=6),
)
def test_best_assignment_needs_only_each_members_top_n_options(
    members: int, data: st.DataObject, places: dict[int, int]
) -> None:
    ids = list(range(1, members + 1))
    options = {m: data.draw(options_st) for m in ids}
    assert choose_assignment(ids, options, places) == choose_assignment(ids, options, places, exhaustive=True)


@settings(database=None, deadline=None, max_examples=500)
@given(scores=st.lists(st.integers(0, 1000), min_size=1, max_size=4))
def test_member_floor_never_excludes_a_member_of_a_family_scoring_that_much(scores: list[int]) -> None:
    # The family engine scans members from this floor up; it must never drop a needed match.
    assert min(scores) >= member_floor(family_tenths(scores), len(scores))


def test_a_family_not_stored_leaves_its_members_single() -> None:
    # Seekers may name a family before the service stores it (or after it is dissolved).
    pop = population(seeker(1, family_id=77), seeker(2), vacancy(family_posts={"couple": 1}), employer(7, free=1))
    index = index_of(pop, CTX)
    assert index.top_seekers(100, 5) == reference_top_seekers(pop, CTX, 100, 5)
    assert [m.parts[-1].reason_zh for m in index.top_seekers(100, 5)] == ["个人求职", "个人求职"]
