"""Posts and transport: caring posts and family posts opened and filled, couple dormitories used, and
workers moved by charter batches."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import true
from sqlmodel import Session, col, func, select

from app.models.application import Application
from app.models.employer import Employer
from app.models.seeker import Seeker
from app.models.transport import TransportBatch, TransportPassenger
from app.models.vacancy import Vacancy
from app.services.stats_common import Regions, StatsFilter, bureau_only

KINDS = ("couple", "father_son", "brothers")
POST_COLUMNS = [
    ("district_code", "区县代码"), ("district", "区县"),
    ("caring_opened", "爱心岗位开设"), ("caring_filled", "爱心岗位已录用"),
    ("couple_opened", "夫妻岗开设"), ("couple_filled", "夫妻岗已录用"),
    ("father_son_opened", "父子岗开设"), ("father_son_filled", "父子岗已录用"),
    ("brothers_opened", "兄弟岗开设"), ("brothers_filled", "兄弟岗已录用"),
    ("dormitories", "夫妻宿舍（间）"), ("dormitories_used", "夫妻宿舍已入住"),
]
TRANSPORT_COLUMNS = [("mode", "方式"), ("mode_name", "方式名称"), ("district_code", "目的地代码"),
                     ("district", "目的地"), ("batches", "已到达批次"), ("passengers", "运送人数")]
MODE_ZH = {"bus": "包车", "train": "包专列", "flight": "包机"}


def post_rows(session: Session, f: StatsFilter) -> list[dict[str, Any]]:
    """Places, not postings: a caring vacancy for 10 opens 10 caring posts. Vacancies posted in the
    period (drafts never opened anything); dormitories as they stand now. The bureau's only: the filled
    posts and dormitories are other stations' people too."""
    bureau_only(f)
    regions = Regions(session)
    query = select(Vacancy).where(Vacancy.status != "draft", col(Vacancy.created_at) < f.period.end_at)
    if f.period.start_at is not None:
        query = query.where(col(Vacancy.created_at) >= f.period.start_at)
    query = query.where(col(Vacancy.district_code) == f.district_code if f.district_code else true())
    query = query.where(col(Vacancy.employer_id) == f.employer_id if f.employer_id is not None else true())
    rows: dict[str, dict[str, int]] = defaultdict(lambda: {k: 0 for k, _ in POST_COLUMNS[2:]})
    for v in session.exec(query).all():
        row = rows[v.district_code]
        if v.caring_post:
            row["caring_opened"] += v.headcount
            row["caring_filled"] += v.hired_count
        for kind in KINDS:
            row[f"{kind}_opened"] += int((v.family_posts or {}).get(kind, 0))
            row[f"{kind}_filled"] += int((v.family_posts_used or {}).get(kind, 0))
    employers = select(col(Employer.district_code), func.sum(col(Employer.couple_dormitories)),
                       func.sum(col(Employer.couple_dormitories_used))).group_by(col(Employer.district_code))
    employers = employers.where(col(Employer.district_code) == f.district_code if f.district_code else true())
    employers = employers.where(col(Employer.id) == f.employer_id if f.employer_id is not None else true())
    for district, total, used in session.exec(employers).all():
        rows[district]["dormitories"] += int(total or 0)
        rows[district]["dormitories_used"] += int(used or 0)
    out: list[dict[str, Any]] = [{"district_code": code, "district": regions.name(code), **rows[code]}
                                 for code in sorted(rows)]
    totals = {k: sum(rows[code][k] for code in rows) for k, _ in POST_COLUMNS[2:]}
    out.append({"district_code": "", "district": "合计", **totals})
    return out


def transport_rows(session: Session, f: StatsFilter) -> list[dict[str, Any]]:
    """Workers moved: passengers of batches that arrived in the period, by mode and destination."""
    regions = Regions(session)
    query = (
        select(col(TransportBatch.id), col(TransportBatch.mode), col(TransportBatch.district_code),
               col(TransportPassenger.seeker_id))
        .join(TransportPassenger, col(TransportPassenger.batch_id) == TransportBatch.id)
        .join(Seeker, col(Seeker.id) == TransportPassenger.seeker_id)
        .join(Application, col(Application.id) == TransportPassenger.application_id)
        .where(TransportBatch.status == "arrived", col(TransportBatch.arrived_on) <= f.period.end,
               f.seeker_scope(regions))
        .where(col(TransportBatch.arrived_on) >= f.period.start if f.period.start else true())
        .where(col(TransportBatch.district_code) == f.district_code if f.district_code else true())
        .where(col(Application.employer_id) == f.employer_id if f.employer_id is not None else true())
    )
    batches: dict[tuple[str, str], set[int]] = defaultdict(set)
    people: dict[tuple[str, str], int] = defaultdict(int)
    for batch_id, mode, district, _seeker in session.exec(query).all():
        batches[(mode, district)].add(int(batch_id or 0))
        people[(mode, district)] += 1
    rows: list[dict[str, Any]] = [
        {"mode": mode, "mode_name": MODE_ZH.get(mode, mode), "district_code": district,
         "district": regions.name(district), "batches": len(batches[(mode, district)]),
         "passengers": people[(mode, district)]}
        for mode, district in sorted(batches)
    ]
    rows.append({"mode": "", "mode_name": "合计", "district_code": "", "district": "",
                 "batches": len(set().union(*batches.values())) if batches else 0,
                 "passengers": sum(people.values())})
    return rows
