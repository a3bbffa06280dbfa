"""Families (亲情岗位 groups) formed from generated seekers so that they keep the family service's rules."""

from __future__ import annotations

import random
from datetime import date

from app.demo.identifiers import pair_of, resident_id
from app.demo.sampling import Row, Weighted, given_name
from app.validation.identity import age_on

FAMILY_SHARE = 0.10

_KINDS = Weighted({"couple": 45, "father_son": 20, "brothers": 25, "other": 10})
# What family members share: one household, registered at one station, going to work together.
_HOUSEHOLD = ("station_code", "origin_code", "registered_poor", "poverty_evidence_ref", "poverty_verified_on",
              "available_from", "status")


def _gap(a: Row, b: Row) -> int:
    older, younger = sorted((a["birth_date"], b["birth_date"]))
    return age_on(older, younger)


def _fits(kind: str, anchor: Row, other: Row, today: date) -> bool:
    gap = _gap(anchor, other)
    if kind == "couple":
        # 22 is the legal marriage age for men (20 for women); asking it of both keeps this simple.
        return gap <= 8 and min(age_on(anchor["birth_date"], today), age_on(other["birth_date"], today)) >= 22
    if kind == "father_son":
        return 20 <= gap <= 35  # the service asks for at least 15
    return gap <= (10 if kind == "brothers" else 30)


def _family_size(rng: random.Random, kind: str) -> int:
    if kind in ("couple", "father_son"):
        return 2
    return rng.choice((2, 2, 3)) if kind == "brothers" else rng.choice((2, 3, 4))


def _become(rng: random.Random, seeker: Row, sex: str, surname: str | None) -> None:
    """Give a family member the sex and surname the family needs, with a given name to suit."""
    if seeker["sex"] != sex or surname:
        seeker["name"] = (surname or seeker["name"][0]) + given_name(rng, sex)
    seeker["sex"] = sex


def _shape(rng: random.Random, kind: str, members: list[Row]) -> None:
    if kind == "couple":
        _become(rng, members[1], "female" if members[0]["sex"] == "male" else "male", None)
    elif kind in ("father_son", "brothers"):
        _become(rng, members[0], "male", None)
        for member in members[1:]:
            _become(rng, member, "male", members[0]["name"][0])


def _find_members(rng: random.Random, kind: str, anchor: Row, free: list[Row], taken: set[int],
                  today: date) -> list[Row] | None:
    size = _family_size(rng, kind)
    members = [anchor]
    chosen = {anchor["index"]}
    for _ in range(40 * size):
        candidate = rng.choice(free)
        if candidate["index"] in taken or candidate["index"] in chosen:
            continue
        if not _fits(kind, anchor, candidate, today):
            continue
        members.append(candidate)
        chosen.add(candidate["index"])
        if len(members) == size:
            return members
    return None


def generate_families(rng: random.Random, seekers: list[Row], today: date) -> list[Row]:
    """Groups about a tenth of ``seekers`` into families of 2-4, rewriting members so that every family
    keeps the service's rules (a couple is of two sexes, a father at least 15 years older than his son,
    brothers are male, all of one station). Members get ``family_key``, the key of their family row."""
    free = [s for s in seekers if s.get("family_key") is None]
    rng.shuffle(free)
    taken: set[int] = set()
    families: list[Row] = []
    target, placed = round(len(seekers) * FAMILY_SHARE), 0
    for anchor in free:
        if placed >= target:
            break
        if anchor["index"] in taken:
            continue
        kind = _KINDS.pick(rng)
        members = _find_members(rng, kind, anchor, free, taken, today)
        if members is None:
            continue
        for member in members[1:]:
            member.update({field: anchor[field] for field in _HOUSEHOLD})
            member["preferred_districts"] = list(anchor["preferred_districts"])
        _shape(rng, kind, members)
        for member in members:
            # The slot stays, so the number stays unique; the area and sex may have changed.
            member["id_number"] = resident_id(member["origin_code"], member["birth_date"],
                                              pair_of(member["id_number"]), member["sex"])
            member["family_key"] = anchor["index"]
            taken.add(member["index"])
        placed += len(members)
        families.append({
            "key": anchor["index"], "station_code": anchor["station_code"], "kind": kind,
            "must_stay_together": rng.random() < 0.9,
            "needs_couple_dormitory": kind == "couple" and rng.random() < 0.7,
            "member_indexes": [m["index"] for m in members],
            "created_at": max(m["created_at"] for m in members),
        })
    return families
