"""Bounded inputs: every oversized or malformed input is a 4xx with its reason, never a 500."""

from __future__ import annotations

import json

import pytest

from zhili.api.limits import MAX_BATCH_EVENTS, MAX_BODY_BYTES


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_batch_over_the_limit_is_413(world):
    client, keys, store = world
    event = {"type": "deposit_paid", "at": "2026-03-05", "subject": "c1", "amount": 1}
    batch = [{**event, "id": f"d{i}"} for i in range(MAX_BATCH_EVENTS + 1)]
    response = client.post("/v1/events", json=batch, headers=auth(keys["admin"]))
    assert response.status_code == 413
    assert f"{MAX_BATCH_EVENTS:,}" in response.json()["detail"]
    assert "d0" not in {e.id for e in store.events(pack="wechat_channels")}
    # Counted before any item is validated: a batch of 10,001 invalid items is a 413 too,
    # not 10,001 validation errors.
    junk = client.post("/v1/events", json=[{}] * (MAX_BATCH_EVENTS + 1),
                       headers=auth(keys["admin"]))
    assert junk.status_code == 413


def test_a_body_over_the_limit_is_413_before_it_is_read_whole(world):
    client, keys, _ = world
    text = "好" * (MAX_BODY_BYTES // 3 + 10)
    response = client.post("/v1/scan", content=json.dumps({"text": text}, ensure_ascii=False),
                           headers={**auth(keys["admin"]), "content-type": "application/json"})
    assert response.status_code == 413 and "MiB" in response.json()["detail"]

    def endless():  # no Content-Length: the stream is cut at the limit
        chunk = b"x" * (1024 * 1024)
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk

    streamed = client.post("/v1/events", content=endless(),
                           headers={**auth(keys["admin"]), "content-type": "application/json"})
    assert streamed.status_code == 413


# A raw JSON escape, so the request carries the lone surrogate exactly as a client would.
SURROGATE = "\\ud800"
LONE = [
    ("post", "/v1/events", '{"type": "content_published", "at": "2026-03-05", "subject": "c1",'
                           ' "channel": "title", "text": "a%s"}'),
    ("post", "/v1/events", '{"type": "deposit_paid", "at": "2026-03-05", "subject": "c%s",'
                           ' "amount": 1}'),
    ("put", "/v1/subjects/c1", '{"pack": "wechat_channels", "licence": "L%s"}'),
    ("post", "/v1/scan", '{"text": "最好%s"}'),
    ("post", "/v1/appeals", '{"subject": "c1", "violation": "v%s"}'),
]


@pytest.mark.parametrize(("method", "path", "body"), LONE)
def test_a_lone_surrogate_is_422(world, method, path, body):
    client, keys, _ = world
    response = getattr(client, method)(
        path, content=(body % SURROGATE).encode(),
        headers={**auth(keys["admin"]), "content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert "代理字符" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize("field", ["id", "subject"])
def test_a_nul_byte_in_an_id_or_subject_is_422(world, field):
    client, keys, _ = world
    event = {"id": "n1", "type": "deposit_paid", "at": "2026-03-05", "subject": "c1",
             "amount": 1, field: "c\x00x"}
    response = client.post("/v1/events", json=event, headers=auth(keys["admin"]))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_ids_and_subjects_over_their_length_are_422(world):
    client, keys, _ = world
    event = {"type": "deposit_paid", "at": "2026-03-05", "subject": "c1", "amount": 1}
    for field, value in (("id", "i" * 81), ("subject", "s" * 101)):
        response = client.post("/v1/events?pack=wechat_channels",
                               json={**event, field: value}, headers=auth(keys["admin"]))
        assert response.status_code == 422, field
    long_subject = client.put("/v1/subjects/" + "s" * 101, json={"pack": "wechat_channels"},
                              headers=auth(keys["admin"]))
    assert long_subject.status_code == 422


@pytest.mark.parametrize("instant", ["0001-01-02", "1999-12-31 23:00", "2101-01-01",
                                     "9999-12-31 23:00"])
def test_instants_outside_the_years_2000_to_2100_are_422(world, instant):
    client, keys, _ = world
    admin = auth(keys["admin"])
    event = {"type": "deposit_paid", "at": instant, "subject": "c1", "amount": 1}
    posted = client.post("/v1/events", json=event, headers=admin)
    assert posted.status_code == 422 and "2000-2100" in posted.text
    for path in ("/v1/subjects/c1/state", "/v1/subjects/c1/decisions", "/v1/appeals"):
        response = client.get(path, params={"as_of": instant}, headers=admin)
        assert response.status_code == 422, path
    orders = client.post("/v1/orders/assess", headers=admin,
                         json={"pack": "aliexpress", "as_of": instant, "orders": []})
    assert orders.status_code == 422


def test_the_console_answers_a_bad_as_of_with_a_page_not_a_500(world):
    client, keys, _ = world
    signed_in = client.post("/login", data={"key": keys["admin"]}, follow_redirects=False)
    assert signed_in.status_code == 303
    for path in ("/subjects", "/subjects/c1"):
        response = client.get(path, params={"as_of": "0001-01-02"})
        assert response.status_code == 422 and "as_of" in response.text


def test_main_is_a_boolean_not_a_number(world):
    client, keys, _ = world
    response = client.put("/v1/subjects/c1", json={"pack": "wechat_channels", "main": 0},
                          headers=auth(keys["admin"]))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "main"]
