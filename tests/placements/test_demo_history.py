"""The demo's year of history keeps every rule the live service keeps, and gives the figures substance."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from app.clock import today_shanghai
from app.demo.history import add_history
from app.demo.loader import load_demo
from app.services.workflow import NEXT
from tests.factories import World
from tests.placements.helpers import rows


def test_history_is_consistent_and_shows_in_the_figures(world: World, app: Any) -> None:
    today = today_shanghai()
    load_demo(world.engine, app.state.vault, seekers=600, vacancies=30, employers=8, seed=2018, today=today)
    made = add_history(world.engine, seed=2018, today=today)
    assert made > 100
    assert add_history(world.engine, seed=2018, today=today) == 0  # once only
    applications = {a["id"]: a for a in rows(world.engine, "application")}
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in rows(world.engine, "application_event"):
        events[e["application_id"]].append(e)
    for app_id, application in applications.items():
        path = [e["to_status"] for e in events[app_id]]
        assert path[0] == "applied" and path[-1] == application["status"], path
        assert all(b in NEXT[a] for a, b in itertools.pairwise(path)), path
    assert {"rejected", "withdrawn", "arrived", "hired"} <= {a["status"] for a in applications.values()}
    # Places taken match the hires on every posting, within headcount and family posts.
    taken = Counter(a["vacancy_id"] for a in applications.values() if a["status"] in ("hired", "arrived"))
    for v in rows(world.engine, "vacancy"):
        assert v["hired_count"] <= v["headcount"]
        if v["id"] in taken:
            assert v["hired_count"] == taken[v["id"]]
        for kind, used in v["family_posts_used"].items():
            assert used <= v["family_posts"].get(kind, 0)
    for e in rows(world.engine, "employer"):
        assert 0 <= e["couple_dormitories_used"] <= e["couple_dormitories"]
    placements = rows(world.engine, "placement")
    working = {p["seeker_id"] for p in placements if p["status"] == "active"}
    pending = {a["seeker_id"] for a in applications.values() if a["status"] == "hired"}
    for s in rows(world.engine, "seeker"):
        assert (s["status"] == "placed") == (s["id"] in working | pending), s["id"]
    for p in placements:
        assert p["arrived_on"] <= today and (p["left_on"] is None or p["arrived_on"] <= p["left_on"] <= today)
    # Batches respect capacity and never split a family.
    seats = Counter(p["batch_id"] for p in rows(world.engine, "transport_passenger"))
    batches = {b["id"]: b for b in rows(world.engine, "transport_batch")}
    assert batches and all(seats[b] <= batches[b]["capacity"] for b in seats)
    family_batches: dict[int, set[int]] = defaultdict(set)
    for p in rows(world.engine, "transport_passenger"):
        if p["family_id"]:
            family_batches[p["family_id"]].add(p["batch_id"])
    assert all(len(b) == 1 for b in family_batches.values())
    # The dashboard has something real to show.
    admin = world.admin.headers
    total = world.client.get("/api/v1/stats/employment", headers=admin).json()["rows"][-1]
    assert total["employed"] > 0 and total["stable"] > 0 and total["stable_cumulative"] >= total["stable"]
    funnel = {r["step"]: r["count"] for r in world.client.get("/api/v1/stats/funnel", headers=admin).json()["rows"]}
    assert funnel["pushed"] > funnel["read"] > 0 and funnel["applied"] > funnel["hired"] > funnel["arrived"] > 0
    moved = world.client.get("/api/v1/stats/transport", headers=admin).json()["rows"][-1]
    assert moved["passengers"] > 0
    year = f"{today - timedelta(days=365)}..{today}"
    report = world.client.get("/api/v1/subsidies", params={"period": year}, headers=admin).json()
    assert report["includes_example_rules"] and report["total_amount"] > 0
    rules = world.client.get("/api/v1/subsidy-rules", headers=admin).json()
    assert rules and all(r["is_example"] and r["name"].startswith("示例") for r in rules)
