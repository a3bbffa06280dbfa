"""The FastAPI application: routers under /api/v1, problem-details errors, health and readiness."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

from app.db import make_engine
from app.errors import NotReady, install_error_handlers
from app.idempotency import IdempotencyMiddleware
from app.migrate import head_revision, is_migrated
from app.pii import get_vault
from app.routers import (
    access,
    applications,
    employers,
    exports,
    families,
    imports,
    matches,
    notifications,
    placements,
    regions,
    seekers,
    stations,
    stats,
    subsidies,
    transport,
    vacancies,
    webhooks,
)
from app.services.matching import MatchService
from app.settings import Settings, get_settings
from app.web import downloads as web_downloads
from app.web import pages as web_pages

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    stop = threading.Event()
    thread = None
    if app.state.settings.warm_match_index:
        # Built in the background so the server answers health checks at once; the first match
        # query waits for the build instead of starting its own.
        threading.Thread(target=_warm, args=(app,), name="jobmatch-index", daemon=True).start()
    if app.state.settings.run_embedded_worker:
        from app.worker import run_worker

        thread = threading.Thread(target=run_worker, kwargs={"engine": app.state.engine, "stop": stop,
                                                             "matcher": app.state.matcher,
                                                             "settings": app.state.settings},
                                  name="jobmatch-worker", daemon=True)
        thread.start()
    try:
        yield
    finally:
        stop.set()
        if thread is not None:
            thread.join(timeout=10)


def _warm(app: FastAPI) -> None:
    try:
        app.state.matcher.index  # noqa: B018  (building is the point)
    except Exception as exc:  # an unmigrated or unreachable database: /readyz says so; queries retry
        logger.warning("match index not built at start: %s", type(exc).__name__)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        lifespan=_lifespan,
        title="jobmatch",
        summary="宁波东西部劳务协作 · 岗位精准匹配与推送",
        description="Matches job seekers from Ningbo's partner regions with Ningbo employers. "
        "Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.effective_database_url)
    app.state.vault = get_vault(settings)
    # Built on first use (a million seekers take a while); each process keeps its own, polled current.
    app.state.matcher = MatchService(app.state.engine, settings)
    install_error_handlers(app)
    # Every POST with an Idempotency-Key: a retry replays the first answer instead of acting twice.
    app.add_middleware(IdempotencyMiddleware)
    for module in (regions, stations, employers, imports, vacancies, seekers, families, notifications, webhooks,
                   access, applications, placements, transport, stats, subsidies, exports, matches):
        app.include_router(module.router, prefix=API_PREFIX)
    # The pages: the seeker's app (/app) and the dashboard (/dashboard), with their static files (/web).
    app.include_router(web_pages.router)
    app.include_router(web_downloads.router)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    def readyz() -> JSONResponse:
        try:
            with app.state.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            migrated = is_migrated(app.state.engine)
        except Exception as exc:  # any failure to reach the database means not ready
            logger.warning("readiness check failed: %s", type(exc).__name__)
            raise NotReady("数据库不可用", "The database is unreachable") from exc
        if not migrated:
            raise NotReady("数据库尚未迁移到最新版本", f"The database is not migrated to {_head()}")
        return JSONResponse({"status": "ready", "revision": _head()})

    return app


@lru_cache
def _head() -> str | None:
    return head_revision()
