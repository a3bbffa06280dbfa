"""Background work, as `jobmatch worker` or inside the server on SQLite: fan out outbox events into
pushes, release pushes held by quiet hours, deliver webhooks, expire postings not refreshed, and record
the event of each placement reaching stable employment (day 90)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, update
from sqlmodel import Session, col

from app.clock import utcnow
from app.db import get_engine
from app.models.notification import OutboxEvent
from app.notify.delivery import default_worker_id, deliver_due
from app.notify.fanout import process_event
from app.notify.inbox import release_held
from app.notify.outbox import claim_events
from app.services.matching import MatchService
from app.services.placements import announce_stable
from app.services.vacancies import expire_stale
from app.settings import Settings, get_settings

logger = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 30.0
# An event that fails this often is set aside (kept, with its error) so it cannot block the queue.
MAX_EVENT_ATTEMPTS = 10


@dataclass
class Worker:
    engine: Engine
    settings: Settings
    matcher: MatchService
    worker_id: str = field(default_factory=default_worker_id)

    def fan_out(self, batch: int = 20) -> int:
        with Session(self.engine) as session:
            claimed = [(e.id, e.attempts) for e in claim_events(
                session, self.worker_id, batch=batch, lease_seconds=self.settings.outbox_lease_seconds)]
            session.commit()
        done = 0
        for event_id, attempts in claimed:
            assert event_id is not None
            try:
                with Session(self.engine) as session:
                    if process_event(session, self.matcher, self.settings, event_id, self.worker_id):
                        done += 1
                    session.commit()
            except Exception as exc:  # the event stays unprocessed; its lease ends and it is retried
                logger.error("fan-out of event %s failed: %s", event_id, type(exc).__name__)
                self._note_failure(event_id, attempts, type(exc).__name__)
        return done

    def _note_failure(self, event_id: int, attempts: int, error: str) -> None:
        values: dict[str, object] = {"last_error": error, "lease_until": None, "lease_owner": None}
        if attempts >= MAX_EVENT_ATTEMPTS:
            logger.error("event %s set aside after %d attempts", event_id, attempts)
            values["processed_at"] = utcnow()
        with Session(self.engine) as session:
            session.execute(update(OutboxEvent).where(col(OutboxEvent.id) == event_id).values(**values))
            session.commit()

    def release(self) -> int:
        with Session(self.engine) as session:
            released = release_held(session, self.settings.push_daily_cap)
            session.commit()
        return released

    def housekeeping(self) -> int:
        with Session(self.engine) as session:
            expired = expire_stale(session)
            session.commit()
        if expired:
            logger.info("expired %d vacancies past their valid-until date", expired)
        return expired

    def announce_stable(self, today: date | None = None) -> int:
        """Day 90 comes with the calendar, not with a request: the worker records its events."""
        with Session(self.engine) as session:
            announced = announce_stable(session, today=today)
            session.commit()
        if announced:
            logger.info("announced %d placements stable", announced)
        return announced

    def run_round(self, *, housekeeping: bool = True) -> dict[str, int]:
        counts = {"events": self.fan_out(), "released": self.release()}
        counts["webhooks"] = deliver_due(self.engine, self.worker_id, settings=self.settings)
        counts["expired"] = self.housekeeping() if housekeeping else 0
        counts["stable"] = self.announce_stable() if housekeeping else 0
        return counts


def run_worker(*, once: bool = False, engine: Engine | None = None, stop: threading.Event | None = None,
               matcher: MatchService | None = None, settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    engine = engine or get_engine()
    worker = Worker(engine, settings, matcher or MatchService(engine, settings))
    stop = stop or threading.Event()
    next_housekeeping = 0.0
    logger.info("worker %s started", worker.worker_id)
    while not stop.is_set():
        busy = False
        try:
            # Events and deliveries run back to back while there is work; expiry needs no hurry.
            housekeeping = time.monotonic() >= next_housekeeping
            if housekeeping:
                next_housekeeping = time.monotonic() + HOUSEKEEPING_SECONDS
            counts = worker.run_round(housekeeping=housekeeping)
            busy = counts["events"] > 0 or counts["webhooks"] > 0 or counts["stable"] > 0
        except Exception as exc:  # a failed round must not end the worker; the next one retries
            logger.error("worker round failed: %s", type(exc).__name__)
        if once:
            return
        if not busy:
            stop.wait(settings.worker_poll_seconds)
