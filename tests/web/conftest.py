"""Fixtures for the pages: the app under a real uvicorn server, and Debian's Chromium driven by Playwright.

The browser is /usr/bin/chromium from Debian (`make test` installs it when it can), never one that a test
tool downloads. Where it is missing the browser tests are skipped with a loud warning; with
JOBMATCH_REQUIRE_BROWSER=1 (CI) they fail instead.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

CHROMIUM = os.environ.get("JOBMATCH_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("JOBMATCH_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
_browser_skipped: list[str] = []


class LiveServer:
    """The app under uvicorn on 127.0.0.1; it can be stopped and started again on the same port, which is
    what a phone sees when the network drops: its open connections break."""

    def __init__(self, app: FastAPI) -> None:
        self.app, self.port, self.url = app, 0, ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off",
                                timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        return self.url

    def stop(self) -> None:
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(timeout=10)


@pytest.fixture
def live_server(app: FastAPI, client) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """`client` empties the tables afterwards."""
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(live_server: LiveServer) -> str:
    return live_server.url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per module. Not per session: Playwright's sync API keeps an asyncio loop running in the
    main thread while it is open, which would break every later test that starts a loop of its own."""
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} not found (Debian package chromium; `make test` installs it as root)"
        if REQUIRE_BROWSER:
            pytest.fail(f"Chromium is required (JOBMATCH_REQUIRE_BROWSER=1): {reason}")
        _browser_skipped.append(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def watch_errors(page: Any) -> list[str]:
    """Script errors and console errors (a Content-Security-Policy violation is one) of a page."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _browser_skipped:
        terminalreporter.section("BROWSER TESTS SKIPPED", sep="!", red=True, bold=True)
        terminalreporter.line(
            f"The pages were not tested in a browser: {_browser_skipped[0]}. "
            "CI sets JOBMATCH_REQUIRE_BROWSER=1 and fails instead.", red=True, bold=True)
