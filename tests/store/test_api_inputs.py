"""The API over every backend: inputs no backend can hold are 4xx alike, never a 500.

PostgreSQL refuses NUL in text and lone surrogates in UTF-8 where SQLite would store them;
year 1 and 9999 overflow instant arithmetic. Each is refused the same way on memory, SQLite and
PostgreSQL, and nothing of the request is stored.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from zhili.api import create_app
from zhili.api.auth import create_key
from zhili.store import open_store
from zhili.timekit import parse_instant

EVENT = {"id": "d1", "type": "deposit_paid", "at": "2026-03-05", "subject": "c1", "amount": 1}
RAW = "application/json"
BAD = [
    ("post", "/v1/events?pack=wechat_channels", {**EVENT, "id": "d\x00"}),
    ("post", "/v1/events?pack=wechat_channels", {**EVENT, "subject": "c\x00"}),
    ("post", "/v1/events?pack=wechat_channels", {**EVENT, "at": "0001-01-02"}),
    ("post", "/v1/events?pack=wechat_channels", {**EVENT, "at": "9999-12-31 23:00"}),
    ("post", "/v1/events?pack=wechat_channels", '{"id": "d1", "type": "content_published", '
     '"at": "2026-03-05", "subject": "c1", "channel": "title", "text": "\\ud800"}'),
    ("put", "/v1/subjects/c1", '{"pack": "wechat_channels", "licence": "L\\udfff"}'),
    ("put", "/v1/subjects/c%00x", {"pack": "wechat_channels"}),
    ("get", "/v1/subjects/c%00x/state", None),
    ("get", "/v1/subjects/c1/state?as_of=0001-01-02", None),
]


@pytest.mark.parametrize(("method", "path", "body"), BAD)
def test_unstorable_input_is_refused_alike_on_every_backend(store_url, method, path, body):
    store = open_store(store_url)
    try:
        app = create_app(store=store, clock=lambda: parse_instant("2026-03-10 10:00"),
                         console=False)
        headers = {"Authorization": f"Bearer {create_key(store, 'admin')[1]}",
                   "content-type": RAW}
        kwargs = {"headers": headers}
        if isinstance(body, str):
            kwargs["content"] = body.encode()
        elif body is not None:
            kwargs["json"] = body
        response = getattr(TestClient(app), method)(path, **kwargs)
        assert response.status_code in (404, 422), response.text
        assert store.events(pack="wechat_channels") == []
        assert all(subject is None or not getattr(subject, "licence", None)
                   for _, subject in store.subjects().values())
    finally:
        store.close()
