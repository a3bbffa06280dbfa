"""What a match depends on besides the two profiles: the day, the weights, the pairings, the places."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.matching.taxonomy import Taxonomy, default_taxonomy

__all__ = ["PART_KEYS", "MatchContext", "WeightTenths", "Weights"]

PART_KEYS: tuple[str, ...] = ("skills", "location", "pairing", "pay", "start", "family")

# Of the skills points, this share (in %) rewards the vacancy's own occupation (relatedness, level,
# years); the rest rewards the vacancy's other required skills.
SKILLS_MAIN_SHARE = 70


@dataclass(frozen=True, slots=True)
class WeightTenths:
    """Weights in tenths of a point: every score is integer arithmetic on these, so the fast path and
    the reference agree to the last digit."""

    skills_main: int
    skills_cover: int
    location: int
    pairing: int
    pay: int
    start: int
    family: int

    @property
    def skills(self) -> int:
        return self.skills_main + self.skills_cover


@dataclass(frozen=True, slots=True)
class Weights:
    """Points each part may earn; they add up to 100 and have at most one decimal (from settings)."""

    skills: float = 50.0
    location: float = 20.0
    pairing: float = 10.0
    pay: float = 10.0
    start: float = 5.0
    family: float = 5.0
    tenths: WeightTenths = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        values = {key: getattr(self, key) for key in PART_KEYS}
        converted: dict[str, int] = {}
        for key, value in values.items():
            scaled = round(value * 10)
            if value < 0 or abs(value * 10 - scaled) > 1e-6:
                raise ValueError(f"weight {key}={value} must be non-negative with at most one decimal")
            converted[key] = scaled
        if sum(converted.values()) != 1000:
            raise ValueError(f"weights must add up to 100, got {sum(values.values())}")
        skills_main = (converted["skills"] * SKILLS_MAIN_SHARE + 50) // 100
        object.__setattr__(
            self,
            "tenths",
            WeightTenths(
                skills_main=skills_main,
                skills_cover=converted["skills"] - skills_main,
                location=converted["location"],
                pairing=converted["pairing"],
                pay=converted["pay"],
                start=converted["start"],
                family=converted["family"],
            ),
        )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | Any) -> Weights:
        """From settings' ``MatchWeights`` (or any mapping/object with the six part names)."""
        if not isinstance(values, Mapping):
            values = {key: getattr(values, key) for key in PART_KEYS}
        return cls(**{key: float(values[key]) for key in PART_KEYS})


@dataclass(frozen=True, slots=True)
class MatchContext:
    today: date
    weights: Weights = field(default_factory=Weights)
    # Score a match must reach to count in "what would raise my score".
    threshold: float = 50.0
    # At most this many vacancies of one employer in a seeker's list (0 = no cap).
    per_employer: int = 3
    # (Ningbo district code, origin code); the origin may be a county or a whole prefecture.
    pairings: frozenset[tuple[str, str]] = frozenset()
    region_coords: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    region_names: Mapping[str, str] = field(default_factory=dict)
    taxonomy: Taxonomy = field(default_factory=default_taxonomy)
    _paired: Mapping[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        paired: dict[str, set[str]] = {}
        for district, origin in self.pairings:
            paired.setdefault(district, set()).add(origin)
        object.__setattr__(self, "_paired", {d: frozenset(o) for d, o in paired.items()})

    def paired_origins(self, district_code: str) -> frozenset[str]:
        return self._paired.get(district_code, frozenset())

    def pairing_origin(self, district_code: str, origin_code: str, parent_code: str | None) -> str | None:
        """The origin named in the pairing that covers this seeker: the county itself first, else its
        prefecture (慈溪 works with the whole of 黔西南州)."""
        origins = self.paired_origins(district_code)
        if origin_code in origins:
            return origin_code
        if parent_code is not None and parent_code in origins:
            return parent_code
        return None

    def name(self, code: str) -> str:
        return self.region_names.get(code, code)

    def distance_km(
        self, origin_code: str, district_code: str, latitude: float | None, longitude: float | None
    ) -> float | None:
        """Great-circle distance from the origin's seat to the workplace, for the explanation only."""
        home = self.region_coords.get(origin_code)
        work = (latitude, longitude) if latitude is not None and longitude is not None else None
        work = work or self.region_coords.get(district_code)
        if home is None or work is None:
            return None
        return _great_circle_km(home[0], home[1], work[0], work[1])


@functools.lru_cache(maxsize=65536)
def _great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))
