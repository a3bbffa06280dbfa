"""Seekers in columns: a base row per seeker, their skill claims and certificates in CSR arrays, and
posting lists from occupation to seekers.

Posting lists are "fat": each entry copies what scoring needs (claim code, flags, origin, pay,
availability), so a vacancy query reads contiguous memory instead of chasing rows. An entry exists
per (claim, preferred district) — or per claim in the "no preference" bucket — so a query can start
with the seekers who want that district and stop early (see ``seeker_scan.py``). Only seekers that
can match (active, consenting) have entries.

Updates never rewrite in place: the old row and its entries become tombstones (id -1) and the new
version is appended; compaction reclaims the space once a quarter of it is dead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from app.matching.columns import Columns, Grow
from app.matching.points import LEVEL_SPAN, YEARS_CAP, YEARS_SPAN
from app.matching.profiles import SeekerProfile, SkillClaim
from app.matching.vocabulary import MASK_BITS, Vocabulary

__all__ = ["ELIGIBLE", "FAMILY", "NONE_BUCKET", "POOR", "SeekerStore"]

ELIGIBLE = 1  # alive, active and consenting: may match at all
POOR = 2  # registered poor (建档立卡)
FAMILY = 4  # has a family id
ALIVE = 8
NONE_BUCKET = MASK_BITS  # entries of seekers without a preferred district
COMPACT_MIN = 4096

BASE_DTYPES: dict[str, Any] = {
    "id": np.int32,
    "station": np.int32,
    "origin": np.uint16,
    "parent": np.uint16,
    "flags": np.uint8,
    "active": np.uint8,
    "consent": np.uint8,
    "family": np.int32,
    "pay": np.int32,
    "avail": np.int32,
    "dmask": np.uint64,
    "cmask": np.uint64,
    "claim_start": np.int32,
    "claim_n": np.uint8,
    "cert_start": np.int32,
    "cert_n": np.uint8,
}
# the integer base columns, in the order ``_append`` collects them (the masks need uint64)
_ROW_COLUMNS = tuple(name for name in BASE_DTYPES if name not in ("dmask", "cmask"))
# the base columns ``decode`` reads, in the order it unpacks them
_DECODED = (
    "id", "station", "origin", "parent", "flags", "active", "consent", "family", "pay", "avail", "dmask",
    "claim_n", "cert_n",
)  # fmt: skip
_NONE: frozenset[str] = frozenset()
ENTRY_DTYPES: dict[str, Any] = {
    "id": np.int32,
    "code": np.uint16,
    "flags": np.uint8,
    "origin": np.uint16,
    "parent": np.uint16,
    "pay": np.int32,
    "avail": np.int32,
}


def segments(starts: npt.NDArray[Any], counts: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """Indices of the CSR segments ``[start, start + count)`` concatenated."""
    counts = counts.astype(np.int64)
    total = int(counts.sum())
    offsets = np.cumsum(counts) - counts
    return np.repeat(starts.astype(np.int64) - offsets, counts) + np.arange(total, dtype=np.int64)


def _bits(mask: int) -> list[int]:
    found, bit = [], 0
    while mask:
        if mask & 1:
            found.append(bit)
        mask >>= 1
        bit += 1
    return found


class SeekerStore:
    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.base = Columns(BASE_DTYPES)
        self.claim_text = Grow(np.int32)
        self.claim_level = Grow(np.uint8)
        self.claim_years = Grow(np.uint8)
        self.cert_name = Grow(np.int32)
        self.cert_row = Grow(np.int32)
        self.row_of = Grow(np.int32, fill=-1)
        self.buckets: dict[tuple[int, int], Columns] = {}
        self.by_kid: dict[int, list[tuple[int, Columns]]] = defaultdict(list)
        self.alive = 0
        self._claims: dict[tuple[int, int, int], SkillClaim] = {}

    # -- lookups --

    def row(self, seeker_id: int) -> int:
        return int(self.row_of.raw[seeker_id]) if 0 <= seeker_id < self.row_of.size else -1

    def rows(self, ids: npt.NDArray[Any]) -> npt.NDArray[np.int32]:
        return self.row_of.raw[ids]

    def decode(self, rows: Sequence[int]) -> list[SeekerProfile]:
        """Profiles as stored, rebuilt from the columns (preferred districts in bit order)."""
        index = np.asarray(rows, dtype=np.int64)
        b = self.base
        col = {name: b[name][index].tolist() for name in _DECODED}
        claims = segments(b["claim_start"][index], b["claim_n"][index])
        texts = self.claim_text.view[claims].tolist()
        levels = self.claim_level.view[claims].tolist()
        years = self.claim_years.view[claims].tolist()
        certs = self.cert_name.view[segments(b["cert_start"][index], b["cert_n"][index])].tolist()
        cert_of, region_of = self.vocab.cert_names.values, self.vocab.regions.values
        districts, claim = self.vocab.district_codes, self._claim
        profiles = []
        at = cat = 0
        for sid, station, origin, parent, flags, active, consent, family, pay, avail, dmask, n, cn in zip(
            *(col[name] for name in _DECODED), strict=True
        ):
            profiles.append(
                SeekerProfile(
                    id=sid,
                    station_id=station,
                    origin_code=str(region_of[origin]),
                    origin_parent_code=region_of[parent],
                    registered_poor=bool(flags & POOR),
                    skills=tuple([claim(texts[j], levels[j], years[j]) for j in range(at, at + n)]),
                    certificates=frozenset([str(cert_of[c]) for c in certs[cat : cat + cn]]) if cn else _NONE,
                    preferred_districts=districts(dmask),
                    expected_pay=None if pay < 0 else pay,
                    available_from=None if avail == 0 else date.fromordinal(avail),
                    active=bool(active),
                    consent_matching=bool(consent),
                    family_id=None if family < 0 else family,
                )
            )
            at, cat = at + n, cat + cn
        return profiles

    def _claim(self, text: int, level: int, years: int) -> SkillClaim:
        # The same few thousand (wording, grade, years) recur across a million seekers.
        key = (text, level, years)
        claim = self._claims.get(key)
        if claim is None:
            claim = self._claims[key] = SkillClaim(str(self.vocab.texts.values[text]), level, years)
        return claim

    def profile(self, seeker_id: int) -> SeekerProfile | None:
        row = self.row(seeker_id)
        return None if row < 0 else self.decode([row])[0]

    def profiles_or_none(self, seeker_ids: Sequence[int]) -> list[SeekerProfile] | None:
        """All of these seekers' profiles, or None if any of them is not stored."""
        rows = [self.row(seeker_id) for seeker_id in seeker_ids]
        return None if any(row < 0 for row in rows) else self.decode(rows)

    def profiles(self, seeker_ids: Sequence[int]) -> list[SeekerProfile]:
        """Profiles of seekers known to be stored (the ids a query just returned)."""
        return self.decode([self.row(seeker_id) for seeker_id in seeker_ids])

    # -- writes --

    def upsert(self, profiles: Sequence[SeekerProfile]) -> None:
        """Insert or replace seekers; a batch is appended in one go (the bulk build uses this too)."""
        latest = {p.id: p for p in profiles}  # the last version of a repeated id wins
        self._remove_rows([r for r in (self.row(i) for i in latest) if r >= 0])
        ordered = [latest[i] for i in sorted(latest)]
        if ordered:
            self._append(ordered)
        self._maybe_compact()

    def remove(self, seeker_id: int) -> bool:
        row = self.row(seeker_id)
        if row < 0:
            return False
        self._remove_rows([row])
        self._maybe_compact()
        return True

    def _remove_rows(self, rows: list[int]) -> None:
        if not rows:
            return
        b = self.base
        doomed: dict[tuple[int, int], list[int]] = defaultdict(list)
        for row in rows:
            if b["flags"][row] & ELIGIBLE:
                seeker_id = int(b["id"][row])
                for key in self._entry_buckets(row):
                    doomed[key].append(seeker_id)
        for key, ids in doomed.items():
            bucket = self.buckets[key]
            hit = np.flatnonzero(np.isin(bucket["id"], np.asarray(ids, dtype=np.int32)))
            bucket.raw("id")[hit] = -1
            bucket.raw("flags")[hit] = 0
            bucket.dead += len(hit)
        index = np.asarray(rows, dtype=np.int64)
        self.row_of.raw[b["id"][index]] = -1
        b.raw("flags")[index] = 0
        b.dead += len(rows)
        self.alive -= len(rows)

    def _entry_buckets(self, row: int) -> set[tuple[int, int]]:
        b = self.base
        start, n = int(b["claim_start"][row]), int(b["claim_n"][row])
        kids = {self.vocab.text_kid[int(t)] for t in self.claim_text.view[start : start + n]}
        kids.discard(0)
        buckets = _bits(int(b["dmask"][row])) or [NONE_BUCKET]
        return {(kid, bucket) for kid in kids for bucket in buckets}

    def _append(self, profiles: list[SeekerProfile]) -> None:
        """Append new rows for ``profiles``: one Python pass to intern strings, numpy for the rest."""
        vocab = self.vocab
        first_row = self.base.size
        n = len(profiles)
        # per seeker, in BASE_DTYPES order except the two masks (uint64 does not fit an int64 array)
        rows: list[tuple[int, ...]] = []
        masks: list[tuple[int, int]] = []
        claim_text: list[int] = []
        claim_level: list[int] = []
        claim_years: list[int] = []
        cert_name: list[int] = []
        cert_count: list[int] = []
        bits: list[int] = []  # each seeker's posting buckets (district bits, or NONE_BUCKET)
        bit_count: list[int] = []
        claim_at, cert_at = self.claim_text.size, self.cert_name.size
        for p in profiles:
            if p.id < 0 or p.id >= 2**31:
                raise ValueError(f"seeker id {p.id} out of range")
            if len(p.skills) > 255 or len(p.certificates) > 255:
                raise ValueError("at most 255 skills and 255 certificates per seeker")
            mine = sorted({vocab.district_bit(code) for code in p.preferred_districts})
            dmask = sum(1 << bit for bit in mine)
            eligible = p.active and p.consent_matching
            flags = (
                ALIVE
                | (ELIGIBLE if eligible else 0)
                | (POOR if p.registered_poor else 0)
                | (FAMILY if p.family_id is not None else 0)
            )
            rows.append(
                (
                    p.id,
                    p.station_id,
                    vocab.region(p.origin_code),
                    vocab.region(p.origin_parent_code),
                    flags,
                    int(p.active),
                    int(p.consent_matching),
                    -1 if p.family_id is None else p.family_id,
                    -1 if p.expected_pay is None else p.expected_pay,
                    0 if p.available_from is None else p.available_from.toordinal(),
                    claim_at + len(claim_text),
                    len(p.skills),
                    cert_at + len(cert_name),
                    len(p.certificates),
                )
            )
            masks.append((dmask, vocab.cert_mask(p.certificates)))
            for claim in p.skills:
                claim_text.append(vocab.text(claim.text))
                claim_level.append(claim.level)
                claim_years.append(claim.years)
            cert_name.extend(vocab.cert_names.id(name) for name in sorted(p.certificates))
            cert_count.append(len(p.certificates))
            mine = mine or [NONE_BUCKET]
            bits.extend(mine)
            bit_count.append(len(mine))
        table = np.array(rows, dtype=np.int64).reshape(n, len(_ROW_COLUMNS))
        values: dict[str, npt.NDArray[Any]] = {name: table[:, i] for i, name in enumerate(_ROW_COLUMNS)}
        mask_table = np.array(masks, dtype=np.uint64).reshape(n, 2)
        values["dmask"], values["cmask"] = mask_table[:, 0], mask_table[:, 1]
        self.base.append({name: values[name].astype(dtype) for name, dtype in BASE_DTYPES.items()})
        start = self.claim_text.extend(claim_text)
        self.claim_level.extend(claim_level)
        self.claim_years.extend(claim_years)
        self.cert_name.extend(cert_name)
        self.cert_row.extend(np.repeat(np.arange(first_row, first_row + n, dtype=np.int32), cert_count))
        ids = values["id"]
        self.row_of.ensure(int(ids.max()) + 1)
        self.row_of.raw[ids] = np.arange(first_row, first_row + n, dtype=np.int32)
        self.alive += n
        self._post(values, np.asarray(bits, dtype=np.int64), np.asarray(bit_count, dtype=np.int64), start)

    def _post(
        self,
        values: dict[str, npt.NDArray[Any]],
        bits: npt.NDArray[np.int64],
        bit_count: npt.NDArray[np.int64],
        claim_start: int,
    ) -> None:
        """Posting entries for the new seekers' claims: one per (claim, bucket), eligible seekers only."""
        vocab = self.vocab
        per_seeker = values["claim_n"].astype(np.int64)
        owner = np.repeat(np.arange(len(per_seeker)), per_seeker)  # new seeker (0..n) of each new claim
        texts = self.claim_text.view[claim_start:]
        kid = np.asarray(vocab.text_kid, dtype=np.int64)[texts]
        credit = np.asarray(vocab.text_credit, dtype=np.int64)[texts]
        level = self.claim_level.view[claim_start:].astype(np.int64)
        years = np.minimum(self.claim_years.view[claim_start:], YEARS_CAP).astype(np.int64)
        useful = (kid != 0) & ((values["flags"][owner] & ELIGIBLE) != 0)
        claims, owner = np.flatnonzero(useful), owner[useful]
        # repeat each claim once per bucket of its seeker
        times = bit_count[owner]
        claim_of = np.repeat(claims, times)
        seeker_of = np.repeat(owner, times)
        within = np.arange(len(claim_of)) - np.repeat(np.cumsum(times) - times, times)
        bucket = bits[(np.cumsum(bit_count) - bit_count)[seeker_of] + within]
        entries = {
            "id": values["id"][seeker_of],
            "code": ((credit // 10 - 1) * LEVEL_SPAN * YEARS_SPAN + level * YEARS_SPAN + years)[claim_of],
            "flags": values["flags"][seeker_of],
            "origin": values["origin"][seeker_of],
            "parent": values["parent"][seeker_of],
            "pay": values["pay"][seeker_of],
            "avail": values["avail"][seeker_of],
        }
        group = kid[claim_of] * (NONE_BUCKET + 1) + bucket
        if not len(group):
            return
        order = np.argsort(group, kind="stable")
        group = group[order]
        cuts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        for lo, hi in zip(cuts.tolist(), [*cuts[1:].tolist(), len(group)], strict=True):
            at = order[lo:hi]
            key = (int(kid[claim_of[at[0]]]), int(bucket[at[0]]))
            posting = self.buckets.get(key)
            if posting is None:
                posting = self.buckets[key] = Columns(ENTRY_DTYPES)
                self.by_kid[key[0]].append((key[1], posting))
            posting.append({name: column[at].astype(ENTRY_DTYPES[name]) for name, column in entries.items()})

    def cover_counts(self, rows: npt.NDArray[Any], required: Sequence[tuple[int, int]]) -> npt.NDArray[np.int64]:
        """For each row, how many of ``required`` (kid, level) its claims cover (same kid, level enough)."""
        b = self.base
        counts = b["claim_n"][rows].astype(np.int64)
        claims = segments(b["claim_start"][rows], counts)
        kids = self.vocab.text_kids()[self.claim_text.view[claims]]
        levels = self.claim_level.view[claims]
        owner = np.repeat(np.arange(len(rows)), counts)
        covered = np.zeros(len(rows), dtype=np.int64)
        for kid, level in required:
            hit = np.zeros(len(rows), dtype=bool)
            hit[owner[(kids == kid) & (levels >= level)]] = True
            covered += hit
        return covered

    def backfill_cert(self, key: str, bit: int) -> None:
        """A vacancy now requires certificate ``key``: set its new bit for every seeker holding it."""
        names = self.vocab.cert_name_ids_for(key)
        if not names:
            return
        hit = np.isin(self.cert_name.view, np.asarray(names, dtype=np.int32))
        rows = self.cert_row.view[hit]
        self.base.raw("cmask")[rows] |= np.uint64(1 << bit)

    def holders(self, key: str) -> npt.NDArray[np.int32]:
        """Rows holding certificate ``key`` (for the rare certificates beyond the 64 bits)."""
        names = self.vocab.cert_name_ids_for(key)
        hit = np.isin(self.cert_name.view, np.asarray(names, dtype=np.int32))
        return self.cert_row.view[hit]

    # -- compaction --

    def _maybe_compact(self) -> None:
        for bucket in self.buckets.values():
            if bucket.dead > max(COMPACT_MIN, bucket.size // 4):
                bucket.keep(np.flatnonzero(bucket["id"] >= 0))
        if self.base.dead > max(COMPACT_MIN, self.base.size // 4):
            self.compact_rows()

    def compact(self) -> None:
        for bucket in self.buckets.values():
            if bucket.dead:
                bucket.keep(np.flatnonzero(bucket["id"] >= 0))
        if self.base.dead:
            self.compact_rows()

    def compact_rows(self) -> None:
        b = self.base
        keep = np.flatnonzero(b["flags"] & ALIVE)
        claims = segments(b["claim_start"][keep], b["claim_n"][keep])
        certs = segments(b["cert_start"][keep], b["cert_n"][keep])
        claim_n = b["claim_n"][keep].astype(np.int64)
        cert_n = b["cert_n"][keep].astype(np.int64)
        self.claim_text.replace(self.claim_text.view[claims])
        self.claim_level.replace(self.claim_level.view[claims])
        self.claim_years.replace(self.claim_years.view[claims])
        self.cert_name.replace(self.cert_name.view[certs])
        b.keep(keep)
        b.raw("claim_start")[: b.size] = np.cumsum(claim_n) - claim_n
        b.raw("cert_start")[: b.size] = np.cumsum(cert_n) - cert_n
        self.cert_row.replace(np.repeat(np.arange(b.size, dtype=np.int32), cert_n))
        self.row_of.raw[:] = -1
        self.row_of.raw[b["id"]] = np.arange(b.size, dtype=np.int32)

    @property
    def nbytes(self) -> int:
        arrays = (
            self.claim_text,
            self.claim_level,
            self.claim_years,
            self.cert_name,
            self.cert_row,
            self.row_of,
        )
        buckets = sum(bucket.nbytes for bucket in self.buckets.values())
        return self.base.nbytes + sum(a.nbytes for a in arrays) + buckets
