"""The matching rules written as one SQL query on PostgreSQL: what the index is measured against.

A service could skip the in-memory index and ask the database instead. This module is that design, done
fairly: the population is loaded into plain tables with the indexes such a query wants, and the same
integer rules as ``app/matching/points.py`` (hard filters, six parts, rounding, order) become a single
``SELECT`` per question. Reading free text (skill spellings → occupation keys, the vacancy's requirement
rows → level, years and other skills) is done once at load, as a database column would hold it; scoring
and ranking happen in SQL. ``compare.postgres_sql`` in ``bench_matching_pure`` times both sides on the
same population and checks that they return the same top-k; ``tests/test_sql_scoring.py`` holds the SQL
to the reference on random populations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from psycopg import sql

from app.matching.context import MatchContext
from app.matching.profiles import (
    POST_KINDS,
    EmployerProfile,
    FamilyProfile,
    SeekerProfile,
    VacancyProfile,
    normalise_certificate,
)
from app.matching.skills import SkillKey, related_keys, requirements, resolve_skill

__all__ = ["SqlScorer", "population_signature"]

# Bump when the tables or what is loaded into them change, so a cached load is not reused.
LAYOUT = "sql-scoring-v1"

_TABLES = """
CREATE TABLE seeker (
    id integer PRIMARY KEY, matchable boolean NOT NULL, poor boolean NOT NULL, family_id integer,
    origin text NOT NULL, parent text, expected_pay integer, available_from date, prefs text[] NOT NULL,
    certs text[] NOT NULL);
CREATE TABLE seeker_claim (seeker_id integer NOT NULL, key text NOT NULL, credit integer NOT NULL,
    level integer NOT NULL, years integer NOT NULL);
CREATE TABLE family (id integer PRIMARY KEY, kind text NOT NULL, must_stay boolean NOT NULL,
    needs_dorm boolean NOT NULL);
CREATE TABLE employer (id integer PRIMARY KEY, free_dorms integer NOT NULL);
CREATE TABLE vacancy (
    id integer PRIMARY KEY, employer_id integer NOT NULL, main_key text, req_level integer NOT NULL,
    req_years integer NOT NULL, district text NOT NULL, pay_min integer NOT NULL, pay_max integer NOT NULL,
    caring boolean NOT NULL, start_date date, is_open boolean NOT NULL, open_places integer NOT NULL,
    couple integer NOT NULL, father_son integer NOT NULL, brothers integer NOT NULL, certs text[] NOT NULL);
CREATE TABLE vacancy_other (vacancy_id integer NOT NULL, key text NOT NULL, level integer NOT NULL);
CREATE TABLE relatedness (a text NOT NULL, b text NOT NULL, pct integer NOT NULL, PRIMARY KEY (a, b));
CREATE TABLE pairing (district text NOT NULL, origin text NOT NULL, PRIMARY KEY (district, origin));
CREATE TABLE meta (signature text NOT NULL);
"""

_INDEXES = """
CREATE INDEX seeker_claim_by_key ON seeker_claim (key, seeker_id) INCLUDE (credit, level, years);
CREATE INDEX seeker_claim_by_seeker ON seeker_claim (seeker_id) INCLUDE (key, level, credit, years);
CREATE INDEX vacancy_by_main_key ON vacancy (main_key);
CREATE INDEX vacancy_by_employer ON vacancy (employer_id);
CREATE INDEX vacancy_other_by_vacancy ON vacancy_other (vacancy_id);
"""

# The parts every query shares, as SQL expressions over ``s`` (seeker), ``v`` (vacancy), ``f`` (family),
# ``sl`` (the employer's family-post slots), ``e`` (employer) and ``b`` (the best claim's tenths).
# Each mirrors one function of points.py; round_div(n, d) is (2n + d) / (2d) in integer arithmetic.
_OFFERED = """(CASE f.kind WHEN 'couple' THEN sl.couple WHEN 'father_son' THEN sl.father_son
    WHEN 'brothers' THEN sl.brothers ELSE sl.couple + sl.father_son + sl.brothers END)"""
_OWN_SLOTS = """(CASE f.kind WHEN 'couple' THEN greatest(v.couple, 0) WHEN 'father_son' THEN greatest(v.father_son, 0)
    WHEN 'brothers' THEN greatest(v.brothers, 0)
    ELSE greatest(v.couple, 0) + greatest(v.father_son, 0) + greatest(v.brothers, 0) END)"""
_FILTERS = f"""
    s.matchable
    AND (NOT v.caring OR s.poor)
    AND v.certs <@ s.certs
    AND (f.id IS NULL OR NOT f.must_stay
         OR ({_OFFERED} >= 1 AND (NOT f.needs_dorm OR coalesce(e.free_dorms, 0) >= 1)))
"""
_CLAIM_TENTHS = """
    (2 * (%(w_main)s::bigint * r.pct * c.credit * (60
        + CASE WHEN v.req_level <= 0 THEN 15 + 2 * c.level
               WHEN c.level >= v.req_level THEN 25
               WHEN v.req_level - c.level = 1 THEN 12 ELSE 0 END
        + CASE WHEN least(v.req_years, 50) <= 0 THEN least(c.years, 5) * 3
               WHEN least(c.years, 50) >= least(v.req_years, 50) THEN 15
               ELSE least(c.years, 50) * 15 / least(v.req_years, 50) END))
     + 1000000) / 2000000"""


def _part(weight: str, pct: str) -> str:
    return f"((2 * %({weight})s * ({pct}) + 100) / 200)"


_COVER = """(CASE WHEN v.others = 0 THEN %(w_cover)s ELSE (2 * %(w_cover)s * (
        SELECT count(*) FROM vacancy_other o WHERE o.vacancy_id = v.id AND EXISTS (
            SELECT 1 FROM seeker_claim c2 WHERE c2.seeker_id = s.id AND c2.key = o.key AND c2.level >= o.level))
    + v.others) / (2 * v.others) END)"""
_LOCATION = _part(
    "w_location",
    "CASE WHEN cardinality(s.prefs) = 0 THEN 50 WHEN v.district = ANY (s.prefs) THEN 100 ELSE 0 END",
)
_PAIRING = _part(
    "w_pairing",
    "CASE WHEN s.origin = ANY (v.paired) OR s.parent = ANY (v.paired) THEN 100 ELSE 0 END",
)
_PAY = _part(
    "w_pay",
    "CASE WHEN s.expected_pay IS NULL THEN 50 WHEN s.expected_pay <= v.pay_min THEN 100 "
    "WHEN s.expected_pay <= v.pay_max THEN 60 WHEN s.expected_pay * 10 <= v.pay_max * 11 THEN 20 ELSE 0 END",
)
_START = _part(
    "w_start",
    """CASE WHEN greatest(coalesce(s.available_from, %(today)s), %(today)s)
                 - greatest(coalesce(v.start_date, %(today)s), %(today)s) <= 0 THEN 100
            WHEN greatest(coalesce(s.available_from, %(today)s), %(today)s)
                 - greatest(coalesce(v.start_date, %(today)s), %(today)s) <= 14 THEN 50
            WHEN greatest(coalesce(s.available_from, %(today)s), %(today)s)
                 - greatest(coalesce(v.start_date, %(today)s), %(today)s) <= 30 THEN 20 ELSE 0 END""",
)
_FAMILY = _part(
    "w_family",
    f"""CASE WHEN f.id IS NULL THEN 100 WHEN f.needs_dorm AND coalesce(e.free_dorms, 0) < 1 THEN 0
            WHEN {_OWN_SLOTS} >= 1 THEN 100 WHEN {_OFFERED} >= 1 THEN 60 ELSE 0 END""",
)
_TOTAL = f"(b.tenths + {_COVER} + {_LOCATION} + {_PAIRING} + {_PAY} + {_START} + {_FAMILY})"

# Vacancy → top seekers. ``v`` carries the count of other required skills; the employer's slots are
# summed over its vacancies that take applicants, as ``family_slots_by_employer`` does.
TOP_SEEKERS = f"""
WITH v AS (
    SELECT x.*, (SELECT count(*) FROM vacancy_other o WHERE o.vacancy_id = x.id) AS others,
           array(SELECT origin FROM pairing pr WHERE pr.district = x.district) AS paired
    FROM vacancy x WHERE x.id = %(vacancy)s AND x.is_open AND x.open_places > 0 AND x.main_key IS NOT NULL
), sl AS (
    SELECT coalesce(sum(greatest(y.couple, 0)), 0) AS couple,
           coalesce(sum(greatest(y.father_son, 0)), 0) AS father_son,
           coalesce(sum(greatest(y.brothers, 0)), 0) AS brothers
    FROM vacancy y WHERE y.employer_id = (SELECT employer_id FROM v) AND y.is_open AND y.open_places > 0
), related AS (
    SELECT r.b AS key, r.pct FROM relatedness r, v WHERE r.a = v.main_key AND r.b <> v.main_key
    UNION ALL SELECT v.main_key, 100 FROM v
), b AS (
    SELECT c.seeker_id, max({_CLAIM_TENTHS}) AS tenths
    FROM related r JOIN seeker_claim c ON c.key = r.key, v
    GROUP BY c.seeker_id
), scored AS MATERIALIZED (
    SELECT s.id, {_TOTAL} AS tenths
    FROM b JOIN seeker s ON s.id = b.seeker_id
    CROSS JOIN v CROSS JOIN sl
    LEFT JOIN family f ON f.id = s.family_id
    LEFT JOIN employer e ON e.id = v.employer_id
    WHERE {_FILTERS}
)
SELECT id, tenths FROM scored WHERE tenths >= %(min_tenths)s ORDER BY tenths DESC, id LIMIT %(k)s
"""

# Seeker → top vacancies, at most ``per_employer`` of one employer (0 = no cap). Caring posts a seeker
# passes come first, as in ``rank_matches_for_seeker``; a greedy cap in that order is the first
# ``per_employer`` rows of each employer in the same order.
TOP_VACANCIES = f"""
WITH s AS (SELECT * FROM seeker WHERE id = %(seeker)s),
mine AS (SELECT key, credit, level, years FROM seeker_claim WHERE seeker_id = %(seeker)s
), candidates AS (
    SELECT DISTINCT x.id FROM mine m JOIN relatedness r ON r.a = m.key JOIN vacancy x ON x.main_key = r.b
    UNION SELECT x.id FROM mine m JOIN vacancy x ON x.main_key = m.key
), v AS (
    SELECT x.*, (SELECT count(*) FROM vacancy_other o WHERE o.vacancy_id = x.id) AS others,
           array(SELECT origin FROM pairing pr WHERE pr.district = x.district) AS paired
    FROM candidates JOIN vacancy x ON x.id = candidates.id WHERE x.is_open AND x.open_places > 0
), sl_all AS (  -- family-post slots of the candidates' employers only
    SELECT y.employer_id, sum(greatest(y.couple, 0)) AS couple, sum(greatest(y.father_son, 0)) AS father_son,
           sum(greatest(y.brothers, 0)) AS brothers
    FROM vacancy y WHERE y.employer_id IN (SELECT employer_id FROM v) AND y.is_open AND y.open_places > 0
    GROUP BY y.employer_id
), b AS (
    SELECT v.id AS vacancy_id, max({_CLAIM_TENTHS}) AS tenths
    FROM v JOIN LATERAL (
        SELECT rr.b AS key, rr.pct FROM relatedness rr WHERE rr.a = v.main_key AND rr.b <> v.main_key
        UNION ALL SELECT v.main_key, 100) r ON true
    JOIN mine c ON c.key = r.key
    GROUP BY v.id
), scored AS MATERIALIZED (
    SELECT v.id, v.employer_id, v.caring, {_TOTAL} AS tenths
    FROM b JOIN v ON v.id = b.vacancy_id CROSS JOIN s
    LEFT JOIN sl_all sl0 ON sl0.employer_id = v.employer_id
    CROSS JOIN LATERAL (SELECT coalesce(sl0.couple, 0) AS couple, coalesce(sl0.father_son, 0) AS father_son,
                               coalesce(sl0.brothers, 0) AS brothers) sl
    LEFT JOIN family f ON f.id = s.family_id
    LEFT JOIN employer e ON e.id = v.employer_id
    WHERE {_FILTERS}
), ranked AS (
    SELECT id, tenths, caring,
           row_number() OVER (PARTITION BY employer_id ORDER BY caring DESC, tenths DESC, id) AS nth
    FROM scored WHERE tenths >= %(min_tenths)s
)
SELECT id, tenths FROM ranked WHERE %(per_employer)s = 0 OR nth <= %(per_employer)s
ORDER BY caring DESC, tenths DESC, id LIMIT %(k)s
"""


def _key_text(key: SkillKey) -> str:
    """Occupation ids and unrecognised wording share one text column without colliding."""
    return str(key) if isinstance(key, int) else "t:" + key[1]


def population_signature(
    ctx: MatchContext,
    seekers: Sequence[SeekerProfile],
    vacancies: Sequence[VacancyProfile],
    employers: Sequence[EmployerProfile],
    families: Sequence[FamilyProfile],
) -> str:
    """A digest of the sizes, the day, the weights and a sample of every list, to reuse a loaded copy."""
    digest = hashlib.sha256(LAYOUT.encode())
    digest.update(repr((len(seekers), len(vacancies), len(employers), len(families), ctx.today)).encode())
    digest.update(repr((ctx.weights.tenths, sorted(ctx.pairings), len(ctx.taxonomy))).encode())
    for items in (seekers, vacancies, employers, families):
        step = max(1, len(items) // 500)
        digest.update(repr(items[::step]).encode())
        digest.update(repr(items[-1:]).encode())
    return digest.hexdigest()


class SqlScorer:
    """The population in one PostgreSQL schema, and the two ranking questions as one query each."""

    def __init__(self, conn: psycopg.Connection[Any], schema: str, ctx: MatchContext) -> None:
        self.conn = conn
        self.schema = schema
        self.ctx = ctx
        weights = ctx.weights.tenths
        self._params: dict[str, Any] = {
            "w_main": weights.skills_main,
            "w_cover": weights.skills_cover,
            "w_location": weights.location,
            "w_pairing": weights.pairing,
            "w_pay": weights.pay,
            "w_start": weights.start,
            "w_family": weights.family,
            "today": ctx.today,
        }

    # --- loading ---------------------------------------------------------------------------------

    def loaded_signature(self) -> str | None:
        row = self.conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = 'meta'",
            (self.schema,),
        ).fetchone()
        if row is None:
            return None
        found = self.conn.execute(sql.SQL("SELECT signature FROM {}.meta").format(sql.Identifier(self.schema)))
        value = found.fetchone()
        return str(value[0]) if value else None

    def load(
        self,
        seekers: Iterable[SeekerProfile],
        vacancies: Iterable[VacancyProfile],
        employers: Iterable[EmployerProfile],
        families: Iterable[FamilyProfile],
        signature: str = "",
    ) -> None:
        """Replace the schema's tables with this population (COPY, then indexes and statistics)."""
        conn, schema = self.conn, sql.Identifier(self.schema)
        taxonomy = self.ctx.taxonomy
        with conn.transaction():
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(schema))
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
            conn.execute(sql.SQL("SET LOCAL search_path TO {}").format(schema))
            conn.execute(_TABLES)
            with conn.cursor() as cur:
                self._copy_seekers(cur, seekers)
                with cur.copy("COPY family FROM STDIN") as copy:
                    for family in families:
                        copy.write_row(
                            (family.id, family.kind, family.must_stay_together, family.needs_couple_dormitory)
                        )
                with cur.copy("COPY employer FROM STDIN") as copy:
                    for employer in employers:
                        copy.write_row((employer.id, employer.free_couple_dormitories))
                self._copy_vacancies(cur, vacancies)
                with cur.copy("COPY relatedness FROM STDIN") as copy:
                    for occupation in taxonomy:
                        for other, pct in related_keys(occupation.id, taxonomy):
                            copy.write_row((_key_text(occupation.id), _key_text(other), pct))
                with cur.copy("COPY pairing FROM STDIN") as copy:
                    for district, origin in sorted(self.ctx.pairings):
                        copy.write_row((district, origin))
            conn.execute(_INDEXES)
            conn.execute("INSERT INTO meta VALUES (%s)", (signature,))
        # Statistics for the planner, and a visibility map so that index-only scans need no heap visits.
        for table in ("seeker", "seeker_claim", "family", "employer", "vacancy", "vacancy_other", "relatedness"):
            conn.execute(sql.SQL("VACUUM ANALYZE {}.{}").format(schema, sql.Identifier(table)))

    def _copy_seekers(self, cur: psycopg.Cursor[Any], seekers: Iterable[SeekerProfile]) -> None:
        taxonomy = self.ctx.taxonomy
        claims: list[tuple[int, str, int, int, int]] = []
        with cur.copy("COPY seeker FROM STDIN") as copy:
            for s in seekers:
                copy.write_row(
                    (
                        s.id,
                        s.active and s.consent_matching,
                        s.registered_poor,
                        s.family_id,
                        s.origin_code,
                        s.origin_parent_code,
                        s.expected_pay,
                        s.available_from,
                        sorted(set(s.preferred_districts)),
                        sorted({normalise_certificate(c) for c in s.certificates}),
                    )
                )
                for claim in s.skills:
                    resolved = resolve_skill(claim.text, taxonomy)
                    if resolved.key is not None:
                        claims.append((s.id, _key_text(resolved.key), resolved.credit, claim.level, claim.years))
        with cur.copy("COPY seeker_claim FROM STDIN") as copy:
            for row in claims:
                copy.write_row(row)

    def _copy_vacancies(self, cur: psycopg.Cursor[Any], vacancies: Iterable[VacancyProfile]) -> None:
        taxonomy = self.ctx.taxonomy
        others: list[tuple[int, str, int]] = []
        with cur.copy("COPY vacancy FROM STDIN") as copy:
            for v in vacancies:
                need = requirements(v, taxonomy)
                copy.write_row(
                    (
                        v.id,
                        v.employer_id,
                        _key_text(need.main.key) if need.main.key is not None else None,
                        need.level,
                        need.years,
                        v.district_code,
                        v.pay_min,
                        v.pay_max,
                        v.caring_post,
                        v.start_date,
                        v.is_open,
                        v.open_places,
                        *(int(v.family_posts.get(kind, 0) or 0) for kind in POST_KINDS),
                        sorted({normalise_certificate(c) for c in v.certificates}),
                    )
                )
                others.extend((v.id, _key_text(skill.key), level) for skill, level in need.others
                              if skill.key is not None)
        with cur.copy("COPY vacancy_other FROM STDIN") as copy:
            for row in others:
                copy.write_row(row)

    # --- the two questions -------------------------------------------------------------------------

    def _run(self, query: str, params: dict[str, Any]) -> list[tuple[int, int]]:
        with self.conn.transaction():
            self.conn.execute(sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(self.schema)))
            rows = self.conn.execute(query, {**self._params, **params}, prepare=True).fetchall()
        return [(int(row[0]), int(row[1])) for row in rows]

    def top_seekers(self, vacancy_id: int, k: int = 50, min_tenths: int = 0) -> list[tuple[int, int]]:
        """(seeker id, score in tenths), best first, as ``reference_top_seekers`` ranks them."""
        return self._run(TOP_SEEKERS, {"vacancy": vacancy_id, "k": k, "min_tenths": min_tenths})

    def top_vacancies(
        self, seeker_id: int, k: int = 20, min_tenths: int = 0, per_employer: int | None = None
    ) -> list[tuple[int, int]]:
        """(vacancy id, score in tenths), best first, as ``reference_top_vacancies`` ranks them."""
        cap = self.ctx.per_employer if per_employer is None else per_employer
        return self._run(
            TOP_VACANCIES, {"seeker": seeker_id, "k": k, "min_tenths": min_tenths, "per_employer": cap}
        )
