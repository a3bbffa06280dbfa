"""Message catalogues: one JSON file per language in i18n/, zh-CN the reference every other must match."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from fastapi import Request

CATALOGUES = Path(__file__).parent / "i18n"
DEFAULT_LANG = "zh-CN"
LANG_COOKIE = "jm_lang"


def available() -> list[str]:
    return sorted(p.stem for p in CATALOGUES.glob("*.json"))


def messages(lang: str) -> dict[str, str]:
    path = CATALOGUES / f"{lang}.json"
    return _load(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _load(path: Path, _mtime: int) -> dict[str, str]:
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def choose(request: Request) -> str:
    """?lang=, then the cookie the page's language switch sets, then Accept-Language, then zh-CN."""
    langs = available()
    for wanted in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if wanted in langs:
            return wanted
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip()
        for lang in langs:
            if tag and (lang.lower() == tag.lower() or lang.split("-")[0].lower() == tag.lower()):
                return lang
    return DEFAULT_LANG
