"""The routes that serve the two pages, their service worker and manifest, and their static files."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request, Response

from app.web import assets, i18n

TEMPLATES = Path(__file__).parent / "templates"
# Everything the seeker's app needs to open with no network; the service worker keeps these.
SEEKER_SHELL = ("common.js", "live.js", "seeker.js", "seeker.css", "icon.svg")
# Only this origin's files run, and nothing is fetched from anywhere else (the pages work offline).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
       "worker-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
_TOKEN = re.compile(r"\{\{\s*([a-z]+)(?::([\w./-]+))?\s*\}\}")

router = APIRouter(include_in_schema=False)


def _template(name: str) -> str:
    path = TEMPLATES / name
    return _read_template(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _read_template(path: Path, _mtime: int) -> str:
    return path.read_text(encoding="utf-8")


def _script_json(value: object) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def render(name: str, lang: str, **values: str) -> str:
    def fill(m: re.Match[str]) -> str:
        key, arg = m.group(1), m.group(2)
        if key == "asset":
            return assets.url(arg or "")
        if key == "optional":  # built by `make` (npm); the page says so when it is missing
            return assets.url(arg or "") if (assets.STATIC / (arg or "")).is_file() else ""
        if key == "messages":
            return _script_json(i18n.messages(lang))
        if key == "languages":
            return _script_json(i18n.available())
        if key == "lang":
            return lang
        if key == "title":
            return i18n.messages(lang).get(arg or "", "")
        return values[key]

    return _TOKEN.sub(fill, _template(name))


def _page(request: Request, name: str, **values: str) -> Response:
    lang = i18n.choose(request)
    asset = assets.make_asset(render(name, lang, **values).encode(), "text/html; charset=utf-8")
    return assets.respond(request, asset, headers={"Content-Language": lang, "X-Content-Type-Options": "nosniff",
                                                   "Content-Security-Policy": CSP, "Referrer-Policy": "no-referrer"})


@router.get("/app")
def seeker_app(request: Request) -> Response:
    return _page(request, "seeker.html")


@router.get("/app/sw.js")
def service_worker(request: Request) -> Response:
    shell = ["/app", *(assets.url(name) for name in SEEKER_SHELL)]
    version = assets.version_of("".join(shell).encode())
    body = _template("sw.js").replace("__SHELL__", json.dumps(shell)).replace("__VERSION__", version)
    asset = assets.make_asset(body.encode(), "text/javascript; charset=utf-8")
    # Scope /app (not only /app/): the app's own address is /app.
    return assets.respond(request, asset, headers={"Service-Worker-Allowed": "/app"})


@router.get("/app/manifest.webmanifest")
def manifest(request: Request) -> Response:
    lang = i18n.choose(request)
    msgs = i18n.messages(lang)
    body = {
        "name": msgs["app.name"], "short_name": msgs["app.short_name"], "description": msgs["app.description"],
        "lang": lang, "start_url": "/app", "scope": "/app", "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#c0392b",
        "icons": [{"src": assets.url("icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
    }
    asset = assets.make_asset(json.dumps(body, ensure_ascii=False).encode(), "application/manifest+json")
    return assets.respond(request, asset)


@router.get("/dashboard")
def dashboard(request: Request) -> Response:
    return _page(request, "dashboard.html")


@router.get("/web/{name:path}")
def static_file(name: str, request: Request) -> Response:
    asset = assets.static_asset(name)
    versioned = request.query_params.get("v") == asset.version
    return assets.respond(request, asset, cache=assets.YEAR if versioned else "no-cache")
