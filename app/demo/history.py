"""A year of history for the demo population: applications and their transitions, hires, placements,
check-ins, charter batches, job pushes and read receipts, and the example subsidy rules.

Runs after the population is loaded (``add_history(engine, seed=…, today=…)``), deterministic for a seed
and a day, once: a database that already has applications is left alone. Everything goes in with Core
inserts, and no outbox events are written: this is the past, nobody is to be notified of it again.
Past hires go to past postings (one per employer and month, closed or filled by now), so the current
open vacancies keep their places and the figures of each month add up.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from app.clock import SHANGHAI
from app.demo.history_extras import at, t, write_batches, write_check_ins, write_pushes, write_subsidy_rules

Row = dict[str, Any]
# Share of the population's households (a family or a single seeker) with a story in the past year.
STORY_SHARE = 0.35
REJECTED, WITHDRAWN, NO_SHOW = 0.18, 0.08, 0.04
LEAVE_SHARE = 0.3
REASONS = {"rejected": ("技能不符合岗位要求", "岗位已招满", "体检未通过"),
           "withdrawn": ("家中有事", "已找到其他工作", "薪资不符合期望"),
           "no_show": ("未按约定日期报到", "联系不上"),
           "left": ("家中有事返乡", "工资不满意", "不适应倒班", "身体原因", "转到老乡所在企业")}
_FAMILY_POST = {"couple", "father_son", "brothers"}


@dataclass
class Story:
    """One household's application: the same dates and outcome for every member."""

    members: list[Row]
    employer: Row
    applied_on: date
    path: list[tuple[str, date]] = field(default_factory=list)
    start_date: date | None = None
    family: Row | None = None
    left: dict[int, tuple[date, str]] = field(default_factory=dict)  # seeker id -> (left on, reason)

    @property
    def status(self) -> str:
        return self.path[-1][0]

    def reached(self, status: str) -> date | None:
        return next((d for s, d in self.path if s == status), None)


def add_history(engine: Engine, *, seed: int, today: date) -> int:
    """Writes the history; returns how many applications it made (0 when history is already there)."""
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(t("application"))).scalar():
            return 0
        world = _load(conn)
    if not world["employers"] or not world["seekers"]:
        return 0
    rng = random.Random(f"jobmatch-history:{seed}:{today.isoformat()}")
    stories = _stories(rng, world, today)
    with engine.begin() as conn:
        vacancies = _write_vacancies(conn, rng, stories, today)
        placements = _write_applications(conn, rng, stories, vacancies, world, today)
        write_check_ins(conn, rng, placements, today)
        write_batches(conn, rng, stories, placements, vacancies, today)
        write_pushes(conn, rng, stories, vacancies, world["seekers"], today)
        write_subsidy_rules(conn, today)
        _settle(conn, stories)
    return sum(len(s.members) for s in stories)


def _load(conn: Connection) -> dict[str, Any]:
    seekers = [dict(r._mapping) for r in conn.execute(
        select(t("seeker").c.id, t("seeker").c.station_id, t("seeker").c.family_id, t("seeker").c.status,
               t("seeker").c.created_at, t("seeker").c.skills, t("seeker").c.preferred_districts)
        .order_by(t("seeker").c.id))]
    employers = [dict(r._mapping) for r in conn.execute(select(t("employer")).order_by(t("employer").c.id))]
    families = {r.id: dict(r._mapping) for r in conn.execute(select(t("family")))}
    people = defaultdict(list)
    for r in conn.execute(select(t("responsible_person")).order_by(t("responsible_person").c.id)):
        people[r.station_id].append(r.id)
    return {"seekers": seekers, "employers": employers, "families": families, "people": people}


def _stories(rng: random.Random, world: dict[str, Any], today: date) -> list[Story]:
    households: dict[Any, list[Row]] = defaultdict(list)
    for s in world["seekers"]:
        households[("family", s["family_id"]) if s["family_id"] else ("seeker", s["id"])].append(s)
    dorm_employers = [e for e in world["employers"] if e["couple_dormitories"] > 0]
    stories = []
    for key in sorted(households, key=str):
        members = households[key]
        if any(m["status"] == "inactive" for m in members) or rng.random() >= STORY_SHARE:
            continue
        registered = max(m["created_at"] for m in members).astimezone(SHANGHAI).date()
        if (today - registered).days < 6:
            continue
        family = world["families"].get(key[1]) if key[0] == "family" else None
        needs_dormitory = family is not None and family["needs_couple_dormitory"] and dorm_employers
        pool = dorm_employers if needs_dormitory else world["employers"]
        # Most go where they wanted to (often the district paired with their county: 结对帮扶).
        wanted = [e for e in pool if e["district_code"] in (members[0]["preferred_districts"] or [])[:1]]
        if wanted and rng.random() < 0.7:
            pool = wanted
        applied_on = registered + timedelta(days=rng.randint(1, (today - registered).days - 1))
        story = Story(members, rng.choice(pool), applied_on, family=family)
        _unfold(rng, story, today)
        stories.append(story)
    return stories


def _unfold(rng: random.Random, story: Story, today: date) -> None:
    """The path from applied to wherever it is today, each step a few days after the last."""
    day = story.applied_on
    story.path = [("applied", day)]
    age = (today - day).days
    fate = rng.random()
    last = "arrived"
    if fate < REJECTED:
        last = "rejected"
    elif fate < REJECTED + WITHDRAWN:
        last = "withdrawn"
    elif fate < REJECTED + WITHDRAWN + NO_SHOW:
        last = "no_show"
    # A rejection or withdrawal takes the place of the step it happens at.
    ends_at = rng.choice(("shortlisted", "offered", "hired"))
    for status in ("shortlisted", "offered", "hired", "arrived"):
        step_day = day + timedelta(days=rng.randint(1, 4) if status != "arrived" else 0)
        if status == "arrived":
            assert story.start_date is not None
            step_day = story.start_date
        if step_day > today or (status == "shortlisted" and age < 4):
            return  # still on its way
        if last in ("rejected", "withdrawn") and status == ends_at:
            story.path.append((last, step_day))
            return
        if last == "no_show" and status == "arrived":
            story.path.append(("no_show", step_day + timedelta(days=1)))
            return
        story.path.append((status, step_day))
        day = step_day
        if status == "hired":
            story.start_date = day + timedelta(days=rng.randint(3, 14))
    for member in story.members:
        if rng.random() < LEAVE_SHARE:
            stay = rng.randint(3, max(3, min(240, (today - day).days)))
            if day + timedelta(days=stay) <= today:
                story.left[member["id"]] = (day + timedelta(days=stay), rng.choice(REASONS["left"]))
    if story.family is not None and story.left:
        # A family that came together mostly leaves together.
        first = min(story.left.values())
        story.left = {m["id"]: first for m in story.members}


def _write_vacancies(conn: Connection, rng: random.Random, stories: list[Story], today: date) -> dict[Any, int]:
    """One past posting per employer and month of application; the story's members are hired on it."""
    groups: dict[tuple[int, date], list[Story]] = defaultdict(list)
    for story in stories:
        groups[(story.employer["id"], story.applied_on.replace(day=1))].append(story)
    ids: dict[Any, int] = {}
    for (employer_id, month), group in sorted(groups.items()):
        employer = group[0].employer
        skill = (group[0].members[0]["skills"] or [{"name": "普工"}])[0]["name"]
        hired = sum(len(s.members) for s in group if s.reached("hired") and s.status not in ("withdrawn", "no_show"))
        posts: dict[str, int] = defaultdict(int)
        for s in group:
            if s.family and s.family["kind"] in _FAMILY_POST and s.reached("hired") and s.status not in (
                    "withdrawn", "no_show"):
                posts[s.family["kind"]] += 1
        headcount = max(1, hired + rng.choice((0, 0, 1, 2, 3)), 2 * sum(posts.values()))
        valid_until = min(month + timedelta(days=45), today - timedelta(days=1))
        row = {
            "employer_id": employer_id, "title": f"{skill}（往期招聘）", "occupation": skill,
            "skills": [{"name": skill, "level": None, "years": 0}], "certificates": [], "headcount": headcount,
            "hired_count": hired, "district_code": employer["district_code"], "latitude": employer["latitude"],
            "longitude": employer["longitude"], "pay_min": 4500, "pay_max": 6500, "housing": True, "meals": True,
            "caring_post": rng.random() < 0.25, "family_posts": dict(posts), "family_posts_used": dict(posts),
            "valid_until": max(valid_until, month), "status": "filled" if hired >= headcount else "closed",
            "description": "往期岗位（演示历史数据）。", "created_at": at(month, 9), "updated_at": at(valid_until, 18),
        }
        vacancy_id = conn.execute(t("vacancy").insert().returning(t("vacancy").c.id), row).scalar_one()
        for story in group:
            ids[id(story)] = vacancy_id
    return ids


def _write_applications(conn: Connection, rng: random.Random, stories: list[Story], vacancies: dict[Any, int],
                        world: dict[str, Any], today: date) -> list[Row]:
    placements: list[Row] = []
    for story in stories:
        vacancy_id = vacancies[id(story)]
        group_id = _write_group(conn, story, vacancy_id)
        for member in story.members:
            application = {
                "seeker_id": member["id"], "vacancy_id": vacancy_id, "employer_id": story.employer["id"],
                "station_id": member["station_id"], "group_id": group_id, "status": story.status,
                "reason": rng.choice(REASONS[story.status]) if story.status in REASONS else None,
                "start_date": story.start_date if story.reached("hired") else None,
                "arrived_on": story.reached("arrived"), "source": rng.choice(("seeker", "station")),
                "created_at": at(story.applied_on, 9, rng), "updated_at": at(story.path[-1][1], 16, rng),
            }
            app_id = conn.execute(t("application").insert().returning(t("application").c.id), application).scalar_one()
            member["application_id"] = app_id
            previous = None
            events = []
            for status, day in story.path:
                by_applicant = status in ("applied", "withdrawn")
                events.append({"application_id": app_id, "from_status": previous, "to_status": status,
                               "reason": application["reason"] if status == story.status else None,
                               "start_date": story.start_date if status == "hired" else None,
                               "actor_role": application["source"] if by_applicant else "employer",
                               "actor_id": member["station_id"] if by_applicant else story.employer["id"],
                               "at": at(day, 11, rng)})
                previous = status
            conn.execute(t("application_event").insert(), events)
            arrived_on = story.reached("arrived")
            if arrived_on is None:
                continue
            left_on, reason = story.left.get(member["id"], (None, None))
            people = world["people"].get(member["station_id"]) or [None]
            row = {"application_id": app_id, "seeker_id": member["id"], "vacancy_id": vacancy_id,
                   "employer_id": story.employer["id"], "station_id": member["station_id"], "group_id": group_id,
                   "responsible_person_id": people[0], "arrived_on": arrived_on,
                   "status": "left" if left_on else "active", "left_on": left_on, "left_reason": reason,
                   "created_at": at(arrived_on, 17), "updated_at": at(left_on or arrived_on, 17)}
            row["id"] = conn.execute(t("placement").insert().returning(t("placement").c.id), row).scalar_one()
            placements.append(row)
    return placements


def _write_group(conn: Connection, story: Story, vacancy_id: int) -> int | None:
    if story.family is None:
        return None
    kind = story.family["kind"] if story.family["kind"] in _FAMILY_POST else None
    taken = story.reached("hired") is not None and story.status not in ("withdrawn", "no_show")
    holding = story.status == "hired" or (story.status == "arrived" and len(story.left) < len(story.members))
    dormitory = bool(story.family["needs_couple_dormitory"]) and holding
    row = {"family_id": story.family["id"], "employer_id": story.employer["id"],
           "station_id": story.members[0]["station_id"], "family_post_kind": kind,
           "family_post_vacancy_id": vacancy_id if kind else None,
           "needs_couple_dormitory": bool(story.family["needs_couple_dormitory"]),
           "family_post_taken": bool(kind) and taken, "dormitory_taken": dormitory,
           "created_at": at(story.applied_on, 9)}
    return int(conn.execute(t("application_group").insert().returning(t("application_group").c.id), row).scalar_one())


def _settle(conn: Connection, stories: list[Story]) -> None:
    """Seekers hired or at work are placed; couples at work occupy a dormitory each."""
    placed = [m["id"] for s in stories for m in s.members
              if s.status == "hired" or (s.status == "arrived" and m["id"] not in s.left)]
    seeker = t("seeker")
    for chunk in range(0, len(placed), 500):
        conn.execute(update(seeker).where(seeker.c.id.in_(placed[chunk:chunk + 500])).values(status="placed"))
    dorms: dict[int, int] = defaultdict(int)
    for s in stories:
        if s.family and s.family["needs_couple_dormitory"] and s.status in ("hired", "arrived") and (
                len(s.left) < len(s.members)):
            dorms[s.employer["id"]] += 1
    employer = t("employer")
    for employer_id, used in dorms.items():
        conn.execute(update(employer).where(employer.c.id == employer_id).values(
            couple_dormitories_used=func.min(employer.c.couple_dormitories, used)
            if conn.dialect.name == "sqlite" else func.least(employer.c.couple_dormitories, used)))
