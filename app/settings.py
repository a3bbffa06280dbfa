"""Settings from the environment (prefix ``JOBMATCH_``); nothing secret is a constant in code."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class MatchWeights(BaseModel):
    """Points each part of a match may earn; the total of the maxima is 100."""

    skills: float = 50.0
    location: float = 20.0
    pairing: float = 10.0
    pay: float = 10.0
    start: float = 5.0
    family: float = 5.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOBMATCH_", env_nested_delimiter="__", extra="ignore")

    var_dir: Path = PROJECT_ROOT / "var"
    database_url: str = ""
    # Fernet key (urlsafe base64, 32 bytes) protecting ID and phone numbers at rest.
    secret_key: str = ""
    # Generating a key on first use is only acceptable for the embedded demo database: on a
    # shared server a lost key would make every stored ID number unreadable.
    allow_generated_secret: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    enrolment_code_ttl_hours: int = 72
    page_limit_default: int = 50
    page_limit_max: int = 200
    match_weights: MatchWeights = Field(default_factory=MatchWeights)
    match_threshold: float = 50.0
    match_per_employer: int = 3
    vacancy_validity_days: int = 30
    push_threshold: float = 60.0
    push_max_per_event: int = 50
    push_daily_cap: int = 10
    seeker_push_top: int = 5
    family_push_top: int = 5
    shortlist_size: int = 20
    # Placements: seats per chartered bus, hard-seat train carriage and flight block (包车、包专列、包机);
    # days after arrival until a placement counts as stable (稳定就业), and the longer mark also reported.
    charter_capacity_bus: int = Field(default=45, ge=4)
    charter_capacity_train: int = Field(default=118, ge=4)
    charter_capacity_flight: int = Field(default=30, ge=4)
    stable_days: int = 90
    stable_long_days: int = 180
    stream_poll_seconds: float = 0.5
    stream_heartbeat_seconds: float = 15.0
    outbox_lease_seconds: float = 60.0
    # Webhooks. Private/loopback destinations are an SSRF hole in production; tests and the demo need them.
    allow_private_webhooks: bool = False
    # The whole of one send: connect, TLS, request and answer (a receiver dripping bytes is cut off at it).
    webhook_timeout_seconds: float = 15.0
    webhook_lease_seconds: float = 60.0
    # Concurrent sends per worker. More threads help only against slow receivers: on a fast network they
    # mostly contend for the interpreter lock (16 cost 40 % more CPU per message than 8 on loopback).
    webhook_concurrency: int = 8
    # Sends in flight to one endpoint per worker, so a slow receiver holds at most this many of the worker's
    # sender threads and other endpoints keep their pace. With two threads or more, an endpoint already
    # sending never takes the last free one: it is kept for an endpoint starting its first send, so slow
    # endpoints with backlogs leave a thread to the others. With webhook_concurrency 1 nothing is kept back
    # and a slow send holds the worker until webhook_timeout_seconds.
    webhook_endpoint_concurrency: int = Field(default=4, ge=1)
    webhook_secret_overlap_hours: float = 24.0
    # Delay before each retry (±20 % jitter): about three days in all, then the message is dead.
    # 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, 14 h, 14 h, 16 h (pydantic copies list defaults per instance).
    webhook_retry_schedule: list[float] = [5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0,
                                           50400.0, 50400.0, 57600.0]
    # Bulk import: uploads over this size are refused with 413 before they are read; rows per chunk.
    import_max_bytes: int = 50 * 1024 * 1024
    import_chunk_rows: int = 2000
    # Idempotency-Key: how long a key is remembered, how long a first attempt may hold it before a retry
    # may take it over (longer than the slowest request), and the largest response kept for replay.
    idempotency_ttl_hours: float = 24.0
    idempotency_lock_seconds: float = 600.0
    idempotency_max_response_bytes: int = 16 * 1024 * 1024
    worker_poll_seconds: float = 0.5
    warm_match_index: bool = True
    # None: run background work inside the server when the database is the embedded SQLite file, where
    # a second process would only contend for the single writer lock.
    embedded_worker: bool | None = None

    @property
    def run_embedded_worker(self) -> bool:
        return self.is_sqlite if self.embedded_worker is None else self.embedded_worker

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.var_dir / 'jobmatch.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
