"""The scoring rules as whole numbers.

Every part of a score is a percentage grade (0..100) of its weight, and every weight is in tenths of a
point, so a part's points are ``round_half_up(weight_tenths * grade / 100)`` tenths: integer arithmetic
that Python and numpy compute identically. That is what lets the fast index promise *exactly* the
reference's scores. The scalar functions here are the rules; the ``*_table`` helpers tabulate them for
numpy and are checked against the scalars exhaustively in the tests.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from app.matching.profiles import FamilyProfile

__all__ = [
    "CODE_SPACE",
    "LEVEL_SPAN",
    "YEARS_CAP",
    "YEARS_SPAN",
    "claim_code",
    "claim_points",
    "claim_points_by_requirement",
    "claim_points_table",
    "cover_points",
    "family_allowed",
    "family_pct",
    "level_component",
    "location_pct",
    "part_points",
    "part_points_array",
    "pay_bounds",
    "pay_pct",
    "pay_pct_array",
    "quality",
    "quality_by_requirement",
    "round_div",
    "start_pct",
    "start_pct_array",
    "years_component",
]

IntArray = npt.NDArray[np.int64]

# Years beyond this earn nothing more; it also bounds the tables below.
YEARS_CAP = 50
LEVEL_SPAN = 6  # 0 (not stated), 1 初级 .. 5 高级技师
YEARS_SPAN = YEARS_CAP + 1
CREDIT_STEPS = 10  # credit 10, 20, .. 100 %
CODE_SPACE = CREDIT_STEPS * LEVEL_SPAN * YEARS_SPAN

# With no level asked for, a higher grade still earns a little more (so a 高级 welder outranks a 初级 one).
_LEVEL_WITHOUT_REQUIREMENT = (15, 17, 19, 21, 23, 25)
PAY_NOT_STATED_PCT = 50
LOCATION_NO_PREFERENCE_PCT = 50
FAMILY_ELSEWHERE_AT_EMPLOYER_PCT = 60
# Days late against the start date -> grade: on time 100, two weeks 50, a month 20, later 0.
START_GAP_STEPS = (0, 14, 30)
START_GAP_PCTS = (100, 50, 20, 0)


def round_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, for non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def part_points(weight_tenths: int, pct: int) -> int:
    return round_div(weight_tenths * pct, 100)


# --- skills ------------------------------------------------------------------------------------------


def level_component(level: int, required: int) -> int:
    """0..25 of a claim's quality: meeting the level asked for; one grade short earns about half."""
    if required <= 0:
        return _LEVEL_WITHOUT_REQUIREMENT[level]
    if level >= required:
        return 25
    return 12 if required - level == 1 else 0


def years_component(years: int, required: int) -> int:
    """0..15 of a claim's quality: years of practice against the years asked for (5 when none)."""
    years, required = min(years, YEARS_CAP), min(required, YEARS_CAP)
    if required <= 0:
        return min(years, 5) * 3
    if years >= required:
        return 15
    return years * 15 // required


def quality(level: int, years: int, required_level: int, required_years: int) -> int:
    """60..100: how well a claim of the right occupation meets the level and years asked for."""
    return 60 + level_component(level, required_level) + years_component(years, required_years)


def claim_points(main_tenths: int, relatedness: int, credit: int, claim_quality: int) -> int:
    """Tenths of a point a claim earns towards the vacancy's own occupation."""
    return round_div(main_tenths * relatedness * credit * claim_quality, 1_000_000)


def cover_points(cover_tenths: int, covered: int, required: int) -> int:
    """Tenths for the vacancy's other required skills; full when it asks for none."""
    if required <= 0:
        return cover_tenths
    return round_div(cover_tenths * covered, required)


def claim_code(credit: Any, level: Any, years: Any) -> Any:
    """Packs what a claim's points depend on (besides relatedness) into one small integer; works on
    integers and on numpy arrays alike (the store codes a batch of claims at once)."""
    return ((credit // 10) - 1) * LEVEL_SPAN * YEARS_SPAN + level * YEARS_SPAN + np.minimum(years, YEARS_CAP)


@functools.lru_cache(maxsize=512)
def _quality_for_requirement(required_level: int, required_years: int) -> IntArray:
    table = np.array(
        [
            [quality(level, years, required_level, required_years) for years in range(YEARS_SPAN)]
            for level in range(LEVEL_SPAN)
        ],
        dtype=np.int64,
    )
    table.flags.writeable = False
    return table


@functools.lru_cache(maxsize=4096)
def claim_points_table(main_tenths: int, relatedness: int, required_level: int, required_years: int) -> IntArray:
    """``claim_points`` for every claim code, for one vacancy requirement and one relatedness."""
    credits = np.arange(10, 101, 10, dtype=np.int64)[:, None, None]
    q = _quality_for_requirement(required_level, min(required_years, YEARS_CAP))[None, :, :]
    table = (2 * (main_tenths * relatedness * credits * q) + 1_000_000) // 2_000_000
    table = table.reshape(-1)
    table.flags.writeable = False
    return table


@functools.lru_cache(maxsize=2048)
def quality_by_requirement(level: int, years: int) -> IntArray:
    """``quality`` of one claim against every requirement code ``required_level * 51 + required_years``."""
    table = np.array(
        [quality(level, years, rl, ry) for rl in range(LEVEL_SPAN) for ry in range(YEARS_SPAN)],
        dtype=np.int64,
    )
    table.flags.writeable = False
    return table


@functools.lru_cache(maxsize=8192)
def claim_points_by_requirement(main_tenths: int, relatedness: int, credit: int, level: int, years: int) -> IntArray:
    """``claim_points`` of one claim against every requirement code (the seeker-side table)."""
    q = quality_by_requirement(level, min(years, YEARS_CAP))
    table = (2 * (main_tenths * relatedness * credit * q) + 1_000_000) // 2_000_000
    table.flags.writeable = False
    return table


def part_points_array(weight_tenths: int, pct: IntArray) -> IntArray:
    return (2 * weight_tenths * pct + 100) // 200


# --- the other parts -------------------------------------------------------------------------------


def location_pct(has_preferences: bool, preferred: bool) -> int:
    if not has_preferences:
        return LOCATION_NO_PREFERENCE_PCT
    return 100 if preferred else 0


def pay_pct(expected: int | None, pay_min: int, pay_max: int) -> int:
    if expected is None:
        return PAY_NOT_STATED_PCT
    if expected <= pay_min:
        return 100
    if expected <= pay_max:
        return 60
    # Up to 10 % above the top of the range is still worth a conversation.
    if expected * 10 <= pay_max * 11:
        return 20
    return 0


# ``pay_pct`` as a lookup: the grade for index ``searchsorted(pay_bounds(...), expected)`` (-1 = not stated).
PAY_PCTS_BY_BOUND = (PAY_NOT_STATED_PCT, 100, 60, 20, 0)


def pay_bounds(pay_min: int, pay_max: int) -> IntArray:
    """Sorted bounds splitting expectations into ``PAY_PCTS_BY_BOUND`` grades, for one vacancy."""
    top = max(pay_min, pay_max)
    return np.array([-1, pay_min, top, max(top, pay_max * 11 // 10)], dtype=np.int64)


def pay_pct_array(expected: int, pay_min: IntArray, pay_max: IntArray) -> IntArray:
    """``pay_pct`` of one expectation against many vacancies."""
    return np.where(
        expected <= pay_min,
        100,
        np.where(expected <= pay_max, 60, np.where(expected * 10 <= pay_max * 11, 20, 0)),
    )


def start_pct_array(gap_days: IntArray) -> IntArray:
    """``start_pct`` from the days between readiness and start (both at the earliest today)."""
    steps = [gap_days <= step for step in START_GAP_STEPS]
    return np.select(steps, list(START_GAP_PCTS[: len(START_GAP_STEPS)]), START_GAP_PCTS[-1])


def start_pct(available_from: date | None, start_date: date | None, today: date) -> int:
    """Days between when the seeker can start and when the job starts (both at the earliest today)."""
    ready = max(available_from or today, today)
    begins = max(start_date or today, today)
    gap = (ready - begins).days
    for step, pct in zip(START_GAP_STEPS, START_GAP_PCTS, strict=False):
        if gap <= step:
            return pct
    return START_GAP_PCTS[-1]


def family_pct(family: FamilyProfile | None, vacancy_slots: int, employer_slots: int, free_dorms: int) -> int:
    """How well the vacancy suits the seeker's family; a seeker without a family loses nothing here."""
    if family is None:
        return 100
    if family.needs_couple_dormitory and free_dorms < 1:
        return 0
    if vacancy_slots >= 1:
        return 100
    if employer_slots >= 1:
        return FAMILY_ELSEWHERE_AT_EMPLOYER_PCT
    return 0


def family_allowed(family: FamilyProfile | None, employer_slots: int, free_dorms: int) -> bool:
    """A family that must stay together may only go where its post kind (and a dormitory) exists."""
    if family is None or not family.must_stay_together:
        return True
    return employer_slots >= 1 and (not family.needs_couple_dormitory or free_dorms >= 1)
