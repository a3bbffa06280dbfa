"""Background work: expire postings not refreshed. Runs as `jobmatch worker`, or inside the server on SQLite."""

from __future__ import annotations

import logging
import threading


from sqlalchemy import Engine
from sqlmodel import Session

from app.db import get_engine
from app.services.vacancies import expire_stale

logger = logging.getLogger(__name__)

ROUND_SECONDS = 30.0


def run_round(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        expired = expire_stale(session)
        session.commit()
    if expired:
        logger.info("expired %d vacancies past their valid-until date", expired)
    return {"expired": expired}


def run_worker(*, once: bool = False, engine: Engine | None = None, stop: threading.Event | None = None) -> None:
    engine = engine or get_engine()
    stop = stop or threading.Event()
    logger.info("worker started")
    while not stop.is_set():
        try:
            run_round(engine)
        except Exception as exc:  # a failed round must not end the worker; the next one retries
            logger.error("worker round failed: %s", type(exc).__name__)
        if once:
            return
        stop.wait(ROUND_SECONDS)

