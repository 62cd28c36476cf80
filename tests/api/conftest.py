"""An API over an in-memory store, four keys, and a small WeChat Channels story."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from zhili.api import create_app
from zhili.api.auth import create_key
from zhili.engine import Subject
from zhili.store import open_store
from zhili.timekit import parse_instant

NOW = parse_instant("2026-03-10 10:00")


STORY = [
    {"id": "v1", "at": "2026-03-02 10:00", "type": "violation", "subject": "c1",
     "code": "false_health_claim", "item": "sku-9"},
    {"id": "v2", "at": "2026-03-03 11:00", "type": "violation", "subject": "c2",
     "code": "exaggerated_efficacy", "item": "sku-2"},
]


class Clock:
    """The server's clock, as the tests set it: ``clock.set("2026-03-04 09:00")``."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def set(self, text: str) -> None:
        self.now = parse_instant(text)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def world(clock):
    store = open_store("memory://")
    for sid in ("c1", "c2"):
        store.put_subject("wechat_channels", Subject.from_mapping(
            sid, {"kind": "creator", "deposit": 20000}))
    app = create_app(store=store, clock=clock)
    keys = {"admin": create_key(store, "admin")[1],
            "reviewer": create_key(store, "reviewer")[1],
            "merchant": create_key(store, "merchant", "c1")[1]}
    client = TestClient(app)
    response = client.post("/v1/events", json=STORY,
                           headers={"Authorization": f"Bearer {keys['admin']}"})
    assert response.status_code == 200, response.text
    return client, keys, store


@pytest.fixture
def store_events(world):
    """The WeChat Channels events as stored now."""
    _, _, store = world
    return lambda: store.events(pack="wechat_channels")
