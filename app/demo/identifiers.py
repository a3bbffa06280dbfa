"""Identifiers for demo people and firms that never collide, however large the population.

A resident ID is unique when its (birth date, order code) pair is, whatever its area code and sex: the
sex only sets the order code's last bit. Each birth date therefore offers "slots" (order codes / 2, at
most 500), as many as the age profile of migrant workers calls for; index → slot is a bijection
(multiplication by a unit modulo the slot count), so any million indices give a million distinct IDs
with a realistic mix of ages, and area and sex stay free to change afterwards.

The birth-date window moves with the calendar year (ages stay 18-55), so the mapping does too. Even
years use pairs 0-249 and odd years 250-499: a demo loaded on 31 December and extended on 1 January
still cannot collide with itself.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from app.demo.vocabulary import ID_AREA_CODES
from app.validation.credit_code import ALPHABET, make_credit_code, organization_code_check_char
from app.validation.identity import make_resident_id

MIN_AGE, MAX_AGE = 18, 55
_PAIRS_PER_YEAR = 250  # half of the 500 order-code pairs a birth date has


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
    # window to the year, not the day, keeps IDs stable while a demo is extended on later days.
    first, last = date(year - MAX_AGE, 1, 1), date(year - MIN_AGE - 1, 12, 31)
    cumulative = [0]
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        cumulative.append(cumulative[-1] + round(_PAIRS_PER_YEAR * _age_weight(year - day.year)))
    total = cumulative[-1]
    step = int(total * 0.6180339887)  # golden ratio: consecutive indices land far apart in age
    while math.gcd(step, total) != 1:
        step += 1
    return _Slots(first, cumulative, total, step)


def capacity(year: int) -> int:
    """How many seekers can get distinct IDs with birth dates that suit ``year`` (about 2.6 million)."""
    return _slots(year).total


def birth_slot(index: int, year: int) -> tuple[date, int]:
    """The birth date and order-code pair (0-499) reserved for seeker ``index`` in ``year``."""
    slots = _slots(year)
    if not 0 <= index < slots.total:
        raise ValueError(f"seeker index must be within 0..{slots.total - 1}")
    k = index * slots.step % slots.total
    day = bisect.bisect_right(slots.cumulative, k) - 1
    return slots.first_day + timedelta(days=day), _PAIRS_PER_YEAR * (year % 2) + k - slots.cumulative[day]


def resident_id(origin_code: str, birth: date, pair: int, sex: str) -> str:
    """The ID of someone from ``origin_code``, in the slot (``birth``, ``pair``)."""
    return make_resident_id(ID_AREA_CODES.get(origin_code, origin_code), birth, 2 * pair, sex)


def pair_of(id_number: str) -> int:
    return int(id_number[14:17]) // 2


def mobile_for(index: int) -> str:
    """A mobile number unique to ``index``: a bijection onto 1[3-9]XXXXXXXXX (the step is a prime)."""
    u = (index * 2_654_435_761 + 123_456_789) % (7 * 10**9)
    return f"1{3 + u // 10**9}{u % 10**9:09d}"


def credit_code_for(index: int, area_code: str) -> str:
    """A unified social credit code unique to ``index``, in the post-2015 style 91 330206 MA2xxxxx?.

    The embedded organisation code carries a correct GB 11714 check, as real ones issued since do."""
    u = (index * 7_368_787 + 1_234_567) % 31**5
    org8 = "MA2" + "".join(ALPHABET[u // 31**p % 31] for p in range(4, -1, -1))
    return make_credit_code(f"91{area_code}{org8}{organization_code_check_char(org8)}")
