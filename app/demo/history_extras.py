"""The rest of the demo's past year: check-ins, charter batches, job pushes, example subsidy rules."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from app.clock import SHANGHAI
from app.db import metadata
from app.settings import get_settings

if TYPE_CHECKING:
    from app.demo.history import Story

Row = dict[str, Any]
CHECKPOINTS = (7, 30, 60, 90)
CALLED_SHARE = 0.85
CHARTER_SHARE = 0.9
# Fewer people than this going the same way in the same half-month travel on their own.
CHARTER_MIN = 3


def t(name: str) -> Any:
    return metadata.tables[name]


def at(day: date, hour: int = 10, rng: random.Random | None = None) -> datetime:
    """A moment on a China calendar day, stored as UTC."""
    minute = rng.randrange(60) if rng else 0
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI).astimezone(UTC)


def write_check_ins(conn: Connection, rng: random.Random, placements: list[Row], today: date) -> None:
    rows = []
    for p in placements:
        end = p["left_on"] or today
        for day in CHECKPOINTS:
            due = p["arrived_on"] + timedelta(days=day)
            if due > end:
                break
            if rng.random() >= CALLED_SHARE:
                continue
            checked = max(p["arrived_on"], min(today, due + timedelta(days=rng.randint(-2, 3))))
            note = rng.choice((None, "工作稳定", "适应良好", "希望加班多一些"))
            rows.append(_check_in(p, checked, "employed", rng, note=note))
        if p["left_on"]:
            checked = min(today, p["left_on"] + timedelta(days=rng.randint(0, 4)))
            rows.append(_check_in(p, checked, "left", rng, left_on=p["left_on"], reason=p["left_reason"]))
    if rows:
        conn.execute(t("check_in").insert(), rows)


def _check_in(p: Row, checked: date, outcome: str, rng: random.Random, **extra: Any) -> Row:
    by_station = rng.random() < 0.8
    return {"placement_id": p["id"], "checked_on": checked, "outcome": outcome, "left_on": None, "reason": None,
            "note": None, "responsible_person_id": p["responsible_person_id"] if by_station else None,
            "actor_role": "station" if by_station else "employer",
            "actor_id": p["station_id"] if by_station else p["employer_id"], "created_at": at(checked, 15, rng),
            **extra}


def write_batches(conn: Connection, rng: random.Random, stories: list[Story], placements: list[Row],
                  vacancies: dict[Any, int], today: date) -> None:
    """Households travelled by chartered bus with others of their station going to the same district in
    the same half-month; households hired to start soon are on planned batches."""
    del placements, vacancies
    capacity = get_settings().charter_capacity_bus
    groups: dict[tuple[int, str, date, str], list[Story]] = defaultdict(list)
    for story in stories:
        arrived = story.reached("arrived")
        upcoming = story.status == "hired" and story.start_date and story.start_date >= today
        if arrived is None and not upcoming:
            continue
        day = arrived or story.start_date
        assert day is not None
        window = day.replace(day=1 if day.day <= 15 else 16)
        status = "arrived" if arrived else "planned"
        groups[(story.members[0]["station_id"], story.employer["district_code"], window, status)].append(story)
    for (station_id, district, window, status), group in sorted(groups.items(), key=lambda g: str(g[0])):
        if sum(len(s.members) for s in group) < CHARTER_MIN or (status == "arrived" and rng.random() >= CHARTER_SHARE):
            continue  # came on their own
        load: list[Story] = []
        for story in sorted(group, key=lambda s: s.start_date or window):
            if load and sum(len(s.members) for s in load) + len(story.members) > capacity:
                _write_batch(conn, rng, station_id, district, status, load, capacity)
                load = []
            load.append(story)
        if load:
            _write_batch(conn, rng, station_id, district, status, load, capacity)


def _write_batch(conn: Connection, rng: random.Random, station_id: int, district: str, status: str,
                 load: list[Story], capacity: int) -> None:
    starts = [s.start_date for s in load if s.start_date]
    arrivals = [d for s in load if (d := s.reached("arrived"))]
    first = min(arrivals or starts)
    row = {"station_id": station_id, "mode": "bus", "district_code": district, "window_start": min(starts),
           "window_end": max(starts), "depart_on": first - timedelta(days=1), "capacity": capacity,
           "status": status, "departed_at": at(first - timedelta(days=1), 7, rng) if arrivals else None,
           "arrived_at": at(first, 18, rng) if arrivals else None, "arrived_on": first if arrivals else None,
           "created_at": at(first - timedelta(days=7), 10, rng)}
    batch_id = conn.execute(t("transport_batch").insert().returning(t("transport_batch").c.id), row).scalar_one()
    conn.execute(t("transport_passenger").insert(), [
        {"batch_id": batch_id, "application_id": m["application_id"], "seeker_id": m["id"],
         "family_id": s.family["id"] if s.family else None}
        for s in load for m in s.members])


def write_pushes(conn: Connection, rng: random.Random, stories: list[Story], vacancies: dict[Any, int],
                 seekers: list[Row], today: date) -> None:
    """The pushes that led to the applications, and the many more that did not, with read receipts."""
    rows = []
    for story in stories:
        for member in story.members:
            day = max(story.applied_on - timedelta(days=rng.randint(0, 3)), story.applied_on.replace(day=1))
            rows.append(_push(rng, member["id"], vacancies[id(story)], day, read=True))
    posted = sorted(set(vacancies.values()))
    for _ in range(3 * len(rows)):
        seeker = rng.choice(seekers)
        registered = seeker["created_at"].date()
        if not posted or (today - registered).days < 2:
            continue
        day = registered + timedelta(days=rng.randint(1, (today - registered).days - 1))
        rows.append(_push(rng, seeker["id"], rng.choice(posted), day, read=rng.random() < 0.35))
    for chunk in range(0, len(rows), 2000):
        conn.execute(t("notification").insert(), rows[chunk:chunk + 2000])


def _push(rng: random.Random, seeker_id: int, vacancy_id: int, day: date, *, read: bool) -> Row:
    sent = at(day, rng.choice((9, 12, 19)), rng)
    return {"recipient_role": "seeker", "recipient_id": seeker_id, "event_id": None, "kind": "job.match",
            "title": "为您推荐的岗位（往期）", "body": {"vacancy_id": vacancy_id, "history": True},
            "rank": rng.randint(1, 5), "score": round(rng.uniform(60, 95), 1), "vacancy_id": vacancy_id,
            "created_at": sent, "visible_at": sent, "held_reason": None,
            "read_at": sent + timedelta(minutes=rng.randint(1, 600)) if read else None}


EXAMPLE_NOTE = "示例规则：名称、条件和金额仅用于演示系统功能，并非任何地方的官方补贴标准。"


def write_subsidy_rules(conn: Connection, today: date) -> None:
    table = t("subsidy_rule")
    if conn.execute(select(func.count()).select_from(table)).scalar():
        return
    since = date(today.year - 2, 1, 1)
    common = {"is_example": True, "active": True, "valid_from": since, "valid_to": None, "note": EXAMPLE_NOTE,
              "created_at": at(since, 9, random.Random(0))}
    conn.execute(table.insert(), [
        {**common, "name": "示例：稳岗补贴（建档立卡劳动力稳定就业3个月）", "kind": "job_retention",
         "requires_registered_poor": True, "min_stable_days": 90, "origin_codes": ["522300", "222400"],
         "caring_post_only": False, "amount_per_person": 1000},
        {**common, "name": "示例：职介补贴（介绍建档立卡劳动力到岗）", "kind": "job_introduction",
         "requires_registered_poor": True, "min_stable_days": 0, "origin_codes": [], "caring_post_only": False,
         "amount_per_person": 300},
        {**common, "name": "示例：爱心岗位稳岗补贴（稳定就业6个月）", "kind": "job_retention",
         "requires_registered_poor": True, "min_stable_days": 180, "origin_codes": [], "caring_post_only": True,
         "amount_per_person": 1500},
    ])
