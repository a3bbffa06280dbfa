"""The dashboard in Debian's Chromium: the heat map has one mark per origin county with workers, sized and
labelled with the stats API's figures, and every headline figure on the page equals the API's.

Runs on SQLite and on PostgreSQL like every database test (a few seconds each)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.factories import Actor, World
from tests.placements.helpers import advance, apply, days_ago
from tests.web.conftest import DESKTOP, PHONE, watch_errors

# Where the workers come from, and what became of them: (origin county, arrived days ago or None, left?).
PEOPLE = [("522301", 120, False), ("522301", 20, False), ("522301", None, False), ("522325", 95, False),
          ("522325", 100, True), ("522323", None, False), ("222401", 130, False), ("222401", None, False)]


def populate(world: World) -> tuple[Actor, Actor]:
    station, other = world.station("522325"), world.station("222401")
    employer = world.employer()
    vacancy = world.vacancy(employer, headcount=20, caring_post=True, family_posts={"couple": 2})["id"]
    for origin, arrived, left in PEOPLE:
        owner = other if origin.startswith("22") else station
        seeker = world.seeker(owner, area=origin)
        if arrived is None:
            continue
        application = apply(world, owner, seeker, vacancy)["id"]
        advance(world.client, employer, application, "arrived", arrived_on=days_ago(arrived).isoformat())
        if left:
            placement = world.client.get(f"/api/v1/placements?seeker_id={seeker}", headers=owner.headers).json()
            r = world.client.post(f"/api/v1/placements/{placement['items'][0]['id']}/check-ins", headers=owner.headers,
                                  json={"outcome": "left", "left_on": days_ago(3).isoformat(), "reason": "家中有事"})
            assert r.status_code == 201, r.text
    return station, other


def sign_in(browser: Any, server: str, key: str, **context: Any) -> tuple[Any, Any, list[str]]:
    ctx = browser.new_context(**context, locale="zh-CN")
    page = ctx.new_page()
    errors = watch_errors(page)
    page.goto(f"{server}/dashboard")
    page.fill("#key", key)
    page.click("#signin button")
    page.wait_for_selector("#board:not([hidden])")
    return ctx, page, errors


def figures(page: Any, box: str) -> dict[str, int]:
    return page.eval_on_selector_all(f"#{box} .figure", "els => Object.fromEntries(els.map(e => "
                                     "[e.dataset.figure, Number(e.querySelector('b').textContent)]))")


def trend(page: Any) -> list[dict[str, Any]]:
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        "#trend g[data-month]", "gs => gs.map(g => ({month: g.dataset.month, arrived: +g.dataset.arrived, "
        "left: +g.dataset.left, stable: +g.dataset.stable}))")


def marks(page: Any) -> dict[str, int]:
    return page.eval_on_selector_all("#map .mark", "els => Object.fromEntries(els.map(e => "
                                     "[e.dataset.code, Number(e.dataset.value)]))")


def test_dashboard_map_and_figures_equal_the_stats_api(world: World, server: str, browser: Any, artifacts: Any) -> None:
    populate(world)
    admin = world.admin
    ctx, page, errors = sign_in(browser, server, admin.key, **DESKTOP)
    page.wait_for_selector("#map .mark")
    page.wait_for_selector("#funnel g")
    page.wait_for_selector("#post-cards .figure")

    # The map: one mark per origin county that has workers, each the API's figure — counted here independently.
    registered = Counter(origin for origin, _, _ in PEOPLE)
    assert marks(page) == dict(registered)
    heat = world.client.get("/api/v1/stats/heatmap", headers=admin.headers).json()
    assert marks(page) == {f["properties"]["code"]: f["properties"]["registered"] for f in heat["features"]}
    assert page.locator("#map .province").count() >= 30  # the outline of China's provinces
    # Smaller marks are drawn over larger ones, so the smallest is never covered: hover it for its figure.
    page.locator("#map .mark").last.hover()
    page.wait_for_selector("#map-tip:not([hidden])")
    assert page.text_content("#map-tip") == "普安县（黔西南布依族苗族自治州）登记：1 人"

    page.check("input[name=weight][value=employed]")
    employed = Counter(o for o, arrived, left in PEOPLE if arrived is not None and not left)
    assert marks(page) == dict(employed)
    page.check("input[name=weight][value=stable]")
    stable = Counter(o for o, arrived, left in PEOPLE if arrived is not None and arrived >= 90 and not left)
    assert marks(page) == dict(stable)
    assert marks(page) == {f["properties"]["code"]: f["properties"]["stable"] for f in heat["features"]
                           if f["properties"]["stable"]}

    # The headline figures are the API's.
    employment = world.client.get("/api/v1/stats/employment", headers=admin.headers).json()["rows"]
    total = next(r for r in employment if r["level"] == "total")
    shown = figures(page, "cards")
    assert shown == {k: total[k] for k in shown} and shown["employed"] == sum(employed.values())
    assert shown["stable"] == sum(stable.values())
    prefectures = page.eval_on_selector_all("#by-prefecture tbody tr", "rows => rows.map(r => r.dataset.code)")
    assert prefectures == [r["code"] for r in employment if r["level"] == "prefecture"] == ["222400", "522300"]
    posts = next(r for r in world.client.get("/api/v1/stats/posts", headers=admin.headers).json()["rows"]
                 if r["district_code"] == "")
    assert figures(page, "post-cards") == {
        "caring_opened": posts["caring_opened"], "caring_filled": posts["caring_filled"],
        "family_opened": posts["couple_opened"] + posts["father_son_opened"] + posts["brothers_opened"],
        "family_filled": posts["couple_filled"] + posts["father_son_filled"] + posts["brothers_filled"],
        "dormitories_used": posts["dormitories_used"]}
    funnel = world.client.get("/api/v1/stats/funnel", headers=admin.headers).json()["rows"]
    assert page.eval_on_selector_all("#funnel g", "gs => gs.map(g => [g.dataset.step, +g.dataset.count])") == \
        [[r["step"], r["count"]] for r in funnel]
    # Month by month, as the monthly statistic counts it (no longer added up in the browser).
    months = trend(page)
    assert [m["arrived"] for m in months].count(0) < 12
    assert len(months) == 12 and sum(m["arrived"] for m in months) == sum(1 for _, a, _ in PEOPLE if a is not None)
    assert sum(m["left"] for m in months) == sum(1 for _, _, left in PEOPLE if left)
    monthly = world.client.get("/api/v1/stats/monthly?months=12", headers=admin.headers).json()["rows"]
    assert months == [{k: r[k] for k in ("month", "arrived", "left", "stable")} for r in monthly]
    page.wait_for_selector("#follow-ups tbody tr")
    page.screenshot(path=str(artifacts / "dashboard-desktop.png"), full_page=True)

    # Excel, fetched with the key and handed over as a file.
    with page.expect_download() as download:
        page.click("#figures button[data-download]")
    assert download.value.suggested_filename == "employment.xlsx"
    assert errors == []
    ctx.close()

    ctx, phone, _ = sign_in(browser, server, admin.key, **PHONE)
    phone.wait_for_selector("#map .mark")
    phone.screenshot(path=str(artifacts / "dashboard-360.png"), full_page=True)
    ctx.close()


def test_a_station_sees_its_own_figures_only(world: World, server: str, browser: Any, artifacts: Any) -> None:
    station, _ = populate(world)
    ctx, page, errors = sign_in(browser, server, station.key, **DESKTOP)
    page.wait_for_selector("#cards .figure")
    page.wait_for_selector("#map .mark")
    page.wait_for_selector("#funnel g")
    page.wait_for_selector("#trend g[data-month]")
    assert page.is_visible("#station-note") and page.text_content("#role") == "劳务协作站"
    # Posts and subsidies are about employers: the bureau's only.
    assert page.is_hidden("#posts-panel") and page.is_hidden("#subsidy-panel")

    # Its own people, counted here from the population: station A registered the 5223… counties.
    own = [(origin, arrived, left) for origin, arrived, left in PEOPLE if origin.startswith("5223")]
    employment = world.client.get("/api/v1/stats/employment", headers=station.headers).json()["rows"]
    total = next(r for r in employment if r["level"] == "total")
    shown = figures(page, "cards")
    assert shown == {k: total[k] for k in shown}
    assert (shown["registered"], shown["employed"]) == (len(own), sum(1 for _, a, left in own if a and not left)) \
        == (6, 3)
    assert marks(page) == dict(Counter(origin for origin, _, _ in own))
    assert sum(m["arrived"] for m in trend(page)) == sum(1 for _, a, _ in own if a is not None) == 4
    funnel = world.client.get("/api/v1/stats/funnel", headers=station.headers).json()["rows"]
    assert page.eval_on_selector_all("#funnel g", "gs => gs.map(g => [g.dataset.step, +g.dataset.count])") == \
        [[r["step"], r["count"]] for r in funnel]
    page.wait_for_selector("#follow-ups tbody tr")
    page.screenshot(path=str(artifacts / "dashboard-station.png"), full_page=True)
    assert errors == []  # nothing refused: the page asks a station only for what it may see
    ctx.close()


def test_a_wrong_key_is_turned_away(world: World, server: str, browser: Any) -> None:
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{server}/dashboard")
    for key, message in (("jm_nonsense", "dash.bad_key"), (world.employer().key, "dash.wrong_role")):
        page.fill("#key", key)
        page.click("#signin button")
        page.wait_for_function("() => document.getElementById('message').textContent.length > 0 && "
                               "!document.getElementById('message').textContent.includes('……')")
        from app.web import i18n

        assert page.text_content("#message") == i18n.messages("zh-CN")[message]
        assert page.is_hidden("#board")
    ctx.close()
