"""/healthz answers while the process lives; /readyz answers 200 only on a reachable, migrated database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient

from app.main import create_app
from app.migrate import alembic_config, head_revision, migrate
from app.settings import Settings


@pytest.fixture
def client_for(tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    """A client for an app on any database URL, with its own key and no background worker."""
    apps = []

    def make(url: str) -> TestClient:
        settings = Settings(database_url=url, var_dir=tmp_path / "var",
                            secret_key=Fernet.generate_key().decode(), allow_generated_secret=False,
                            embedded_worker=False)
        app = create_app(settings)
        apps.append(app)
        return TestClient(app)

    yield make
    for app in apps:
        app.state.engine.dispose()


def _not_ready(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "not_ready" and body["status"] == 503
    assert body["title"] and body["detail"] and body["detail_zh"]


def test_ready_on_a_migrated_database(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready", "revision": head_revision()}


def test_not_ready_on_an_empty_sqlite_file(client_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with client_for(f"sqlite:///{tmp_path / 'empty.db'}") as client:
        assert client.get("/healthz").status_code == 200
        _not_ready(client.get("/readyz"))


def test_not_ready_on_an_older_revision(client_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(url)
    command.downgrade(alembic_config(url), "-1")
    with client_for(url) as client:
        response = client.get("/readyz")
        _not_ready(response)
        assert str(head_revision()) in response.json()["detail"]
    migrate(url)
    with client_for(url) as client:
        assert client.get("/readyz").status_code == 200


def test_not_ready_when_the_database_is_unreachable(client_for) -> None:  # type: ignore[no-untyped-def]
    with client_for("postgresql://jobmatch@127.0.0.1:1/jobmatch") as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        response = client.get("/readyz")
        _not_ready(response)
        assert "127.0.0.1" not in response.text  # the connection string is nobody's business
