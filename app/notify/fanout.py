"""Turning one outbox event into ranked pushes: to seekers, to their stations, to the employer.

Runs in the worker, one transaction per event: the event is marked processed by the same transaction
that writes its notifications and webhook messages, so each event fans out exactly once even when a
worker dies half-way (its transaction rolls back and the event's lease runs out).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import text, update
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.matching.profiles import Match
from app.models.employer import Employer
from app.models.family import Family
from app.models.notification import Notification, OutboxEvent, PushLedger
from app.models.region import Region
from app.models.seeker import Seeker
from app.models.vacancy import Vacancy
from app.notify.inbox import PushGate
from app.notify.outbox import vacancy_version
from app.notify.webhooks import enqueue
from app.services.seekers import employer_view
from app.settings import Settings

if TYPE_CHECKING:
    from app.services.matching import MatchService

logger = logging.getLogger(__name__)


class FanOut:
    def __init__(self, session: Session, matcher: MatchService, settings: Settings) -> None:
        self.session = session
        self.matcher = matcher
        self.settings = settings

    # -- dispatch -------------------------------------------------------------------------------------
    def handle(self, event: OutboxEvent) -> int:
        handler = {
            "vacancy.opened": self._vacancy,
            "vacancy.changed": self._vacancy,
            "seeker.registered": self._seeker,
            "seeker.changed": self._seeker,
            "family.registered": self._family,
            "family.changed": self._family,
            "application.changed": self._state_change,
            "placement.changed": self._state_change,
        }.get(event.kind)
        if handler is None:
            logger.warning("no fan-out for event kind %s", event.kind)
            return 0
        return handler(event)

    # -- a vacancy opened or changed in a way that matters ---------------------------------------------
    def _vacancy(self, event: OutboxEvent) -> int:
        vacancy = self.session.get(Vacancy, event.subject_id)
        if vacancy is None or vacancy.status != "open":
            return 0
        employer = self.session.get(Employer, vacancy.employer_id)
        assert employer is not None and vacancy.id is not None
        version = vacancy_version(vacancy)
        matches = self.matcher.top_seekers(vacancy.id, self.settings.push_max_per_event, self.settings.push_threshold)
        job = self._job_summary(vacancy, employer)
        seekers = self._seekers([m.seeker_id for m in matches])
        consenting = {m.seeker_id for m in matches if m.seeker_id in seekers and seekers[m.seeker_id].consent_push}
        fresh = self._first_time(consenting, vacancy.id, version)
        gate = PushGate(self.session, fresh, self.settings.push_daily_cap)
        pushed = 0
        by_station: dict[int, list[dict[str, Any]]] = defaultdict(list)
        families: dict[int, set[int]] = defaultdict(set)
        for rank, match in enumerate(matches, start=1):
            seeker = seekers.get(match.seeker_id)
            if seeker is None:
                continue
            entry = {"seeker_id": seeker.id, "name": seeker.name, "score": match.score, "rank": rank,
                     "reasons": list(match.reasons_zh), "family_id": seeker.family_id}
            by_station[seeker.station_id].append(entry)
            if seeker.family_id is not None:
                families[seeker.station_id].add(seeker.family_id)
            if seeker.id in fresh:  # fresh holds consenting seekers only
                gate.push(seeker, self._job_push(event, job, match, rank))
                pushed += 1
        for station_id, entries in by_station.items():
            body = {"vacancy": job, "seekers": entries, "families": sorted(families[station_id])}
            self._notify("station", station_id, event, "station.digest",
                         f"新岗位匹配：{vacancy.title}（{len(entries)} 人）", body, vacancy_id=vacancy.id)
            enqueue(self.session, "station", station_id, "match.station_digest",
                    self._webhook_digest(job, entries, families[station_id]))
        shortlist: list[dict[str, Any]] = [
            {"rank": rank, "score": m.score, "reasons": list(m.reasons_zh),
             "seeker": employer_view(self.session, seeker).model_dump(mode="json")}
            for rank, m in enumerate(matches[: self.settings.shortlist_size], start=1)
            if (seeker := seekers.get(m.seeker_id)) is not None
        ]
        self._notify("employer", employer.id, event, "employer.shortlist",  # type: ignore[arg-type]
                     f"候选人推荐：{vacancy.title}（{len(shortlist)} 人）", {"vacancy": job, "candidates": shortlist},
                     vacancy_id=vacancy.id)
        enqueue(self.session, "employer", employer.id, "match.vacancy_shortlist",  # type: ignore[arg-type]
                {"vacancy_id": vacancy.id, "candidates": [
                    {"rank": c["rank"], "score": c["score"], "seeker_id": c["seeker"]["id"]} for c in shortlist]})
        return pushed

    # -- a seeker registered or changed skills or preferences -------------------------------------------
    def _seeker(self, event: OutboxEvent) -> int:
        seeker = self.session.get(Seeker, event.subject_id)
        if seeker is None or seeker.status != "active" or not seeker.consent_matching:
            return 0
        assert seeker.id is not None
        matches = self.matcher.top_vacancies(seeker.id, self.settings.seeker_push_top, self.settings.push_threshold)
        jobs = []
        pushed = 0
        gate = PushGate(self.session, [seeker.id] if seeker.consent_push else [], self.settings.push_daily_cap)
        for rank, match in enumerate(matches, start=1):
            vacancy = self.session.get(Vacancy, match.vacancy_id)
            employer = self.session.get(Employer, vacancy.employer_id) if vacancy else None
            if vacancy is None or employer is None or vacancy.id is None:
                continue
            job = self._job_summary(vacancy, employer)
            jobs.append({**job, "score": match.score, "rank": rank, "reasons": list(match.reasons_zh)})
            if seeker.consent_push and self._first_time({seeker.id}, vacancy.id, vacancy_version(vacancy)):
                gate.push(seeker, self._job_push(event, job, match, rank))
                pushed += 1
        if jobs:
            title = f"{seeker.name} 的推荐岗位（{len(jobs)} 个）"
            self._notify("station", seeker.station_id, event, "station.seeker_jobs", title,
                         {"seeker_id": seeker.id, "name": seeker.name, "jobs": jobs})
            enqueue(self.session, "station", seeker.station_id, "match.seeker_jobs",
                    {"seeker_id": seeker.id, "jobs": [
                        {"vacancy_id": j["id"], "employer_id": j["employer_id"], "score": j["score"], "rank": j["rank"]}
                        for j in jobs]})
        return pushed

    # -- a family registered or changed ----------------------------------------------------------------
    def _family(self, event: OutboxEvent) -> int:
        family = self.session.get(Family, event.subject_id)
        if family is None or not family.must_stay_together:
            return 0
        assert family.id is not None
        results = self.matcher.top_employers_for_family(family.id, self.settings.family_push_top)
        offers = []
        for rank, fm in enumerate(results, start=1):
            employer = self.session.get(Employer, fm.employer_id)
            if employer is None:
                continue
            offers.append({
                "rank": rank, "score": fm.score, "employer_id": employer.id, "employer": employer.name,
                "district": self._region_name(employer.district_code), "reasons": list(fm.reasons_zh),
                "assignment": [{"seeker_id": s, "vacancy_id": v, "score": sc} for s, v, sc in fm.assignment],
            })
        if not offers:
            return 0
        members = self.session.exec(select(Seeker).where(Seeker.family_id == family.id)).all()
        pushed = 0
        gate = PushGate(self.session, [m.id for m in members if m.consent_push and m.id is not None],
                        self.settings.push_daily_cap)
        for member in members:
            if member.consent_push:
                gate.push(member, {
                    "event_id": event.id, "kind": "family.match", "rank": 1, "score": offers[0]["score"],
                    "title": f"全家可去：{offers[0]['employer']}等 {len(offers)} 家企业",
                    "body": {"family_id": family.id, "offers": offers}, "vacancy_id": None,
                })
                pushed += 1
        title = f"家庭岗位推荐（家庭 {family.id}，{len(offers)} 家企业）"
        self._notify("station", family.station_id, event, "station.family_jobs", title,
                     {"family_id": family.id, "offers": offers})
        enqueue(self.session, "station", family.station_id, "match.seeker_jobs",
                {"family_id": family.id, "employers": [
                    {"employer_id": o["employer_id"], "score": o["score"], "rank": o["rank"],
                     "assignment": o["assignment"]} for o in offers]})
        return pushed

    # -- an application or placement changed state ---------------------------------------------------
    def _state_change(self, event: OutboxEvent) -> int:
        data = event.data
        seeker = self.session.get(Seeker, data.get("seeker_id")) if data.get("seeker_id") else None
        if seeker is None:
            return 0
        status = str(data.get("status", ""))
        vacancy = self.session.get(Vacancy, data.get("vacancy_id")) if data.get("vacancy_id") else None
        title = f"申请状态更新：{STATUS_ZH.get(status, status)}" + (f"（{vacancy.title}）" if vacancy else "")
        body = {k: v for k, v in data.items() if k in ("status", "vacancy_id", "application_id", "placement_id",
                                                        "reason", "start_date", "stable_on")}
        body["seeker_id"] = seeker.id
        assert seeker.id is not None
        self._notify("seeker", seeker.id, event, event.kind, title, body, vacancy_id=body.get("vacancy_id"))
        self._notify("station", seeker.station_id, event, event.kind, f"{seeker.name} {title}", body,
                     vacancy_id=body.get("vacancy_id"))
        enqueue(self.session, "station", seeker.station_id, event.kind, body)
        if vacancy is not None:
            enqueue(self.session, "employer", vacancy.employer_id, event.kind, body)
        return 1

    # -- helpers ---------------------------------------------------------------------------------------
    def _seekers(self, ids: list[int]) -> dict[int, Seeker]:
        if not ids:
            return {}
        rows = self.session.exec(select(Seeker).where(col(Seeker.id).in_(ids))).all()
        return {s.id: s for s in rows if s.id is not None}

    def _first_time(self, seeker_ids: set[int], vacancy_id: int, version: str) -> set[int]:
        """The seekers who have not had this version of the job: the same job reaches the same seeker
        again only when it changed in a way that matters. Records the push for them."""
        if not seeker_ids:
            return set()
        ledgers = {
            row.seeker_id: row for row in self.session.exec(
                select(PushLedger).where(PushLedger.vacancy_id == vacancy_id,
                                         col(PushLedger.seeker_id).in_(seeker_ids))).all()
        }
        fresh = set()
        for seeker_id in seeker_ids:
            ledger = ledgers.get(seeker_id)
            if ledger is not None and ledger.version == version:
                continue
            fresh.add(seeker_id)
            if ledger is None:
                self.session.add(PushLedger(seeker_id=seeker_id, vacancy_id=vacancy_id, version=version))
            else:
                ledger.version, ledger.pushed_at = version, utcnow()
                self.session.add(ledger)
        return fresh

    def _job_summary(self, vacancy: Vacancy, employer: Employer) -> dict[str, Any]:
        return {
            "id": vacancy.id, "title": vacancy.title, "employer_id": employer.id, "employer": employer.name,
            "district_code": vacancy.district_code, "district": self._region_name(vacancy.district_code),
            "pay_min": vacancy.pay_min, "pay_max": vacancy.pay_max, "housing": vacancy.housing,
            "meals": vacancy.meals, "caring_post": vacancy.caring_post, "family_posts": vacancy.family_posts,
            "couple_dormitory": employer.couple_dormitories > employer.couple_dormitories_used,
        }

    def _job_push(self, event: OutboxEvent, job: dict[str, Any], match: Match, rank: int) -> dict[str, Any]:
        return {
            "event_id": event.id, "kind": "job.match", "rank": rank, "score": match.score,
            "vacancy_id": job["id"], "title": f"{job['title']} · {job['employer']}（{job['district']}）",
            "body": {**job, "score": match.score, "reasons": list(match.reasons_zh)},
        }

    def _webhook_digest(self, job: dict[str, Any], entries: list[dict[str, Any]], families: set[int]) -> dict[str, Any]:
        return {
            "vacancy_id": job["id"], "employer_id": job["employer_id"],
            "seekers": [{"seeker_id": e["seeker_id"], "score": e["score"], "rank": e["rank"]} for e in entries],
            "family_ids": sorted(families),
        }

    def _notify(self, role: str, recipient_id: int, event: OutboxEvent, kind: str, title: str, body: dict[str, Any],
                *, vacancy_id: int | None = None) -> None:
        self.session.add(Notification(recipient_role=role, recipient_id=recipient_id, event_id=event.id, kind=kind,
                                      title=title[:200], body=body, vacancy_id=vacancy_id))

    def _region_name(self, code: str) -> str:
        region = self.session.get(Region, code)
        return region.name if region else code


STATUS_ZH = {
    "applied": "已申请", "shortlisted": "入围", "offered": "已发录用意向", "hired": "已录用", "arrived": "已到岗",
    "rejected": "未录用", "withdrawn": "已撤回", "no_show": "未报到", "left": "已离职", "stable": "稳定就业",
}


def process_event(session: Session, matcher: MatchService, settings: Settings, event_id: int, worker_id: str) -> bool:
    """Fan one event out inside the caller's transaction. False when another worker already did it."""
    if session.get_bind().dialect.name == "postgresql":
        # Notification ids are stream positions: serialise their insertion so no id commits after a larger one.
        session.execute(text("SELECT pg_advisory_xact_lock(4242)"))
    claimed = session.execute(
        update(OutboxEvent)
        .where(col(OutboxEvent.id) == event_id, col(OutboxEvent.processed_at).is_(None))
        .values(processed_at=utcnow(), lease_owner=worker_id)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    event = session.get(OutboxEvent, event_id)
    assert event is not None
    FanOut(session, matcher, settings).handle(event)
    return True
