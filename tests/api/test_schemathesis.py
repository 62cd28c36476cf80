"""schemathesis against /openapi.json: generated requests never get a 5xx.

Bounded in time: a few dozen examples per operation, each with the admin key (the widest
access, so requests reach the deepest code), over an in-memory store holding a small story.
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from zhili.api import create_app
from zhili.api.auth import create_key
from zhili.store import open_store
from zhili.timekit import parse_instant

NOW = parse_instant("2026-03-10 10:00")


def _app():
    store = open_store("memory://")
    app = create_app(store=store, clock=lambda: NOW)
    key = create_key(store, "admin")[1]
    from fastapi.testclient import TestClient

    seeded = TestClient(app).post("/v1/events?pack=wechat_channels", headers={
        "Authorization": f"Bearer {key}"}, json=[
        {"id": "v1", "type": "violation", "at": "2026-03-02 10:00", "subject": "c1",
         "code": "false_health_claim"}])
    assert seeded.status_code == 200, seeded.text
    return app, key


APP, KEY = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.mark.timeout(300)
@schema.parametrize()
@settings(max_examples=30, deadline=dt.timedelta(seconds=5),
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    case.call_and_validate(headers={"Authorization": f"Bearer {KEY}"},
                           checks=[not_a_server_error])
