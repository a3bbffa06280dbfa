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
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from app.matching import points
from app.matching.columns import Columns, Grow
from app.matching.profiles import SeekerProfile, SkillClaim
from app.matching.seeker_columns import SeekerColumns
from app.matching.vocabulary import MASK_BITS, Vocabulary

__all__ = ["ELIGIBLE", "FAMILY", "NONE_BUCKET", "POOR", "SeekerColumns", "SeekerStore"]

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


I64 = npt.NDArray[np.int64]


def _first_seen(codes: I64) -> list[int]:
    """The distinct codes in the order they first appear."""
    unique, first = np.unique(codes, return_index=True)
    return unique[np.argsort(first, kind="stable")].tolist()


def _csr(sets: Sequence[Sequence[int]]) -> tuple[I64, I64, I64]:
    """(values concatenated, start of each set, length of each set)."""
    n = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
    flat = np.fromiter(chain.from_iterable(sets), dtype=np.int64, count=int(n.sum()))
    return flat, np.cumsum(n) - n, n


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
        """Insert or replace seekers; a batch is appended in one go."""
        self.upsert_columns(SeekerColumns.from_profiles(profiles))

    def upsert_columns(self, seekers: SeekerColumns) -> None:
        """Insert or replace seekers given as columns (the bulk build reads them so from the database)."""
        ids = seekers.id
        if len(ids) and (int(ids.min()) < 0 or int(ids.max()) >= 2**31):
            raise ValueError("seeker id out of range")
        # The last version of a repeated id wins; new rows go in id order (a build's arrive so already).
        if len(ids) > 1 and not bool(np.all(ids[1:] > ids[:-1])):
            _, last = np.unique(ids[::-1], return_index=True)
            seekers = seekers.take(len(ids) - 1 - last)
            ids = seekers.id
        stored = self.row_of.raw[ids[ids < self.row_of.size]]
        self._remove_rows(stored[stored >= 0].tolist())
        if len(ids):
            self._append(seekers)
        self._maybe_compact()

    def family_ids(self, seeker_ids: npt.NDArray[Any]) -> list[int]:
        """The family ids stored for these seekers (those not stored or without a family are left out)."""
        ids = np.asarray(seeker_ids, dtype=np.int64)
        ids = ids[(ids >= 0) & (ids < self.row_of.size)]
        rows = self.row_of.raw[ids]
        families = self.base["family"][rows[rows >= 0]]
        return families[families >= 0].tolist()

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

    def _append(self, new: SeekerColumns) -> None:
        """Append rows for seekers not stored: Python once per distinct value, numpy for the rest.

        Values are interned in the order the seekers list them, as one pass over the seekers would:
        the district bits, and so the order of decoded preferred districts, do not depend on batching."""
        vocab = self.vocab
        first_row = self.base.size
        n = len(new.id)

        origin_ids, parent_ids = np.zeros(len(new.origins), np.int64), np.zeros(len(new.origins), np.int64)
        for code in _first_seen(new.origin):
            origin, parent = new.origins[code]
            origin_ids[code], parent_ids[code] = vocab.region(origin), vocab.region(parent)

        dmasks = np.zeros(len(new.district_sets), dtype=np.uint64)
        bucket_sets: list[list[int]] = [[]] * len(new.district_sets)
        for code in _first_seen(new.districts):
            mine = sorted({vocab.district_bit(district) for district in new.district_sets[code]})
            dmasks[code] = sum(1 << bit for bit in mine)
            bucket_sets[code] = mine or [NONE_BUCKET]
        bits_flat, bits_start, bits_n = _csr(bucket_sets)

        certificate_sets = new.certificate_sets
        if any(len(certificates) > 255 for certificates in certificate_sets):
            raise ValueError("at most 255 skills and 255 certificates per seeker")
        cmasks = np.zeros(len(certificate_sets), dtype=np.uint64)
        name_sets: list[list[int]] = [[]] * len(certificate_sets)
        for code in _first_seen(new.certificates):
            certificates = certificate_sets[code]
            name_sets[code] = [vocab.cert_names.id(name) for name in sorted(certificates)]
            cmasks[code] = vocab.cert_mask(certificates)
        names_flat, names_start, names_n = _csr(name_sets)

        if any(len(skills) > 255 for skills in new.skill_sets):
            raise ValueError("at most 255 skills and 255 certificates per seeker")
        claims_flat, claims_start, claims_n = _csr(new.skill_sets)
        claim_n = claims_n[new.skills]
        claim_of = claims_flat[segments(claims_start[new.skills], claim_n)]  # the new claims, into new.claims
        texts = np.zeros(len(new.claims), dtype=np.int64)
        levels, years = np.zeros(len(new.claims), dtype=np.int64), np.zeros(len(new.claims), dtype=np.int64)
        for index in _first_seen(claim_of):
            claim = new.claims[index]
            texts[index], levels[index], years[index] = vocab.text(claim.text), claim.level, claim.years

        cert_n = names_n[new.certificates]
        flags = (
            ALIVE
            + ELIGIBLE * (new.active & new.consent)
            + POOR * new.registered_poor
            + FAMILY * (new.family >= 0)
        )
        claim_at, cert_at = self.claim_text.size, self.cert_name.size
        values: dict[str, npt.NDArray[Any]] = {
            "id": new.id,
            "station": new.station,
            "origin": origin_ids[new.origin],
            "parent": parent_ids[new.origin],
            "flags": flags,
            "active": new.active,
            "consent": new.consent,
            "family": new.family,
            "pay": new.expected_pay,
            "avail": new.available_from,
            "dmask": dmasks[new.districts],
            "cmask": cmasks[new.certificates],
            "claim_start": claim_at + np.cumsum(claim_n) - claim_n,
            "claim_n": claim_n,
            "cert_start": cert_at + np.cumsum(cert_n) - cert_n,
            "cert_n": cert_n,
        }
        # In their stored types from here on: the posting entries copy them, a few per seeker.
        values = {name: values[name].astype(dtype, copy=False) for name, dtype in BASE_DTYPES.items()}
        self.base.append(values)
        start = self.claim_text.extend(texts[claim_of])
        self.claim_level.extend(levels[claim_of])
        self.claim_years.extend(years[claim_of])
        self.cert_name.extend(names_flat[segments(names_start[new.certificates], cert_n)])
        self.cert_row.extend(np.repeat(np.arange(first_row, first_row + n, dtype=np.int32), cert_n))
        ids = new.id
        self.row_of.ensure(int(ids.max()) + 1)
        self.row_of.raw[ids] = np.arange(first_row, first_row + n, dtype=np.int32)
        self.alive += n
        bit_count = bits_n[new.districts]
        bits = bits_flat[segments(bits_start[new.districts], bit_count)]
        self._post(values, bits, bit_count, start)

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
        kid = vocab.text_kids()[texts]
        credit = np.asarray(vocab.text_credit, dtype=np.int64)[texts]
        level = self.claim_level.view[claim_start:].astype(np.int64)
        years = self.claim_years.view[claim_start:].astype(np.int64)
        useful = (kid != 0) & ((values["flags"][owner] & ELIGIBLE) != 0)
        claims, owner = np.flatnonzero(useful), owner[useful]
        # repeat each claim once per bucket of its seeker
        times = bit_count[owner]
        claim_of = np.repeat(claims, times)
        seeker_of = np.repeat(owner, times)
        within = np.arange(len(claim_of)) - np.repeat(np.cumsum(times) - times, times)
        bucket = bits[(np.cumsum(bit_count) - bit_count)[seeker_of] + within]
        code = points.claim_code(credit, level, years)
        entries = {
            "id": values["id"][seeker_of],
            "code": code.astype(ENTRY_DTYPES["code"])[claim_of],
            "flags": values["flags"][seeker_of],
            "origin": values["origin"][seeker_of],
            "parent": values["parent"][seeker_of],
            "pay": values["pay"][seeker_of],
            "avail": values["avail"][seeker_of],
        }
        typed = {name: (column, ENTRY_DTYPES[name]) for name, column in entries.items()}
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
            posting.append({name: column[at].astype(dtype, copy=False) for name, (column, dtype) in typed.items()})

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
