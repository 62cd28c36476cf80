"""Every role against every route: who may read, post, appeal and decide."""

from __future__ import annotations

import pytest


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


ROUTES = [
    ("get", "/v1/subjects", None),
    ("put", "/v1/subjects/c9", {"pack": "wechat_channels"}),
    ("post", "/v1/events", {"type": "deposit_paid", "at": "2026-03-04", "subject": "c1",
                            "amount": 100}),
    ("get", "/v1/subjects/c1/state", None),
    ("get", "/v1/subjects/c1/decisions", None),
    ("get", "/v1/appeals", None),
    ("post", "/v1/appeals", {"subject": "c1", "violation": "v1"}),
    ("get", "/v1/appeals/a1", None),
    ("post", "/v1/appeals/a1/material-requests", {}),
    ("post", "/v1/appeals/a1/materials", {}),
    ("post", "/v1/appeals/a1/decision", {"outcome": "granted"}),
    ("post", "/v1/scan", {"text": "最好的面霜"}),
    ("post", "/v1/orders/assess", {"pack": "aliexpress", "as_of": "2026-03-10", "orders": []}),
]

# What each role gets on the routes above, for its own subject (c1) or everyone's.
EXPECTED = {
    "admin": [200, 200, 200, 200, 200, 200, 201, 200, 200, 200, 200, 200, 200],
    "reviewer": [200, 403, 403, 200, 200, 200, 403, 200, 200, 403, 200, 200, 200],
    "merchant": [200, 403, 403, 200, 200, 200, 201, 200, 403, 200, 403, 200, 200],
}


def _call(client, method, path, body, headers):
    kwargs = {"headers": headers}
    if body is not None:
        kwargs["json"] = body
    return getattr(client, method)(path, **kwargs)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_no_key_or_a_wrong_key_is_401(world, method, path, body):
    client, _, _ = world
    assert _call(client, method, path, body, {}).status_code == 401
    bad = _call(client, method, path, body, auth("zk_not-a-key"))
    assert bad.status_code == 401
    assert bad.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_on_each_route(world, role):
    client, keys, _ = world
    seen = []
    for (method, path, body), expected in zip(ROUTES, EXPECTED[role], strict=True):
        if path.startswith("/v1/appeals/a1"):
            path = path.replace("a1", _open_appeal(client, keys, path, role))
        if path == "/v1/appeals" and method == "post" and role != "merchant":
            # The platform may date its records; a merchant's take the server's clock.
            body = {"subject": "c1", "violation": "v1", "at": "2026-03-04 09:00"}
        response = _call(client, method, path, body, auth(keys[role]))
        seen.append((method, path, response.status_code, expected))
    wrong = [s for s in seen if s[2] != s[3]]
    assert not wrong, wrong


def _open_appeal(client, keys, path, role) -> str:
    """A fresh appeal in the state the step needs, filed by the admin."""
    filed = client.post("/v1/appeals", headers=auth(keys["admin"]),
                        json={"subject": "c1", "violation": "v1", "at": "2026-03-04 09:00"})
    appeal = filed.json()["id"]
    if path.endswith("/materials"):
        client.post(f"/v1/appeals/{appeal}/material-requests", headers=auth(keys["admin"]),
                    json={"at": "2026-03-04 10:00"})
    return appeal


def test_merchant_sees_only_its_own_subject(world):
    client, keys, _ = world
    merchant = auth(keys["merchant"])
    listed = client.get("/v1/subjects", headers=merchant).json()
    assert [s["id"] for s in listed] == ["c1"]
    for path in ("/v1/subjects/c2/state", "/v1/subjects/c2/decisions"):
        response = client.get(path, headers=merchant)
        assert response.status_code == 404
        # The same answer as for a subject that does not exist: nothing leaks.
        assert response.json() == client.get(path.replace("c2", "nobody"),
                                             headers=merchant).json()
    assert client.post("/v1/appeals", headers=merchant,
                       json={"subject": "c2", "violation": "v2"}).status_code == 404


def test_merchant_cannot_post_violations_even_on_its_own_subject(world):
    client, keys, store = world
    merchant = auth(keys["merchant"])
    own = {"id": "m1", "type": "violation", "subject": "c1", "code": "counterfeit"}
    refused = client.post("/v1/events", json=own, headers=merchant)
    assert refused.status_code == 403
    assert refused.json()["detail"] == ("商家密钥只能提交申诉、申诉材料、资质文件和整改完成，"
                                        "不能提交 violation")  # Chinese first
    english = client.post("/v1/events?lang=en", json=own, headers=merchant).json()["detail"]
    assert english.startswith("a merchant key may post only appeals")
    other = {**own, "subject": "c2", "type": "document_submitted", "code": None}
    other = {k: v for k, v in other.items() if v is not None} | {
        "doc_type": "qc_report", "valid_until": "2027-01-01"}
    assert client.post("/v1/events", json=other, headers=merchant).status_code == 404
    assert "m1" not in {e.id for e in store.events(pack="wechat_channels")}
    mine = {**other, "subject": "c1", "id": "d1"}
    assert client.post("/v1/events", json=mine, headers=merchant).status_code == 200


def test_appeal_queue_by_role(world):
    client, keys, _ = world
    for sid, vid in (("c1", "v1"), ("c2", "v2")):
        filed = client.post("/v1/appeals", headers=auth(keys["admin"]),
                            json={"subject": sid, "violation": vid, "at": "2026-03-04 09:00"})
        assert filed.status_code == 201, filed.text
    everyone = client.get("/v1/appeals", headers=auth(keys["reviewer"])).json()
    assert sorted(a["subject"] for a in everyone) == ["c1", "c2"]
    own = client.get("/v1/appeals", headers=auth(keys["merchant"])).json()
    assert [a["subject"] for a in own] == ["c1"]
    other = next(a["id"] for a in everyone if a["subject"] == "c2")
    assert client.get(f"/v1/appeals/{other}",
                      headers=auth(keys["merchant"])).status_code == 404
