"""Drawing demo values: cheap weighted choices, names, and timestamps that are never in the future."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Hashable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any, Generic, TypeVar

from app.clock import SHANGHAI
from app.demo.vocabulary import FEMALE_CHARS, MALE_CHARS, SURNAMES
from app.seed.places import REGIONS_BY_CODE

Row = dict[str, Any]
T = TypeVar("T", bound=Hashable)
DAY = 86_400


def demo_rng(seed: int, part: str) -> random.Random:
    # String seeds are hashed with SHA-512: streams are stable across runs and PYTHONHASHSEED.
    return random.Random(f"jobmatch-demo:{seed}:{part}")


class Weighted(Generic[T]):
    """A fixed weighted choice; bisecting precomputed totals is several times cheaper than choices()."""

    def __init__(self, weights: Mapping[T, float]) -> None:
        self.items = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def between(rng: random.Random, low: int, high: int) -> int:
    # randint() costs three calls through Python; this one draw is uniform enough for demo data.
    return low + int(rng.random() * (high - low + 1))


def morning_of(today: date) -> datetime:
    """08:00 in Ningbo on ``today``: timestamps spread back from here are never in the future."""
    return datetime.combine(today, time(8), tzinfo=SHANGHAI).astimezone(UTC)


def prefecture_of(code: str) -> str:
    return REGIONS_BY_CODE[code].parent_code or code


def given_name(rng: random.Random, sex: str) -> str:
    chars = MALE_CHARS if sex == "male" else FEMALE_CHARS
    return rng.choice(chars) if rng.random() < 0.3 else rng.choice(chars) + rng.choice(chars)


def person_name(rng: random.Random, prefecture: str, sex: str) -> str:
    return rng.choice(SURNAMES.get(prefecture, SURNAMES["522300"])) + given_name(rng, sex)


def contact_phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
