"""The matching service: one in-memory index per process, built from the database at start and kept
current by polling `updated_at` stamps, so writes from any process are seen within a second or two
and a caller always sees its own writes (every query first applies what changed)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Engine

from app.clock import today_shanghai, utcnow
from app.matching.context import MatchContext, Weights
from app.matching.improve import Improvement
from app.matching.index import MatchIndex
from app.matching.profiles import FamilyMatch, Match, SeekerProfile
from app.matching.taxonomy import default_taxonomy
from app.services import match_profiles as rows
from app.settings import Settings

logger = logging.getLogger(__name__)

# Transactions commit out of stamp order; re-reading a short window behind the watermark catches a row
# stamped earlier but committed later, and the applied-stamp memo keeps that re-read cheap.
LOOKBACK = timedelta(seconds=5)


class _Watermark:
    """Which changes of one table were applied. A refresh reads rows stamped after the start of the
    previous refresh, minus LOOKBACK, so a row stamped earlier but committed later is still caught; the
    memo of applied stamps keeps those re-read rows from being applied twice."""

    def __init__(self) -> None:
        self.previous_start: datetime | None = None
        self.applied: dict[int, datetime] = {}

    def since(self) -> datetime | None:
        return None if self.previous_start is None else self.previous_start - LOOKBACK

    def horizon(self) -> datetime | None:
        """Stamps up to here will not be re-read by the next refresh, so ``fresh`` need not remember them.
        Meaningful only after ``begin``: it is the *next* refresh's lower bound, computed from this
        refresh's start, which ``begin`` records."""
        return self.since()

    def begin(self, now: datetime) -> datetime | None:
        """The lower bound for this refresh's query; remembers when this refresh started."""
        since = self.since()
        self.previous_start = now
        if since is not None and len(self.applied) > 1000:
            self.applied = {k: v for k, v in self.applied.items() if v > since}
        return since

    def fresh(self, items: Iterable[tuple[int, datetime]]) -> set[int]:
        """Ids whose stamp has not been applied yet; remembers them."""
        new = set()
        horizon = self.horizon()
        for item_id, stamp in items:
            if self.applied.get(item_id) != stamp:
                new.add(item_id)
                if horizon is None or stamp > horizon:
                    self.applied[item_id] = stamp
        return new


class _LazyParents(Mapping[str, str | None]):
    """County → prefecture, loaded on the first lookup."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._parents: dict[str, str | None] | None = None

    def _load(self) -> dict[str, str | None]:
        if self._parents is None:
            self._parents = rows.region_parents(self._conn)
        return self._parents

    def __getitem__(self, code: str) -> str | None:
        return self._load()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


class MatchService:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.taxonomy = default_taxonomy()
        self._lock = threading.RLock()
        self._building = threading.Lock()
        self._index: MatchIndex | None = None
        self._day: date | None = None
        self._seekers = _Watermark()
        self._vacancies = _Watermark()
        self._employers = _Watermark()
        self._families = _Watermark()

    # -- building and refreshing ---------------------------------------------------------------------
    def _context(self, conn: Connection, today: date) -> MatchContext:
        coords, names = rows.load_region_info(conn)
        return MatchContext(
            today=today,
            weights=Weights.from_mapping(self.settings.match_weights),
            threshold=self.settings.match_threshold,
            per_employer=self.settings.match_per_employer,
            pairings=rows.load_pairings(conn, today),
            region_coords=coords,
            region_names=names,
            taxonomy=self.taxonomy,
        )

    def build(self) -> MatchIndex:
        started = time.perf_counter()
        today = today_shanghai()
        with self.engine.connect() as conn:
            index = MatchIndex(self._context(conn, today))
            with self._lock:
                self._index, self._day = index, today
                self._seekers, self._vacancies = _Watermark(), _Watermark()
                self._employers, self._families = _Watermark(), _Watermark()
                try:
                    # Everything counts as changed since the beginning of time: one path for build and refresh.
                    self._apply(conn, index, today)
                except BaseException:
                    self._index = None  # half an index must not answer queries
                    raise
        # Fill the per-occupation caches now, so no user's first query pays for them.
        with self._lock:
            index.warm()
        logger.info("match index built: %d seekers in %.1f s", index.seeker_count, time.perf_counter() - started)
        return index

    def reset(self) -> None:
        """Forget the index; the next query rebuilds it (rows deleted behind its back, as tests do)."""
        with self._lock:
            self._index = None

    @property
    def index(self) -> MatchIndex:
        if self._index is None:
            with self._building:
                # Whoever waited on the lock finds the index another thread just built.
                if self._index is None:
                    self.build()
        assert self._index is not None
        return self._index

    def refresh(self) -> None:
        """Apply every change committed since the last refresh, by any process."""
        index = self.index
        today = today_shanghai()
        with self._lock, self.engine.connect() as conn:
            if today != self._day:
                # A new day moves valid-until and start dates: re-read the context and every vacancy.
                index.set_context(self._context(conn, today))
                self._day = today
                self._vacancies = _Watermark()
            self._apply(conn, index, today)

    def _apply(self, conn: Connection, index: MatchIndex, today: date) -> None:
        now = utcnow()
        first = self._seekers.previous_start is None
        employers = rows.load_employers(conn, self._employers.begin(now))
        fresh = self._employers.fresh((e.id, stamp) for e, stamp in employers)
        for employer, _ in employers:
            if employer.id in fresh:
                index.upsert_employer(employer)
        touched = set(self._families.fresh(rows.families_changed_since(conn, self._families.begin(now))))
        # Vacancies before seekers: a vacancy's new certificate takes its bit before seekers are indexed.
        vacancies = rows.load_vacancies(conn, today, self._vacancies.begin(now))
        fresh = self._vacancies.fresh((v.id, stamp) for v, stamp in vacancies)
        index.upsert_vacancies([vacancy for vacancy, _ in vacancies if vacancy.id in fresh])
        if first:
            # Every family before its members arrive; after that only families that changed.
            for family in rows.load_families(conn).values():
                if family is not None:
                    index.upsert_family(family)
            touched = set()
        # Read the region tree only when some seeker changed: most refreshes find none.
        parents = _LazyParents(conn)
        since = self._seekers.begin(now)
        # A build reads a million seekers but remembers the stamps of only the few its next refresh re-reads.
        horizon = self._seekers.horizon() if first else None
        seekers, stamps = rows.read_seekers(conn, parents, since, stamps_after=horizon)
        fresh = self._seekers.fresh(stamps)
        if not first:
            seekers = seekers.only(fresh)
            touched.update(index.seeker_family_ids(seekers.id))
            touched.update(seekers.family_ids())
        if len(seekers):
            index.upsert_seeker_columns(seekers)
        for family_id, family in rows.load_families(conn, touched).items():
            if family is None:
                index.remove_family(family_id)
            else:
                index.upsert_family(family)

    # -- queries -------------------------------------------------------------------------------------
    def top_seekers(self, vacancy_id: int, k: int, min_score: float = 0.0) -> list[Match]:
        self.refresh()
        with self._lock:
            try:
                return self.index.top_seekers(vacancy_id, k, min_score)
            except KeyError:
                return []

    def top_vacancies(self, seeker_id: int, k: int, min_score: float = 0.0) -> list[Match]:
        self.refresh()
        with self._lock:
            try:
                return self.index.top_vacancies(seeker_id, k, min_score)
            except KeyError:
                return []

    def top_employers_for_family(self, family_id: int, k: int, min_score: float = 0.0) -> list[FamilyMatch]:
        self.refresh()
        with self._lock:
            try:
                return self.index.top_employers_for_family(family_id, k, min_score)
            except KeyError:
                return []

    def improvements(self, seeker_id: int, limit: int = 3) -> list[Improvement]:
        self.refresh()
        with self._lock:
            try:
                return self.index.improvements(seeker_id, limit)
            except KeyError:
                return []

    def seeker_profile(self, seeker_id: int) -> SeekerProfile | None:
        with self._lock:
            return self.index.seeker(seeker_id)
