"""A second server or a worker writing to the same database: this server's matches show its writes
within 2 seconds, though they never passed through this process (the index refreshes from the rows'
``updated_at`` stamps, not from in-process calls)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from fastapi.testclient import TestClient

from app.settings import PROJECT_ROOT
from tests.factories import Actor, World

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import timedelta
    from sqlmodel import Session
    from app.clock import today_shanghai
    from app.db import make_engine
    from app.models.employer import Employer
    from app.models.vacancy import Vacancy, VacancyCreate, VacancyUpdate
    from app.services.vacancies import create_vacancy, update_vacancy

    url, action, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
    engine = make_engine(url)
    with Session(engine) as session:
        if action == "post":
            employer = session.get(Employer, target)
            vacancy = create_vacancy(session, employer, VacancyCreate(
                title="电焊工", occupation="焊工", headcount=5, district_code="330203", pay_min=6000,
                pay_max=8000, valid_until=today_shanghai() + timedelta(days=30)))
        else:
            vacancy = update_vacancy(session, session.get(Vacancy, target), VacancyUpdate(status="closed"))
        session.commit()
        print(vacancy.id)
    engine.dispose()
    """
)


def _other_process(database_url: str, action: str, target: int) -> int:
    done = subprocess.run(
        [sys.executable, "-c", WRITER, database_url, action, str(target)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip())


def _seen_within(client: TestClient, seeker_id: int, who: Actor, present: int | None, absent: int | None) -> float:
    """Seconds until the seeker's matches include ``present`` and exclude ``absent``; fails after 2 s."""
    started = time.monotonic()
    while True:
        response = client.get(f"/api/v1/seekers/{seeker_id}/matches", headers=who.headers)
        assert response.status_code == 200, response.text
        ids = {m["vacancy"]["id"] for m in response.json()}
        waited = time.monotonic() - started
        if (present is None or present in ids) and (absent is None or absent not in ids):
            return waited
        assert waited < 2.0, f"after {waited:.2f} s the matches are still {sorted(ids)}"
        time.sleep(0.05)


def test_a_vacancy_posted_and_closed_by_another_process_shows_within_two_seconds(
    world: World, database_url: str
) -> None:
    station = world.station(region="522325")
    seeker_id = world.seeker(station, skills=[{"name": "电焊", "level": "中级", "years": 4}],
                             preferred_districts=["330203"], expected_pay=6000)
    employer = world.employer(district="330203")
    # This process's index exists before the other process writes: it must learn of the rows, not build.
    first = world.client.get(f"/api/v1/seekers/{seeker_id}/matches", headers=station.headers)
    assert first.status_code == 200 and first.json() == []

    assert employer.id is not None
    posted = _other_process(database_url, "post", employer.id)
    assert _seen_within(world.client, seeker_id, station, present=posted, absent=None) < 2.0

    _other_process(database_url, "close", posted)
    assert _seen_within(world.client, seeker_id, station, present=None, absent=posted) < 2.0
