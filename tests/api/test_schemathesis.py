"""schemathesis against /openapi.json, with an admin key and with a merchant key.

Generated requests never get a 5xx, every answer matches the status codes and the response
schemas the OpenAPI description documents. Bounded in time: a few dozen examples per operation
and key, over an in-memory store holding a small story.
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from zhili.api import create_app
from zhili.api.auth import create_key
from zhili.store import open_store
from zhili.timekit import parse_instant

NOW = parse_instant("2026-03-10 10:00")
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance,
          content_type_conformance]


def _app():
    store = open_store("memory://")
    app = create_app(store=store, clock=lambda: NOW)
    keys = {"admin": create_key(store, "admin")[1],
            "merchant": create_key(store, "merchant", "c1")[1]}
    from fastapi.testclient import TestClient

    seeded = TestClient(app).post("/v1/events?pack=wechat_channels", headers={
        "Authorization": f"Bearer {keys['admin']}"}, json=[
        {"id": "v1", "type": "violation", "at": "2026-03-02 10:00", "subject": "c1",
         "code": "false_health_claim"}])
    assert seeded.status_code == 200, seeded.text
    return app, keys


APP, KEYS = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("role", ["admin", "merchant"])
@schema.parametrize()
@settings(max_examples=25, deadline=dt.timedelta(seconds=5),
          suppress_health_check=list(HealthCheck))
def test_answers_conform_to_the_schema(case, role):
    case.call_and_validate(headers={"Authorization": f"Bearer {KEYS[role]}"}, checks=CHECKS)


REFUSALS = {"401", "403", "404", "413", "422"}


def test_every_operation_documents_its_refusals():
    spec = APP.openapi()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            missing = REFUSALS - set(operation["responses"])
            assert not missing, (method, path, missing)
