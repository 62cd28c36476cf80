"""A console over an in-memory store holding a synthetic portfolio, signed in as an admin."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from zhili.api import create_app
from zhili.api.auth import create_key
from zhili.demo.crowd import load_crowd
from zhili.store import StateService, open_store
from zhili.timekit import parse_instant

NOW = parse_instant("2026-06-30 12:00")


@pytest.fixture(scope="module")
def console():
    store = open_store("memory://")
    states = StateService(store)
    counts = load_crowd(store, states, 60, NOW)
    app = create_app(store=store, states=states, clock=lambda: NOW)
    client = TestClient(app)
    key = create_key(store, "admin")[1]
    assert client.post("/login", data={"key": key}, follow_redirects=False).status_code == 303
    return client, counts, store
