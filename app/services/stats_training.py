"""Training demand for order-based training (订单式培训): the skills and certificates open vacancies ask
for that the region's seekers lack (a station: its own seekers; vacancies are public), with how many vacancies and
seekers each would connect."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import true
from sqlmodel import Session, select

from app.matching.taxonomy import Taxonomy, default_taxonomy, normalise
from app.models.seeker import Seeker
from app.models.vacancy import Vacancy
from app.services.stats_common import Regions, StatsFilter

COLUMNS = [("kind", "类别"), ("name", "技能或证书"), ("vacancies", "需求岗位数"), ("places", "空缺人数"),
           ("seekers_with", "已具备的求职者"), ("shortage", "缺口"), ("seekers_to_train", "可培训对接的求职者")]


@dataclass
class _Need:
    kind: str
    name: str
    vacancies: int = 0
    places: int = 0
    # For a certificate: the skills of the vacancies asking for it (a seeker with one of them needs only the card).
    skills: set[str] = field(default_factory=set)


def _skill(taxonomy: Taxonomy, text: str) -> str:
    occupation = taxonomy.resolve(text).occupation
    return occupation.name if occupation else normalise(text)


def training_rows(session: Session, f: StatsFilter, limit: int = 20) -> list[dict[str, Any]]:
    taxonomy = default_taxonomy()
    regions = Regions(session)
    vacancies = session.exec(
        select(Vacancy).where(Vacancy.status == "open")
        .where(Vacancy.district_code == f.district_code if f.district_code else true())
        .where(Vacancy.employer_id == f.employer_id if f.employer_id is not None else true())
    ).all()
    needs: dict[tuple[str, str], _Need] = {}
    for v in vacancies:
        places = max(0, v.headcount - v.hired_count)
        if places == 0:
            continue
        skill = _skill(taxonomy, v.occupation)
        wanted = [("skill", skill)] + [("certificate", c.strip()) for c in dict.fromkeys(v.certificates)]
        for kind, name in wanted:
            need = needs.setdefault((kind, normalise(name) if kind == "certificate" else name), _Need(kind, name))
            need.vacancies += 1
            need.places += places
            if kind == "certificate":
                need.skills.add(skill)
    seekers = session.exec(
        select(Seeker.skills, Seeker.certificates).where(Seeker.status == "active", f.seeker_scope(regions))
    ).all()
    people = [({_skill(taxonomy, s.get("name", "")) for s in skills or []},
               {normalise(c) for c in certificates or []}) for skills, certificates in seekers]
    known = set().union(*(skills for skills, _ in people)) if people else set()
    related = {key: _related(taxonomy, need.name, known) for key, need in needs.items() if need.kind == "skill"}
    having: dict[tuple[str, str], int] = defaultdict(int)
    trainable: dict[tuple[str, str], int] = defaultdict(int)
    for skills, certificates in people:
        for key, need in needs.items():
            if need.kind == "skill":
                if need.name in skills:
                    having[key] += 1
                elif related[key] & skills:
                    trainable[key] += 1
            elif key[1] in certificates:
                having[key] += 1
            elif need.skills & skills:
                trainable[key] += 1
    rows: list[dict[str, Any]] = []
    for key, need in needs.items():
        shortage = max(0, need.places - having[key])
        if shortage == 0:
            continue
        rows.append({"kind": "技能" if need.kind == "skill" else "证书", "name": need.name,
                     "vacancies": need.vacancies, "places": need.places, "seekers_with": having[key],
                     "shortage": shortage, "seekers_to_train": trainable[key]})
    rows.sort(key=lambda r: (-r["shortage"], -r["vacancies"], r["kind"], r["name"]))
    return rows[:limit]


def _related(taxonomy: Taxonomy, name: str, skills: set[str]) -> set[str]:
    """The skills among ``skills`` partly matching ``name``: a short course away from it."""
    try:
        target = taxonomy.by_name(name)
    except KeyError:
        return set()
    found = set()
    for skill in skills:
        try:
            other = taxonomy.by_name(skill)
        except KeyError:
            continue
        if 0 < taxonomy.relatedness(target, other) < 1:
            found.add(skill)
    return found
