"""Small helpers for the placement tests: applying, moving applications on, and reading rows back."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from app.clock import today_shanghai
from app.db import metadata
from tests.factories import Actor, World

API = "/api/v1"
FORWARD = ("shortlisted", "offered", "hired", "arrived")


def apply(world: World, station: Actor, seeker_id: int, vacancy_id: int) -> dict[str, Any]:
    r = world.client.post(f"{API}/applications", json={"seeker_id": seeker_id, "vacancy_id": vacancy_id},
                          headers=station.headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def move(client: TestClient, actor: Actor, application_id: int, to: str, **body: Any) -> Any:
    if to == "hired":
        body.setdefault("start_date", (today_shanghai() + timedelta(days=10)).isoformat())
    if to in ("rejected", "withdrawn", "no_show"):
        body.setdefault("reason", "测试原因")
    return client.post(f"{API}/applications/{application_id}/transitions", json={"to": to, **body},
                       headers=actor.headers)


def advance(client: TestClient, employer: Actor, application_id: int, until: str, **body: Any) -> None:
    """Move an application forward step by step up to ``until`` (shortlisted … arrived)."""
    for step in FORWARD[: FORWARD.index(until) + 1]:
        r = move(client, employer, application_id, step, **(body if step == until else {}))
        assert r.status_code == 200, r.text


def row(engine: Engine, table: str, row_id: int) -> dict[str, Any]:
    t = metadata.tables[table]
    with engine.connect() as conn:
        return dict(conn.execute(select(t).where(t.c.id == row_id)).mappings().one())


def rows(engine: Engine, table: str, **where: Any) -> list[dict[str, Any]]:
    t = metadata.tables[table]
    query = select(t).order_by(t.c.id)
    for name, value in where.items():
        query = query.where(t.c[name] == value)
    with engine.connect() as conn:
        return [dict(m) for m in conn.execute(query).mappings().all()]


def days_ago(n: int, today: date | None = None) -> date:
    return (today or today_shanghai()) - timedelta(days=n)
