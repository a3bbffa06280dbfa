"""Reading the pages' sources: the message keys they use, and the catalogues that must hold them."""

from __future__ import annotations

import json
import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "app" / "web"
SOURCES = sorted([*WEB.glob("static/*.js"), *WEB.glob("templates/*.html"), *WEB.glob("templates/*.js")])
# t("key"), or t(cond ? "key" : "other"): the only two shapes a key may take in the scripts.
_CALL = re.compile(r"\bt\(\s*(?:[^\"()]+\?\s*)?\"([a-z_.]+)\"(?:\s*:\s*\"([a-z_.]+)\")?")
_ANY_CALL = re.compile(r"(?<![\w.])t\(")
_ATTR = re.compile(r"data-i18n(?:-[a-z]+)?=\"([a-z_.]+)\"")
_TITLE = re.compile(r"\{\{\s*title:([a-z_.]+)\s*\}\}")
# Keys the server reads itself (the web app manifest).
SERVER_KEYS = {"app.name", "app.short_name", "app.description"}


def used_keys() -> dict[str, set[str]]:
    """Every key each source file uses."""
    found: dict[str, set[str]] = {}
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        keys = {k for pair in _CALL.findall(text) for k in pair if k}
        keys |= set(_ATTR.findall(text)) | set(_TITLE.findall(text))
        found[path.name] = keys
    return found


def unreadable_calls() -> list[str]:
    """t( calls whose key a reader (and this test) cannot see: built at run time."""
    bad = []
    for path in SOURCES:
        if path.name == "common.js":  # defines t() and applies the data-i18n attributes
            continue
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            calls, readable = len(_ANY_CALL.findall(line)), len(_CALL.findall(line))
            if calls > readable:
                bad.append(f"{path.name}:{line_no}: {line.strip()}")
    return bad


def catalogues() -> dict[str, dict[str, str]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((WEB / "i18n").glob("*.json"))}
