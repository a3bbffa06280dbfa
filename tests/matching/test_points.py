"""The integer rules and their numpy tables agree everywhere: the fast path's exactness rests on it."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.matching import points
from app.matching.index import min_tenths
from app.matching.points import (
    LEVEL_SPAN,
    YEARS_SPAN,
    claim_code,
    claim_points,
    claim_points_by_requirement,
    claim_points_table,
    quality,
)

HYPOTHESIS = settings(database=None, deadline=None, max_examples=60)
RELATEDNESS = st.sampled_from([100, 80, 70, 60, 50, 40, 30, 20])
CREDITS = st.sampled_from(list(range(10, 101, 10)))


def test_quality_stays_within_60_to_100_and_grows_with_level_and_years() -> None:
    for rl in range(LEVEL_SPAN):
        for ry in (0, 1, 3, 10, 50, 60):
            grid = [[quality(level, years, rl, ry) for years in range(61)] for level in range(LEVEL_SPAN)]
            assert all(60 <= q <= 100 for row in grid for q in row)
            assert all(row == sorted(row) for row in grid)  # more years never hurt
            assert all(list(col) == sorted(col) for col in zip(*grid, strict=True))  # nor a higher grade


@HYPOTHESIS
@given(main=st.integers(0, 1000), rel=RELATEDNESS, rl=st.integers(0, 5), ry=st.integers(0, 60))
def test_claim_table_equals_the_rule_for_every_claim(main: int, rel: int, rl: int, ry: int) -> None:
    table = claim_points_table(main, rel, rl, ry)
    for credit in range(10, 101, 10):
        for level in range(LEVEL_SPAN):
            for years in (0, 1, 2, 5, 17, 50):
                expected = claim_points(main, rel, credit, quality(level, years, rl, ry))
                assert table[claim_code(credit, level, years)] == expected


@HYPOTHESIS
@given(
    main=st.integers(0, 1000),
    rel=RELATEDNESS,
    credit=CREDITS,
    level=st.integers(0, 5),
    years=st.integers(0, 70),
)
def test_seeker_side_table_equals_the_rule_for_every_requirement(
    main: int, rel: int, credit: int, level: int, years: int
) -> None:
    table = claim_points_by_requirement(main, rel, credit, level, years)
    for rl in range(LEVEL_SPAN):
        for ry in range(YEARS_SPAN):
            assert table[rl * YEARS_SPAN + ry] == claim_points(main, rel, credit, quality(level, years, rl, ry))


@HYPOTHESIS
@given(
    pay_min=st.integers(0, 20000),
    spread=st.integers(-3000, 8000),
    expected=st.lists(st.one_of(st.none(), st.integers(0, 30000)), min_size=1, max_size=30),
)
def test_pay_lookups_equal_the_rule(pay_min: int, spread: int, expected: list[int | None]) -> None:
    pay_max = max(0, pay_min + spread)
    bounds = points.pay_bounds(pay_min, pay_max)
    coded = np.array([-1 if e is None else e for e in expected], dtype=np.int64)
    looked_up = np.array(points.PAY_PCTS_BY_BOUND)[np.searchsorted(bounds, coded)]
    assert list(looked_up) == [points.pay_pct(e, pay_min, pay_max) for e in expected]
    for e in expected:
        if e is not None:
            vector = points.pay_pct_array(e, np.array([pay_min]), np.array([pay_max]))
            assert int(vector[0]) == points.pay_pct(e, pay_min, pay_max)


@HYPOTHESIS
@given(available=st.one_of(st.none(), st.integers(-40, 80)), start=st.one_of(st.none(), st.integers(-40, 80)))
def test_start_lookups_equal_the_rule(available: int | None, start: int | None) -> None:
    today = date(2024, 3, 1)
    ready_day = None if available is None else today + timedelta(days=available)
    start_day = None if start is None else today + timedelta(days=start)
    expected = points.start_pct(ready_day, start_day, today)
    # the vacancy-side form: bounds on the seeker's ordinal (0 = not stated)
    begins = max(start_day or today, today).toordinal()
    bounds = np.array([begins + step for step in points.START_GAP_STEPS])
    ordinal = 0 if ready_day is None else ready_day.toordinal()
    assert points.START_GAP_PCTS[int(np.searchsorted(bounds, ordinal))] == expected
    # the seeker-side form: the gap in days
    ready = max(ready_day or today, today).toordinal()
    gap = ready - max(0 if start_day is None else start_day.toordinal(), today.toordinal())
    assert int(points.start_pct_array(np.array([gap]))[0]) == expected


@HYPOTHESIS
@given(weight=st.integers(0, 1000), pct=st.integers(0, 100))
def test_part_points_array_equals_the_rule(weight: int, pct: int) -> None:
    assert int(points.part_points_array(weight, np.array([pct]))[0]) == points.part_points(weight, pct)


@HYPOTHESIS
@given(min_score=st.floats(-10, 110, allow_nan=False))
def test_min_tenths_agrees_with_comparing_scores(min_score: float) -> None:
    floor = min_tenths(min_score)
    for tenths in range(0, 1001):
        assert (tenths >= floor) == (tenths / 10 >= min_score)


@HYPOTHESIS
@given(
    bounds=st.lists(st.integers(-5, 50), min_size=1, max_size=4).map(sorted),
    values=st.lists(st.integers(-10, 60), min_size=1, max_size=50),
)
def test_rank_is_searchsorted(bounds: list[int], values: list[int]) -> None:
    from app.matching.seeker_scan import _rank

    b, v = np.array(bounds, dtype=np.int32), np.array(values, dtype=np.int32)
    assert _rank(v, b).tolist() == np.searchsorted(b, v).tolist()
