"""The pages over plain HTTP: served, offline-capable, small, and every word from a catalogue."""

from __future__ import annotations

import gzip
import io
import json
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from app.web import i18n
from tests.factories import World
from tests.web.catalogue import SERVER_KEYS, SOURCES, catalogues, unreadable_calls, used_keys

BUDGET = 150 * 1024  # the seeker's first visit, compressed
_REFS = re.compile(r'(?:src|href)="(/[^"]+)"')


def test_pages_are_served_in_chinese(client: TestClient) -> None:
    for path, title in (("/app", "app.name"), ("/dashboard", "dash.title")):
        r = client.get(path)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html")
        assert r.headers["content-language"] == "zh-CN"
        assert f"<title>{i18n.messages('zh-CN')[title]}</title>" in r.text
        assert 'lang="zh-CN"' in r.text
        assert "script-src 'self';" in r.headers["content-security-policy"]
        for ref in _REFS.findall(r.text):  # every file the page names exists
            assert client.get(ref).status_code == 200, ref


def test_nothing_is_loaded_from_elsewhere(client: TestClient) -> None:
    """Works with no internet: no CDN, no map tiles, no web fonts."""
    for path in ("/app", "/dashboard"):
        assert "http://" not in client.get(path).text and "https://" not in client.get(path).text
    for source in SOURCES:
        text = source.read_text(encoding="utf-8")
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text), source.name


def test_the_app_is_installable(client: TestClient) -> None:
    manifest = client.get("/app/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["name"] == i18n.messages("zh-CN")["app.name"]
    assert (body["start_url"], body["scope"], body["display"]) == ("/app", "/app", "standalone")
    assert client.get(body["icons"][0]["src"]).status_code == 200
    worker = client.get("/app/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/app"
    shell = json.loads(re.search(r"var SHELL = (\[.*?\]);", worker.text).group(1))  # type: ignore[union-attr]
    assert shell[0] == "/app" and all(client.get(url).status_code == 200 for url in shell)
    page = client.get("/app").text
    assert all(url in page for url in shell[1:3])  # the cached shell is the one the page loads


def test_static_files_are_compressed_versioned_and_confined(client: TestClient) -> None:
    page = client.get("/app").text
    script = re.search(r'src="(/web/seeker\.js\?v=\w+)"', page).group(1)  # type: ignore[union-attr]
    r = client.get(script, headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and "immutable" in r.headers["cache-control"]
    again = client.get(script, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/web/seeker.js").headers["cache-control"] == "no-cache"
    for bad in ("/web/../pages.py", "/web/%2e%2e/pages.py", "/web/nothing.js"):
        assert client.get(bad).status_code == 404


def first_visit(client: TestClient) -> dict[str, int]:
    """Compressed size of every file the seeker's first visit loads: the page, what it names, the manifest,
    its icon, the service worker and the shell that the worker caches."""
    sizes: dict[str, int] = {}

    def take(url: str) -> str:
        r = client.get(url)
        assert r.status_code == 200, url
        sizes[url.split("?")[0]] = len(gzip.compress(r.content))
        return r.text

    page = take("/app")
    for ref in _REFS.findall(page):
        take(ref)
    take(client.get("/app/manifest.webmanifest").json()["icons"][0]["src"])
    worker = take("/app/sw.js")
    for url in json.loads(re.search(r"var SHELL = (\[.*?\]);", worker).group(1)):  # type: ignore[union-attr]
        take(url)
    return sizes


def test_first_visit_is_under_150_kb_compressed(client: TestClient) -> None:
    sizes = first_visit(client)
    total = sum(sizes.values())
    print(f"seeker app first visit: {total} bytes compressed: {sizes}")
    assert total < BUDGET, sizes


def test_every_key_used_is_in_the_chinese_catalogue() -> None:
    zh = catalogues()["zh-CN"]
    used = set().union(*used_keys().values()) | SERVER_KEYS
    missing = {name: sorted(keys - set(zh)) for name, keys in used_keys().items() if keys - set(zh)}
    assert not missing
    assert not unreadable_calls(), "message keys must be literal so they can be checked"
    assert set(zh) - used == set(), "keys nobody uses"
    assert all(isinstance(v, str) and v.strip() for v in zh.values())


def test_other_languages_are_translations_of_the_same_keys() -> None:
    zh = catalogues()["zh-CN"]
    for lang, messages in catalogues().items():
        assert set(messages) == set(zh), lang
        for key, text in zh.items():  # the same {placeholders}
            assert set(re.findall(r"\{\w+\}", messages[key])) == set(re.findall(r"\{\w+\}", text)), (lang, key)


def test_no_words_are_written_into_the_code() -> None:
    """Text shown to people comes from catalogues only: no Chinese in scripts or templates."""
    for source in SOURCES:
        assert not re.search(r"[\u4e00-\u9fff]", source.read_text(encoding="utf-8")), source.name


def test_language_is_chosen_from_the_request(client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    catalogue = dict(catalogues()["zh-CN"], **{"app.name": "연변 일자리"})
    (tmp_path / "zh-CN.json").write_text(json.dumps(catalogues()["zh-CN"], ensure_ascii=False), encoding="utf-8")
    (tmp_path / "ko.json").write_text(json.dumps(catalogue, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(i18n, "CATALOGUES", tmp_path)
    assert "<title>연변 일자리</title>" in client.get("/app", headers={"Accept-Language": "ko-KR,ko;q=0.9"}).text
    assert 'lang="ko"' in client.get("/app?lang=ko").text
    assert 'lang="zh-CN"' in client.get("/app", headers={"Accept-Language": "en"}).text
    r = client.get("/app", headers={"Cookie": "jm_lang=ko"})
    assert r.headers["content-language"] == "ko" and '["ko", "zh-CN"]' in r.text


def test_dashboard_downloads_are_workbooks_scoped_by_key(world: World) -> None:
    from tests.placements.helpers import advance, apply, days_ago

    station, other, employer = world.station(), world.station("222401"), world.employer()
    application = apply(world, station, world.seeker(station), world.vacancy(employer)["id"])["id"]
    advance(world.client, employer, application, "arrived", arrived_on=days_ago(8).isoformat())
    expected = {"admin": 1, "station": 1, "other": 0}
    for path in ("/dashboard/downloads/follow-ups.xlsx", "/dashboard/downloads/transport-batches.xlsx"):
        for name, actor in (("admin", world.admin), ("station", station), ("other", other)):
            r = world.client.get(path, headers=actor.headers)
            assert r.status_code == 200, r.text
            assert "attachment" in r.headers["content-disposition"]
            sheet = load_workbook(io.BytesIO(r.content)).active
            assert sheet is not None
            if "follow-ups" in path:  # the 7-day check-in is due, for station A's eyes (and the bureau's) only
                assert sheet.max_row - 1 == expected[name], name
                if expected[name]:
                    assert sheet["A2"].value == "应回访" and sheet["B1"].value == "姓名"
        assert world.client.get(path).status_code == 401
        assert world.client.get(path, headers=employer.headers).status_code == 403
