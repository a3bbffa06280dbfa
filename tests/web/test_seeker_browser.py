"""The seeker's app in Debian's Chromium on a 360-px phone: enrol, ranked jobs with reasons, a new push
arriving live, "我想去", and the employer seeing the application. Also the first visit's weight and the
list opening with the network gone.

Runs on SQLite and on PostgreSQL like every database test (a few seconds each)."""

from __future__ import annotations

import gzip
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from app.settings import Settings
from app.web import i18n
from app.worker import Worker
from tests.factories import Actor, World, enrolment_code
from tests.web.conftest import DESKTOP, PHONE, LiveServer, watch_errors

ZH = i18n.messages("zh-CN")
WELDER = {"skills": [{"name": "电焊", "level": "中级", "years": 4}], "preferred_districts": ["330203"],
          "expected_pay": 6000}
BUDGET = 150 * 1024


def drain(app: FastAPI, engine: Engine, settings: Settings) -> None:
    worker = Worker(engine, settings, app.state.matcher, worker_id="web-test")
    for _ in range(5):
        if not any(worker.run_round(housekeeping=False).values()):
            break


def setting_up(world: World, app: FastAPI, engine: Engine, settings: Settings) -> tuple[Actor, Actor, int, list[int]]:
    station, employer = world.station(), world.employer()
    jobs = [world.vacancy(employer, title="电焊工", occupation="电焊工", pay_min=6000, pay_max=8000)["id"],
            world.vacancy(employer, title="装配工", occupation="装配工", district_code="330206", pay_min=4500,
                          pay_max=5000)["id"]]
    seeker = world.seeker(station, **WELDER)
    drain(app, engine, settings)
    return station, employer, seeker, jobs


def visible_jobs(page: Any) -> list[dict[str, Any]]:
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        "#job-list .card", "cards => cards.map(c => ({id: +c.dataset.vacancy, score: +c.dataset.score, "
        "fresh: c.classList.contains('fresh'), text: c.innerText}))")


def test_seeker_enrols_sees_ranked_jobs_gets_a_live_push_and_applies(
        world: World, server: str, browser: Any, app: FastAPI, engine: Engine, settings: Settings,
        artifacts: Any) -> None:
    station, employer, seeker_id, jobs = setting_up(world, app, engine, settings)
    code = enrolment_code(world, station, seeker_id)
    context = browser.new_context(**PHONE, locale="zh-CN")
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{server}/app")
    page.fill("#code", code)
    page.click("#enrol-form button")
    page.wait_for_selector("#job-list .card")

    # Ranked best first, each with employer, district, pay, score and the reasons in Chinese.
    shown = visible_jobs(page)
    assert {j["id"] for j in shown} >= {jobs[0]}
    assert [j["score"] for j in shown] == sorted((j["score"] for j in shown), reverse=True)
    assert shown[0]["id"] == jobs[0]
    assert ZH["job.why"] in shown[0]["text"] and "焊" in shown[0]["text"] and "海曙区" in shown[0]["text"]
    api_matches = world.client.get(f"/api/v1/seekers/{seeker_id}/matches", headers=_key(page)).json()
    assert [m["vacancy"]["id"] for m in api_matches][:1] == [shown[0]["id"]]

    # Quiet hours set from the phone: 00:00–00:00 means pushes may come at any time.
    page.click("#tabs a[href='#/more']")
    page.wait_for_selector("#improve-list li")  # how to get better matches: the API's answer, or "none yet"
    improvements = world.client.get(f"/api/v1/seekers/{seeker_id}/improvements", headers=_key(page)).json()
    assert page.locator("#improve-list li").count() == max(1, len(improvements))
    page.fill("#quiet-start", "00:00")
    page.fill("#quiet-end", "00:00")
    page.click("#quiet-form button")
    page.wait_for_selector("#toast.show")
    me = world.client.get("/api/v1/me", headers=_key(page)).json()
    assert (me["quiet_start"], me["quiet_end"]) == ("00:00", "00:00")

    # A matching vacancy is posted and fanned out: it appears on the open page, without a reload.
    page.click("#tabs a[href='#/jobs']")
    page.wait_for_selector("#live.on")
    page.evaluate("window.__same_page = true")
    new_job = world.vacancy(employer, title="氩弧焊工", occupation="电焊工", pay_min=7000, pay_max=9000)["id"]
    drain(app, engine, settings)
    page.wait_for_selector(f"#job-list .card.fresh[data-vacancy='{new_job}']", timeout=30000)
    assert page.evaluate("window.__same_page") is True
    assert page.text_content("#toast").startswith(ZH["jobs.pushed"].split("{")[0])
    page.screenshot(path=str(artifacts / "seeker-jobs-360.png"), full_page=True)

    # Details, then "我想去".
    page.click(f"#job-list .card[data-vacancy='{new_job}'] a")
    page.wait_for_selector("#apply")
    assert "氩弧焊工" in page.text_content("#job")
    page.screenshot(path=str(artifacts / "seeker-job-360.png"), full_page=True)
    page.click("#apply")
    page.wait_for_selector("#app-list .card[data-status='applied']")
    assert "氩弧焊工" in page.text_content("#app-list")

    # The employer sees the application through the API.
    seen = world.client.get(f"/api/v1/applications?vacancy_id={new_job}", headers=employer.headers).json()["items"]
    assert [(a["seeker_id"], a["status"], a["source"]) for a in seen] == [(seeker_id, "applied", "seeker")]

    desktop = browser.new_context(**DESKTOP, locale="zh-CN")
    wide = desktop.new_page()
    wide.goto(f"{server}/app")
    wide.evaluate(f"localStorage.setItem('jm.seeker.key', {_key(page)['Authorization'][7:]!r})")
    wide.reload()
    wide.wait_for_selector("#job-list .card")
    wide.screenshot(path=str(artifacts / "seeker-desktop.png"), full_page=True)
    desktop.close()
    context.close()
    assert errors == []


def test_a_family_member_applies_for_the_whole_family_from_a_family_match(
        world: World, server: str, browser: Any, app: FastAPI, engine: Engine, settings: Settings,
        artifacts: Any) -> None:
    from tests.factories import world_family

    station, employer = world.station(), world.employer()
    vacancy = world.vacancy(employer, title="电焊工", occupation="电焊工", headcount=4,
                            family_posts={"brothers": 1})["id"]
    members = [world.seeker(station, **WELDER), world.seeker(station, **WELDER)]
    for member in members:  # pushes at any hour, so the family's offer arrives now
        r = world.client.patch("/api/v1/me", json={"quiet_start": "00:00", "quiet_end": "00:00"},
                               headers=world.seeker_actor(station, member).headers)
        assert r.status_code == 200, r.text
    r = world.client.post("/api/v1/families", json={"kind": "brothers", "member_ids": members},
                          headers=station.headers)
    assert r.status_code == 201, r.text
    family = r.json()["id"]
    drain(app, engine, settings)
    lone = world_family(world, station, "brothers")  # a family with no offer: its member applies alone
    context = browser.new_context(**PHONE, locale="zh-CN")
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{server}/app")
    page.fill("#code", enrolment_code(world, station, members[0]))
    page.click("#enrol-form button")
    offer = f"#family-offers .card[data-employer='{employer.id}']"
    page.wait_for_selector(offer)
    assert "电焊工" in page.text_content(offer)
    page.screenshot(path=str(artifacts / "seeker-family-360.png"), full_page=True)

    # The job the offer gives me says it is applied for as a family.
    page.goto(f"{server}/app#/job/{vacancy}")
    page.wait_for_selector("#apply")
    assert page.text_content("#apply") == ZH["apply.family_button"]
    assert ZH["apply.family_note"].split("{")[0] in page.text_content("#job")
    page.click("#tabs a[href='#/jobs']")
    page.click(f"{offer} button.family-apply")
    page.wait_for_selector("#app-list .card[data-status='applied']")
    got = world.client.get(f"/api/v1/applications?vacancy_id={vacancy}", headers=station.headers).json()["items"]
    assert sorted(a["seeker_id"] for a in got) == sorted(members)
    # I applied for myself, and for my brother, who did nothing.
    assert {a["seeker_id"]: (a["source"], a["family_id"]) for a in got} == {
        members[0]: ("seeker", family), members[1]: ("relative", family)}
    assert len({a["group_id"] for a in got}) == 1

    # Tapped again from another phone of the family: the problem says what is wrong, in Chinese.
    other = browser.new_context(**PHONE, locale="zh-CN")
    brother = other.new_page()
    brother.goto(f"{server}/app")
    brother.fill("#code", enrolment_code(world, station, members[1]))
    brother.click("#enrol-form button")
    brother.wait_for_selector(f"{offer} button.family-apply")
    brother.click(f"{offer} button.family-apply")
    brother.wait_for_selector(f"{offer} .error:not(:empty)")
    # The family's own application is in the way: nothing to withdraw, only to know it is done.
    said = brother.text_content(f"{offer} .error") or ""
    assert "全家已一起申请" in said and "撤回" not in said
    # My brother sees the application made for him in his own app, with the move he may make on it.
    theirs = world.client.get("/api/v1/applications", headers=world.seeker_actor(station, members[1]).headers)
    assert [(a["seeker_id"], a["allowed"]) for a in theirs.json()["items"]] == [(members[1], ["withdrawn"])]
    other.close()

    # A member of a family without an offer for this job applies for itself, and is told so.
    alone = browser.new_context(**PHONE, locale="zh-CN")
    page = alone.new_page()
    page.goto(f"{server}/app")
    page.fill("#code", enrolment_code(world, station, lone["member_ids"][0]))
    page.click("#enrol-form button")
    page.wait_for_selector("#hello:not(:empty)")
    page.goto(f"{server}/app#/job/{vacancy}")
    page.wait_for_selector("#apply")
    assert page.text_content("#apply") == ZH["apply.self_button"]
    assert ZH["apply.self_note"] in page.text_content("#job")
    alone.close()
    context.close()
    assert errors == []


def test_first_visit_weighs_under_150_kb_and_the_list_opens_offline(
        world: World, server: str, browser: Any, app: FastAPI, engine: Engine, settings: Settings) -> None:
    station, _, seeker_id, jobs = setting_up(world, app, engine, settings)
    context = browser.new_context(**PHONE)
    responses: list[Any] = []
    context.on("response", lambda response: responses.append(response))
    page = context.new_page()
    page.goto(f"{server}/app", wait_until="networkidle")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_load_state("networkidle")
    # What came over the wire: bodies as sent, gzip-compressed by the server.
    # The service worker fetches the shell again to cache it: that counts too, as a phone downloads it.
    loaded = {f"{n} {r.url}" + (" (service worker)" if r.request.service_worker else ""): _wire_size(r)
              for n, r in enumerate(responses)}
    first_visit = sum(loaded.values())
    print(f"first visit in Chromium: {first_visit} bytes compressed: {loaded}")
    assert first_visit < BUDGET, loaded
    assert any(url.endswith("/app") for url in loaded) and len(loaded) >= 5

    page.fill("#code", enrolment_code(world, station, seeker_id))
    page.click("#enrol-form button")
    page.wait_for_selector(f"#job-list .card[data-vacancy='{jobs[0]}']")
    # Functions, not expressions: the page's Content-Security-Policy forbids eval.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.reload()  # now under the service worker, which keeps the latest answers
    page.wait_for_selector(f"#job-list .card[data-vacancy='{jobs[0]}']")
    context.set_offline(True)
    page.reload()
    page.wait_for_selector(f"#job-list .card[data-vacancy='{jobs[0]}']")
    page.wait_for_selector("#net:not([hidden])")
    context.close()


def _wire_size(response: Any) -> int:
    """The compressed body size; where the browser cannot say, the body compressed here."""
    size = int(response.request.sizes()["responseBodySize"])
    if size <= 0:
        size = len(gzip.compress(response.body()))
    return size


def _key(page: Any) -> dict[str, str]:
    return {"Authorization": "Bearer " + page.evaluate("localStorage.getItem('jm.seeker.key')")}


def test_my_applications_work_and_check_ins(world: World, server: str, browser: Any) -> None:
    from tests.placements.helpers import advance, apply, days_ago

    station, employer = world.station(), world.employer()
    seeker = world.seeker(station, **WELDER)
    application = apply(world, station, seeker, world.vacancy(employer, title="焊工")["id"])["id"]
    advance(world.client, employer, application, "arrived", arrived_on=days_ago(10).isoformat())
    placement = world.client.get("/api/v1/placements", headers=station.headers).json()["items"][0]["id"]
    r = world.client.post(f"/api/v1/placements/{placement}/check-ins", headers=station.headers,
                          json={"outcome": "employed", "note": "适应良好"})
    assert r.status_code == 201, r.text
    context = browser.new_context(**PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server}/app")
    page.fill("#code", enrolment_code(world, station, seeker))
    page.click("#enrol-form button")
    page.wait_for_selector("#hello:not(:empty)")
    page.click("#tabs a[href='#/mine']")
    page.wait_for_selector(f"#work-list .card[data-placement='{placement}']")
    assert page.text_content(f"#app-list .card[data-application='{application}'] .state") == ZH["status.arrived"]
    work = page.text_content("#work-list")
    assert "适应良好" in work and ZH["work.employed"] in work and "已工作 10 天" in work
    context.close()


def test_a_push_sent_while_the_connection_is_down_arrives_after_it_reconnects(
        world: World, live_server: LiveServer, browser: Any, app: FastAPI, engine: Engine,
        settings: Settings) -> None:
    station, employer, seeker_id, _ = setting_up(world, app, engine, settings)
    seeker = world.seeker_actor(station, seeker_id)
    r = world.client.patch("/api/v1/me", json={"quiet_start": "00:00", "quiet_end": "00:00"}, headers=seeker.headers)
    assert r.status_code == 200, r.text
    context = browser.new_context(**PHONE)
    streams: list[dict[str, str]] = []
    context.on("request", lambda r: streams.append(r.headers) if r.url.endswith("/notifications/stream") else None)
    page = context.new_page()
    page.goto(f"{live_server.url}/app")
    page.fill("#code", enrolment_code(world, station, seeker_id))
    page.click("#enrol-form button")
    page.wait_for_selector("#live.on")
    live_server.stop()  # the connection breaks
    page.wait_for_selector("#live:not(.on)")
    new_job = world.vacancy(employer, title="二保焊工", occupation="电焊工", pay_min=7000, pay_max=9000)["id"]
    drain(app, engine, settings)  # the push is made while the phone cannot be reached
    live_server.start()
    page.wait_for_selector(f"#job-list .card.fresh[data-vacancy='{new_job}']", timeout=45000)
    assert len(streams) >= 2 and streams[-1].get("last-event-id", "").isdigit()
    context.close()
