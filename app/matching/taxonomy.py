"""Occupation taxonomy: the occupations the service knows, the many ways people write them, and how
related two occupations are.

Seekers and employers write the same skill many ways (电焊、焊工、电焊工、氩弧焊), so every
free-text occupation goes through :meth:`Taxonomy.resolve` before matching. The module is pure and
stdlib-only: it reads nothing but its own packaged CSV files (see ``data/README.md``).
"""

from __future__ import annotations

import csv
import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = [
    "FUZZY_THRESHOLD",
    "GROUP_CREDIT",
    "LEVELS",
    "Occupation",
    "Resolution",
    "Taxonomy",
    "default_taxonomy",
    "parse_level",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
OCCUPATIONS_FILE = "occupations.csv"
RELATED_FILE = "related.csv"

# Two jobs in the same coarse family (e.g. two kinds of assembly) share some know-how even when
# nobody wrote a related.csv row for them; explicit rows override this default.
GROUP_CREDIT = 0.3
# Below this similarity a guess is more likely wrong than right for 2-6 character job titles:
# at 0.6 two shared characters out of three ("手工活" ~ "手工焊") already passed.
FUZZY_THRESHOLD = 0.7
# Job titles are short; capping the text keeps fuzzy matching cheap on pasted paragraphs.
_FUZZY_MAX_CHARS = 40
_CACHE_SIZE = 8192

SOURCES = frozenset({"CSCO2022", "curated"})
_OCCUPATION_COLUMNS = ("id", "code", "name", "aliases", "group", "licence", "source")
_RELATED_COLUMNS = ("a", "b", "credit", "why")
_CODE_RE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
_GROUP_RE = re.compile(r"^[a-z][a-z_]*$")

Method = Literal["exact", "alias", "fuzzy", "unknown"]


@dataclass(frozen=True, slots=True)
class Occupation:
    id: int
    code: str | None
    name: str
    group: str
    licence: str | None
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Resolution:
    text: str
    occupation: Occupation | None
    method: Method
    confidence: float


# --- text normalisation ---------------------------------------------------------------------------

_BRACKETS_RE = re.compile(r"[(\[{【〔「『<《][^)\]}】〕」』>》]*[)\]}】〕」』>》]")
# Job-ad decoration around the occupation itself: "急招熟练电焊工3名", "高级电工", "普工（包吃住）".
# Longest first within each tuple, so 高薪招聘 is removed whole rather than leaving 招聘 behind.
_RECRUITING = ("高薪诚聘", "高薪招聘", "高薪急招", "长期招聘", "诚聘", "急招", "急聘", "招聘", "高薪", "招")
_EXPERIENCE = ("有经验的", "有经验", "熟练的", "熟练", "资深", "持证")
_TERMS = ("长期", "临时", "短期", "兼职", "全职", "男", "女")
_GRADES = ("高级技师", "技师", "初级", "中级", "高级", "一级", "二级", "三级", "四级", "五级")
_PREFIXES = _RECRUITING + _EXPERIENCE + _TERMS + _GRADES
_SUFFIX_NOISE_RE = re.compile(
    r"(?:若干名?|数名|多名|\d+名|\d+人|\d+个|学徒|(?:高级技师|技师|初级|中级|高级|[一二三四五]级)工?)$"
)
# Trailing role words that carry no meaning of their own: 电焊师傅 = 电焊工 = 电焊.
_ROLE_SUFFIXES = ("师傅", "师父", "工人", "人员", "员", "工", "师")


def _nfkc(text: str) -> str:
    # NFKC folds full-width letters, digits and brackets (ＣＮＣ, （）) into their ASCII forms.
    return unicodedata.normalize("NFKC", text).lower()


_NOT_ALNUM_RE = re.compile(r"[\W_]+")


def _compact(text: str) -> str:
    """Keep only letters and digits (CJK counts as letters): drops spaces, punctuation, emoji."""
    return _NOT_ALNUM_RE.sub("", text)


def normalise(text: str) -> str:
    """The key under which names, aliases and queries are compared."""
    return _compact(_nfkc(text))


def _strip_decoration(key: str) -> str:
    previous = None
    while key != previous:
        previous = key
        key = _SUFFIX_NOISE_RE.sub("", key)
        for prefix in _PREFIXES:
            if key.startswith(prefix) and len(key) - len(prefix) >= 2:
                key = key[len(prefix) :]
                break
    return key


def _stem(key: str) -> str | None:
    for suffix in _ROLE_SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 2:
            return key[: -len(suffix)]
    return None


def _query_keys(text: str) -> list[str]:
    """Ever more aggressively cleaned forms of the query, most literal first."""
    folded = _nfkc(text)
    keys: list[str] = []
    for variant in (folded, _BRACKETS_RE.sub("", folded)):
        key = _compact(variant)
        for candidate in (key, _strip_decoration(key)):
            if candidate and candidate not in keys:
                keys.append(candidate)
    return keys


# --- levels -----------------------------------------------------------------------------------------

LEVELS: tuple[str, ...] = ("初级", "中级", "高级", "技师", "高级技师")

_LEVEL_WORDS: dict[str, int] = {
    **{word: rank for rank, word in enumerate(LEVELS, start=1)},
    **{f"{word}工": rank for rank, word in enumerate(LEVELS[:3], start=1)},
    # 国家职业资格 grades count downwards: 五级 is the entry grade, 一级 the top one.
    **{f"{numeral}级": 6 - value for value, numeral in enumerate("一二三四五", start=1)},
    **{f"{value}级": 6 - value for value in range(1, 6)},
}
_LEVEL_NOISE_RE = re.compile(r"国家职业资格|职业资格|职业技能等级|技能等级|等级|证书|证|[()/]")
# A bare 一级..五级 counts only when no other word follows: 一级建造师 is a title, not a grade.
_LEVEL_IN_TEXT_RE = re.compile(
    r"高级技师|技师|高级|中级|初级|(?<![一二三四五\d])[一二三四五1-5]级(?![\u4e00-\u9fff])"
)


def parse_level(text: str | None) -> int:
    """Skill grade 1 (初级/五级) .. 5 (高级技师/一级); 0 when absent or not recognised."""
    if not text or not isinstance(text, str):
        return 0
    folded = re.sub(r"\s+", "", _nfkc(text))
    cleaned = _LEVEL_NOISE_RE.sub("", folded)
    if cleaned in _LEVEL_WORDS:
        return _LEVEL_WORDS[cleaned]
    # Free text such as "电工（中级）" or "焊工三级": take the first grade word found.
    match = _LEVEL_IN_TEXT_RE.search(folded)
    if match is None:
        return 0
    return _LEVEL_WORDS.get(match.group(0), 0)


# --- the taxonomy -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Key:
    occupation: Occupation
    is_name: bool
    line: int


class Taxonomy:
    """Immutable after construction and safe to share between threads (the lazily built fuzzy index
    is the same whichever thread builds it)."""

    def __init__(
        self,
        occupations: Iterable[Occupation],
        related: dict[frozenset[int], tuple[float, str]] | None = None,
        *,
        keys: dict[str, _Key] | None = None,
    ) -> None:
        self._occupations = tuple(sorted(occupations, key=lambda occupation: occupation.id))
        self._by_id = {occupation.id: occupation for occupation in self._occupations}
        self._related = dict(related or {})
        self._keys = keys if keys is not None else _index_keys(self._occupations, source="<memory>")
        self._stems = _index_stems(self._keys)
        # Built on the first fuzzy lookup: most processes load the taxonomy for exact lookups only.
        self._by_char: dict[str, tuple[str, ...]] | None = None
        # Resolution is called for every seeker and vacancy; the same few hundred spellings recur.
        self._resolve_cached = functools.lru_cache(maxsize=_CACHE_SIZE)(self._resolve_uncached)

    @classmethod
    def load(cls, directory: Path | None = None) -> Taxonomy:
        directory = Path(directory) if directory is not None else DATA_DIR
        occupations_path = directory / OCCUPATIONS_FILE
        occupations, lines = _read_occupations(occupations_path)
        keys = _index_keys(occupations, source=occupations_path.name, lines=lines)
        related = _read_related(directory / RELATED_FILE, keys)
        return cls(occupations, related, keys=keys)

    # -- lookups --

    def __len__(self) -> int:
        return len(self._occupations)

    def __iter__(self) -> Iterator[Occupation]:
        return iter(self._occupations)

    def by_id(self, id: int) -> Occupation:
        try:
            return self._by_id[id]
        except KeyError:
            raise KeyError(f"no occupation with id {id}") from None

    def by_name(self, name: str) -> Occupation:
        """Canonical names only; use :meth:`resolve` for anything a person typed."""
        entry = self._keys.get(normalise(name)) if isinstance(name, str) else None
        if entry is None or not entry.is_name:
            raise KeyError(f"no occupation named {name!r}")
        return entry.occupation

    # -- resolution --

    def resolve(self, text: str) -> Resolution:
        if not isinstance(text, str):
            # Upstream data is messy (None, numbers from spreadsheets); never raise on it.
            return Resolution("" if text is None else str(text), None, "unknown", 0.0)
        return self._resolve_cached(text)

    def _resolve_uncached(self, text: str) -> Resolution:
        candidates = _query_keys(text)
        for key in candidates:
            entry = self._keys.get(key)
            if entry is not None:
                return Resolution(text, entry.occupation, "exact" if entry.is_name else "alias", 1.0)
        for key in candidates:
            stem = _stem(key)
            entry = self._keys.get(stem) if stem else None
            if entry is not None:
                return Resolution(text, entry.occupation, "exact" if entry.is_name else "alias", 1.0)
            occupation = self._stems.get(key) or (self._stems.get(stem) if stem else None)
            if occupation is not None:
                return Resolution(text, occupation, "alias", 1.0)
        best: tuple[float, bool, int, str] | None = None
        for key in candidates:
            scored = self._fuzzy(key[:_FUZZY_MAX_CHARS])
            if scored is not None and (best is None or scored[:3] > best[:3]):
                best = scored
        if best is None:
            return Resolution(text, None, "unknown", 0.0)
        # Strictly below 1.0 so callers can tell a guess from a certain match by confidence alone.
        confidence = round(min(best[0], 0.99), 3)
        return Resolution(text, self._keys[best[3]].occupation, "fuzzy", confidence)

    def _fuzzy(self, query: str) -> tuple[float, bool, int, str] | None:
        # A single character ("工", "焊") is too ambiguous to guess from.
        if len(query) < 2:
            return None
        if self._by_char is None:
            by_char: dict[str, list[str]] = {}
            for key in self._keys:
                for char in set(key):
                    by_char.setdefault(char, []).append(key)
            self._by_char = {char: tuple(keys) for char, keys in by_char.items()}
        shared: dict[str, int] = {}
        for char in set(query):
            for key in self._by_char.get(char, ()):
                shared[key] = shared.get(key, 0) + 1
        best: tuple[float, bool, int, str] | None = None
        for key, count in shared.items():
            # One shared character ("工") is coincidence, not similarity.
            if count < 2:
                continue
            score = _similarity(query, key)
            if score < FUZZY_THRESHOLD:
                continue
            # On equal scores a title found verbatim in the text beats a partial overlap
            # ("普工/操作工" is 操作工, not 化工操作工), then the longer key, then alphabetical order.
            candidate = (score, key in query, len(key), key)
            if best is None or candidate[:3] > best[:3] or (candidate[:3] == best[:3] and key < best[3]):
                best = candidate
        return best

    # -- relatedness --

    def relatedness(self, a: Occupation, b: Occupation) -> float:
        """1.0 same occupation; related.csv credit; same-group default; else 0."""
        if a.id == b.id:
            return 1.0
        explicit = self._related.get(frozenset((a.id, b.id)))
        if explicit is not None:
            return explicit[0]
        if a.group == b.group:
            return GROUP_CREDIT
        return 0.0

    def relation_reason(self, a: Occupation, b: Occupation) -> str | None:
        """Short Chinese reason for a partial match, for the explanations shown to seekers."""
        if a.id == b.id:
            return "同一工种"
        explicit = self._related.get(frozenset((a.id, b.id)))
        if explicit is not None:
            return explicit[1] or "相关工种"
        if a.group == b.group:
            return "同属一类工种"
        return None


def _similarity(query: str, key: str) -> float:
    ratio = difflib.SequenceMatcher(None, query, key, autojunk=False).ratio()
    if len(key) >= 2 and key in query:
        # The title is embedded in extra words ("汽车电焊工", "电子厂普工"): credit by coverage.
        return max(ratio, 0.5 + 0.5 * len(key) / len(query))
    return ratio


def _index_keys(
    occupations: Iterable[Occupation], *, source: str, lines: dict[int, int] | None = None
) -> dict[str, _Key]:
    keys: dict[str, _Key] = {}
    for occupation in occupations:
        line = (lines or {}).get(occupation.id, 0)
        where = f"{source} line {line} ({occupation.name})" if line else f"{source} ({occupation.name})"
        for spelling, is_name in ((occupation.name, True), *((alias, False) for alias in occupation.aliases)):
            key = normalise(spelling)
            if not key:
                raise ValueError(f"{where}: {spelling!r} has no letters or digits")
            existing = keys.get(key)
            if existing is None:
                keys[key] = _Key(occupation, is_name, line)
            elif existing.occupation.id != occupation.id:
                other = existing.occupation.name
                other_line = f" (line {existing.line})" if existing.line else ""
                raise ValueError(
                    f"{where}: {'name' if is_name else 'alias'} {spelling!r} already belongs to "
                    f"occupation {other!r}{other_line}; each spelling may name only one occupation"
                )
            elif is_name:
                keys[key] = _Key(occupation, True, line)
    return keys


def _index_stems(keys: dict[str, _Key]) -> dict[str, Occupation]:
    """Keys without their role suffix (保育员 -> 保育), where that is unambiguous."""
    stems: dict[str, Occupation | None] = {}
    for key, entry in keys.items():
        stem = _stem(key)
        if stem is None or stem in keys:
            continue
        seen = stems.get(stem, entry.occupation)
        # Two occupations sharing a stem make it meaningless; drop it rather than guess.
        stems[stem] = entry.occupation if seen is not None and seen.id == entry.occupation.id else None
    return {stem: occupation for stem, occupation in stems.items() if occupation is not None}


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows with the line they end on, so errors can point a clerk at the right spreadsheet row."""
    # utf-8-sig: bureau clerks edit these files in Excel, which writes a byte-order mark.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in columns if column not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}")
        return [(reader.line_num, row) for row in reader]


def _cell(row: dict[str, str], column: str) -> str:
    return (row.get(column) or "").strip()


def _read_occupations(path: Path) -> tuple[list[Occupation], dict[int, int]]:
    occupations: list[Occupation] = []
    lines: dict[int, int] = {}
    codes: dict[str, int] = {}
    for line, row in _read_csv(path, _OCCUPATION_COLUMNS):
        name = _cell(row, "name")
        where = f"{path.name} line {line} ({name or 'no name'})"
        if not any(_cell(row, column) for column in _OCCUPATION_COLUMNS):
            continue  # spreadsheets leave blank rows behind
        if not name:
            raise ValueError(f"{where}: name is empty")
        try:
            occupation_id = int(_cell(row, "id"))
        except ValueError:
            raise ValueError(f"{where}: id {_cell(row, 'id')!r} is not a whole number") from None
        if occupation_id <= 0:
            raise ValueError(f"{where}: id must be positive")
        if occupation_id in lines:
            raise ValueError(f"{where}: id {occupation_id} is already used on line {lines[occupation_id]}")
        code = _cell(row, "code") or None
        source = _cell(row, "source")
        if source not in SOURCES:
            raise ValueError(f"{where}: source must be one of {sorted(SOURCES)}, got {source!r}")
        if code is not None:
            if not _CODE_RE.match(code):
                raise ValueError(f"{where}: code {code!r} is not of the form 6-18-02-04")
            if code in codes:
                raise ValueError(f"{where}: code {code} is already used on line {codes[code]}")
            codes[code] = line
        # A code can only come from the classification; a curated row must not pretend to have one.
        if (code is not None) != (source == "CSCO2022"):
            raise ValueError(f"{where}: source CSCO2022 needs a code and a curated row must leave it empty")
        group = _cell(row, "group")
        if not _GROUP_RE.match(group):
            raise ValueError(f"{where}: group {group!r} must be a short lowercase key such as welding")
        aliases = tuple(dict.fromkeys(a.strip() for a in _cell(row, "aliases").split("|") if a.strip()))
        occupations.append(
            Occupation(
                id=occupation_id,
                code=code,
                name=name,
                group=group,
                licence=_cell(row, "licence") or None,
                aliases=aliases,
            )
        )
        lines[occupation_id] = line
    if not occupations:
        raise ValueError(f"{path.name}: no occupations")
    return occupations, lines


def _read_related(path: Path, keys: dict[str, _Key]) -> dict[frozenset[int], tuple[float, str]]:
    if not path.exists():
        return {}
    related: dict[frozenset[int], tuple[float, str]] = {}
    seen_on: dict[frozenset[int], int] = {}
    for line, row in _read_csv(path, _RELATED_COLUMNS):
        if not any(_cell(row, column) for column in _RELATED_COLUMNS):
            continue
        where = f"{path.name} line {line}"
        pair = []
        for column in ("a", "b"):
            name = _cell(row, column)
            entry = keys.get(name) or (keys.get(normalise(name)) if name else None)
            if entry is None:
                raise ValueError(f"{where}: {column}={name!r} is not an occupation in {OCCUPATIONS_FILE}")
            if not entry.is_name:
                canonical = entry.occupation.name
                raise ValueError(
                    f"{where}: {column}={name!r} is an alias; use the canonical name {canonical!r}"
                )
            pair.append(entry.occupation)
        a, b = pair
        if a.id == b.id:
            raise ValueError(f"{where}: an occupation cannot be related to itself ({a.name})")
        try:
            credit = float(_cell(row, "credit"))
        except ValueError:
            raise ValueError(f"{where}: credit {_cell(row, 'credit')!r} is not a number") from None
        if not 0.0 < credit < 1.0:
            raise ValueError(f"{where}: credit must be between 0 and 1 (exclusive), got {credit}")
        key = frozenset((a.id, b.id))
        if key in related:
            raise ValueError(f"{where}: {a.name}—{b.name} is already listed on line {seen_on[key]}")
        related[key] = (credit, _cell(row, "why"))
        seen_on[key] = line
    return related


@functools.cache
def default_taxonomy() -> Taxonomy:
    """The packaged taxonomy, loaded once per process."""
    return Taxonomy.load()
