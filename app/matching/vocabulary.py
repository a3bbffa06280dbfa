"""The small dictionaries the index shares between its seeker and vacancy sides.

Strings become small integers once, at write time: region codes (uint16 ids, 0 = none), workplace
districts (bit positions in a 64-bit mask), certificates (bit positions for the ones vacancies require),
skill texts (resolved once through the taxonomy to an occupation "kid" and a credit).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from app.matching.columns import Interner
from app.matching.profiles import normalise_certificate
from app.matching.skills import SkillKey, resolve_skill
from app.matching.taxonomy import Taxonomy

__all__ = ["MASK_BITS", "Vocabulary"]

MASK_BITS = 64
MAX_REGIONS = 65535


class Vocabulary:
    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.regions = Interner(reserve_zero=True)
        self.districts = Interner()
        self._district_codes: dict[int, tuple[str, ...]] = {}
        self.cert_names = Interner()
        # certificate key (normalised) -> bit, only for certificates some vacancy has required
        self.cert_bits: dict[str, int] = {}
        self.texts = Interner()
        self.text_kid: list[int] = []
        self.text_credit: list[int] = []
        self._text_keys = Interner()
        self._kid_keys: dict[int, SkillKey] = {}
        self._text_kids = np.zeros(0, dtype=np.int64)

    # -- places --

    def region(self, code: str | None) -> int:
        if code is None:
            return 0
        rid = self.regions.id(code)
        if rid > MAX_REGIONS:
            raise OverflowError("more than 65535 region codes")
        return rid

    def district_bit(self, code: str) -> int:
        bit = self.districts.id(code)
        if bit >= MASK_BITS:
            # Ningbo has ten; the masks hold 64. More would need a wider mask, not silent errors.
            raise OverflowError(f"more than {MASK_BITS} workplace districts")
        return bit

    def district_mask(self, codes: Iterable[str]) -> int:
        mask = 0
        for code in codes:
            mask |= 1 << self.district_bit(code)
        return mask

    def district_codes(self, mask: int) -> tuple[str, ...]:
        """The districts of a mask, in bit order (cached: seekers share a few hundred combinations)."""
        codes = self._district_codes.get(mask)
        if codes is None:
            found, bit, rest = [], 0, mask
            while rest:
                if rest & 1:
                    found.append(str(self.districts.values[bit]))
                rest >>= 1
                bit += 1
            codes = self._district_codes[mask] = tuple(found)
        return codes

    # -- certificates --

    def cert_mask(self, names: Iterable[str]) -> int:
        """Bits of the required-certificate vocabulary among ``names`` (others are irrelevant)."""
        mask = 0
        for name in names:
            bit = self.cert_bits.get(normalise_certificate(name))
            if bit is not None:
                mask |= 1 << bit
        return mask

    def require_cert(self, name: str) -> tuple[str, int | None, bool]:
        """(key, bit or None when the 64 bits are taken, whether the bit is new)."""
        key = normalise_certificate(name)
        bit = self.cert_bits.get(key)
        if bit is not None:
            return key, bit, False
        if len(self.cert_bits) >= MASK_BITS:
            return key, None, False
        bit = self.cert_bits[key] = len(self.cert_bits)
        return key, bit, True

    def cert_name_ids_for(self, key: str) -> list[int]:
        return [i for i, name in enumerate(self.cert_names.values) if normalise_certificate(str(name)) == key]

    # -- skills --

    def kid(self, key: SkillKey | None) -> int:
        """Occupations keep their taxonomy id; unrecognised wordings get negative ids; 0 = nothing."""
        if key is None:
            return 0
        kid = key if isinstance(key, int) else -(self._text_keys.id(key[1]) + 1)
        self._kid_keys.setdefault(kid, key)
        return kid

    def find_kid(self, key: SkillKey | None) -> int:
        """Like ``kid`` but never adds: for queries, which must not write (they may run concurrently).
        A wording never stored has no postings, so 0 ("nothing") is the right answer for it."""
        if key is None:
            return 0
        if isinstance(key, int):
            return key
        found = self._text_keys.get(key[1])
        return 0 if found is None else -(found + 1)

    def key(self, kid: int) -> SkillKey:
        return self._kid_keys[kid]

    def text_kids(self) -> npt.NDArray[np.int64]:
        """``text_kid`` as an array (rebuilt only when new texts arrived)."""
        if len(self._text_kids) != len(self.text_kid):
            self._text_kids = np.asarray(self.text_kid, dtype=np.int64)
        return self._text_kids

    def text(self, text: str) -> int:
        tid = self.texts.id(text)
        if tid == len(self.text_kid):
            resolved = resolve_skill(text, self.taxonomy)
            self.text_kid.append(self.kid(resolved.key))
            self.text_credit.append(resolved.credit)
        return tid
