"""Static files for the pages, gzip-compressed when the browser accepts it (phones on weak networks),
with content-hash version strings so a page can ask browsers to keep them for a year."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fastapi import Request, Response

from app.errors import NotFound

STATIC = Path(__file__).parent / "static"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".json": "application/json", ".geojson": "application/geo+json", ".svg": "image/svg+xml",
         ".html": "text/html; charset=utf-8", ".webmanifest": "application/manifest+json",
         ".LICENSE": "text/plain; charset=utf-8"}
YEAR = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    media_type: str
    etag: str

    @property
    def version(self) -> str:
        return self.etag.strip('"')[:10]


def version_of(body: bytes) -> str:
    """The version an asset of ``body`` would carry (``make_asset(body, …).version``), without compressing it."""
    return hashlib.sha256(body).hexdigest()[:10]


def make_asset(body: bytes, media_type: str) -> Asset:
    digest = hashlib.sha256(body).hexdigest()
    return Asset(body, gzip.compress(body, 9, mtime=0), media_type, f'"{digest[:20]}"')


def static_asset(name: str) -> Asset:
    path = (STATIC / name).resolve()
    if STATIC.resolve() not in path.parents or not path.is_file():
        raise NotFound(f"未找到文件 {name}", f"No such file: {name}")
    return _read(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _read(path: Path, _mtime: int) -> Asset:
    media_type = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return make_asset(path.read_bytes(), media_type)


def url(name: str) -> str:
    """The versioned address of a static file: a new version is a new address."""
    return f"/web/{name}?v={static_asset(name).version}"


def respond(request: Request, asset: Asset, *, cache: str = "no-cache", headers: dict[str, str] | None = None
            ) -> Response:
    common = {"ETag": asset.etag, "Cache-Control": cache, "Vary": "Accept-Encoding", **(headers or {})}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=common)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(asset.gzipped, media_type=asset.media_type, headers={**common, "Content-Encoding": "gzip"})
    return Response(asset.body, media_type=asset.media_type, headers=common)
