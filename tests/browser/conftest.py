"""A live server over the demo dataset, and Debian's chromium driven by Playwright.

Without chromium these tests skip and say why, except in CI (``CI=true``), where a missing
browser is a failure: the console must be tested there.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """The demo dataset in a fresh SQLite file, served by uvicorn on a loopback port."""
    import uvicorn

    from zhili.api import create_app
    from zhili.demo import build_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    built = build_demo(url)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(url), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the demo server did not start within 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", built
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    """Screenshots go under pytest's temporary folder (printed at the end of the run)."""
    return tmp_path_factory.mktemp("screenshots")
