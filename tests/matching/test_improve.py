"""What would raise my score: missing certificates, grades and skills, counted in vacancies they open."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.matching.context import MatchContext
from app.matching.improve import demand_of, suggest_improvements
from app.matching.reference import Population, reference_count_vacancies
from tests.matching.support import context, employer, index_of, population, populations, seeker, vacancy

FORKLIFT_LICENCE = "特种设备作业人员证（叉车）"


def reference_improvements(pop: Population, ctx: MatchContext, seeker_id: int, limit: int = 3) -> list:  # type: ignore[type-arg]
    return suggest_improvements(
        pop.seekers[seeker_id],
        demand_of(pop.vacancies.values(), ctx.taxonomy),
        lambda profile: reference_count_vacancies(pop, ctx, profile, ctx.threshold),
        ctx.taxonomy,
        limit,
    )


def test_a_forklift_licence_and_a_higher_grade_open_doors() -> None:
    ctx = context(threshold=62.0)
    driver = seeker(1, skills=(("叉车", 1, 2), ("焊工", 1, 1)), expected_pay=None)
    pop = population(
        driver,
        employer(),
        *(vacancy(100 + i, "叉车司机", certificates=frozenset({FORKLIFT_LICENCE})) for i in range(4)),
        # welding jobs asking for 中级: 初级 scores below the threshold, 中级 above
        *(vacancy(200 + i, "焊工", skills=(("焊工", 2, 1),), district_code="330206") for i in range(2)),
    )
    found = reference_improvements(pop, ctx, 1)
    assert [(i.kind, i.label_zh, i.added) for i in found[:2]] == [
        ("certificate", f"取得{FORKLIFT_LICENCE}", 4),
        ("level", "焊工从初级提升到中级", 2),
    ]
    assert index_of(pop, ctx).improvements(1) == found


def test_a_missing_skill_comes_with_its_licence() -> None:
    ctx = context(threshold=40.0)
    pop = population(
        seeker(1, skills=(("普工", 2, 2),)),
        employer(),
        *(vacancy(100 + i, "叉车司机", certificates=frozenset({FORKLIFT_LICENCE})) for i in range(3)),
    )
    [best] = reference_improvements(pop, ctx, 1)
    assert best.kind == "skill"
    assert best.label_zh == f"学会叉车司机（初级）并取得{FORKLIFT_LICENCE}"
    assert best.added == 3
    assert index_of(pop, ctx).improvements(1) == [best]


def test_nothing_to_suggest_when_nothing_would_change() -> None:
    ctx = context(threshold=0.0)
    pop = population(seeker(1, skills=(("焊工", 5, 10),)), employer(), vacancy(100, "焊工"))
    assert reference_improvements(pop, ctx, 1) == []


@settings(database=None, deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(world=populations(max_seekers=8, max_vacancies=10), data=st.data())
def test_index_suggests_what_the_reference_suggests(
    world: tuple[Population, MatchContext], data: st.DataObject
) -> None:
    pop, ctx = world
    ctx = MatchContext(
        **{
            **{
                f: getattr(ctx, f)
                for f in (
                    "today",
                    "weights",
                    "pairings",
                    "region_coords",
                    "region_names",
                    "taxonomy",
                    "per_employer",
                )
            },
            "threshold": data.draw(st.sampled_from([30.0, 50.0, 65.0])),
        }
    )
    index = index_of(pop, ctx)
    for seeker_id in sorted(pop.seekers):
        assert index.improvements(seeker_id) == reference_improvements(pop, ctx, seeker_id)
