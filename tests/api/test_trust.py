"""Trust boundaries: a merchant chooses neither the time nor the id of what it submits.

The world (conftest) holds v1 on c1 at 2026-03-02 10:00 and v2 on c2; the merchant key
speaks for c1. The appeal window is 7 days; requested material is due within 24 hours.
"""

from __future__ import annotations

import pytest


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _appeal(client, keys, **body):
    return client.post("/v1/appeals", headers=auth(keys["merchant"]),
                       json={"subject": "c1", "violation": "v1", **body})


# -- time ------------------------------------------------------------------------------------

def test_an_appeal_filed_weeks_late_cannot_be_backdated_into_the_window(world, clock):
    client, keys, _ = world
    clock.set("2026-03-30 10:00")  # four weeks after v1: the window closed on 03-09
    forged = _appeal(client, keys, at="2026-03-02 11:00")
    assert forged.status_code == 422
    [error] = forged.json()["detail"]
    assert error["loc"] == ["body", "at"] and "服务器时间" in error["msg"]  # zh-CN first
    honest = _appeal(client, keys)
    assert honest.status_code == 201
    assert honest.json()["status"] == "rejected_late"
    assert honest.json()["filed_at"].startswith("2026-03-30T10:00")


def test_backdated_material_does_not_revive_a_lapsed_appeal(world, clock):
    client, keys, _ = world
    clock.set("2026-03-04 09:00")
    appeal = _appeal(client, keys).json()["id"]
    clock.set("2026-03-04 10:00")
    asked = client.post(f"/v1/appeals/{appeal}/material-requests",
                        headers=auth(keys["reviewer"]))
    assert asked.json()["status"] == "awaiting_material"
    clock.set("2026-03-06 10:00")  # the 24 hours ended on 03-05 10:00
    forged = client.post(f"/v1/appeals/{appeal}/materials", headers=auth(keys["merchant"]),
                         json={"at": "2026-03-04 18:00"})
    assert forged.status_code == 422 and forged.json()["detail"][0]["loc"] == ["body", "at"]
    late = client.post(f"/v1/appeals/{appeal}/materials", headers=auth(keys["merchant"]))
    # Submitted at the server's time, after the deadline: the appeal stays lapsed.
    assert late.status_code == 404 or late.json()["status"] == "lapsed"
    state = client.get("/v1/subjects/c1/state", headers=auth(keys["merchant"])).json()
    assert [a["status"] for a in state["appeals"]] == ["lapsed"]


def test_a_merchants_events_take_the_servers_time(world, clock, store_events):
    client, keys, _ = world
    doc = {"type": "document_submitted", "subject": "c1", "doc_type": "qc_report",
           "valid_until": "2027-01-01", "id": "d1"}
    for forged in ("2026-03-01 00:00", "2026-04-01 00:00", "2026-03-10 10:06"):
        response = client.post("/v1/events", json={**doc, "at": forged},
                               headers=auth(keys["merchant"]))
        assert response.status_code == 422, forged
        assert response.json()["detail"][0]["loc"] == ["body", 0, "at"]
    # Within the skew the time is checked, but still the server's that is recorded.
    near = client.post("/v1/events", json={**doc, "at": "2026-03-10 10:03"},
                       headers=auth(keys["merchant"]))
    assert near.status_code == 200, near.text
    (stored,) = [e for e in store_events() if e.type == "document_submitted"]
    assert stored.at == clock.now


def test_platform_imports_keep_their_past_times_but_not_future_ones(world, clock):
    client, keys, _ = world
    admin = auth(keys["admin"])
    base = {"type": "deposit_paid", "subject": "c1", "amount": 100}
    past = client.post("/v1/events", json={**base, "at": "2026-01-05 10:00"}, headers=admin)
    assert past.status_code == 200
    within = client.post("/v1/events", json={**base, "at": "2026-03-10 10:04"}, headers=admin)
    assert within.status_code == 200
    future = client.post("/v1/events", json={**base, "at": "2026-03-10 10:06"}, headers=admin)
    assert future.status_code == 422 and "服务器时间" in future.json()["detail"][0]["msg"]
    decided = client.post("/v1/appeals", headers=admin,
                          json={"subject": "c1", "violation": "v1", "at": "2026-04-01"})
    assert decided.status_code == 422
    absent = client.post("/v1/events", json=base | {"amount": 7}, headers=admin)
    assert absent.status_code == 200  # no `at`: the server's clock
    ahead = {"pack": "aliexpress", "as_of": "2026-03-11 00:00", "orders": [], "record": True}
    recorded = client.post("/v1/orders/assess", json=ahead, headers=admin)
    assert recorded.status_code == 422 and recorded.json()["detail"][0]["loc"] == ["body",
                                                                                  "as_of"]
    simulated = client.post("/v1/orders/assess", json={**ahead, "record": False}, headers=admin)
    assert simulated.status_code == 200  # a simulation may look ahead


# -- ids -------------------------------------------------------------------------------------

def test_a_merchant_cannot_claim_an_id_the_platform_will_use(world, store_events):
    client, keys, _ = world
    doc = {"id": "beta-v9", "type": "document_submitted", "subject": "c1",
           "doc_type": "qc_report", "valid_until": "2027-01-01"}
    mine = client.post("/v1/events", json=doc, headers=auth(keys["merchant"])).json()
    assert mine == {"stored": ["merchant:c1:beta-v9"], "duplicates": []}
    violation = {"id": "beta-v9", "type": "violation", "at": "2026-03-09 10:00",
                 "subject": "c2", "code": "exaggerated_efficacy"}
    platform = client.post("/v1/events", json=violation, headers=auth(keys["admin"])).json()
    assert platform == {"stored": ["beta-v9"], "duplicates": []}
    assert {"beta-v9", "merchant:c1:beta-v9"} <= {e.id for e in store_events()}


def test_duplicates_tell_a_merchant_nothing_about_ids_outside_its_own(world):
    client, keys, _ = world
    doc = {"type": "document_submitted", "subject": "c1", "doc_type": "qc_report",
           "valid_until": "2027-01-01"}
    for probe in ("v1", "v2", "nobody"):  # v1, v2 exist (the platform's); nobody does not
        answer = client.post("/v1/events", json={**doc, "id": probe},
                             headers=auth(keys["merchant"])).json()
        assert answer == {"stored": [f"merchant:c1:{probe}"], "duplicates": []}
    again = client.post("/v1/events", json={**doc, "id": "v1"},
                        headers=auth(keys["merchant"])).json()
    assert again == {"stored": [], "duplicates": ["merchant:c1:v1"]}  # its own retry


def test_the_merchant_namespace_is_reserved(world):
    client, keys, _ = world
    forged = {"id": "merchant:c1:x", "type": "deposit_paid", "at": "2026-03-05",
              "subject": "c1", "amount": 1}
    response = client.post("/v1/events", json=forged, headers=auth(keys["admin"]))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", 0, "id"]


def test_detector_ids_cannot_be_pre_empted(world):
    """A store simulates its own orders, learns the line-freeze ids, and posts them first."""
    import datetime as dt
    import random

    from zhili.api.auth import create_key
    from zhili.demo.orders import generate
    from zhili.timekit import parse_instant

    client, keys, store = world
    store.put_subject("aliexpress", {"id": "ae-home"})
    merchant = auth(create_key(store, "merchant", "ae-home")[1])
    rows = [{k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in r.items()}
            for r in generate(parse_instant("2026-03-10 00:00"), random.Random(3))
            if r["store"] == "ae-home"]
    body = {"pack": "aliexpress", "as_of": "2026-03-10 00:00", "orders": rows}
    simulated = client.post("/v1/orders/assess", json=body, headers=merchant).json()
    ids = [v["id"] for v in simulated["violations"]]
    assert ids
    for vid in ids:
        claim = {"id": vid, "type": "document_submitted", "subject": "ae-home",
                 "doc_type": "qc_report", "valid_until": "2027-01-01"}
        assert client.post("/v1/events", json=claim, headers=merchant).status_code == 200
    recorded = client.post("/v1/orders/assess", json={**body, "record": True},
                           headers=auth(keys["admin"])).json()
    assert recorded["stored"] == ids and recorded["duplicates"] == []


@pytest.mark.parametrize("event", [
    {"type": "appeal_filed", "violation": "v2"},
    {"type": "rectification_completed", "violation": "v2"},
])
def test_a_merchant_cannot_name_another_subjects_violation(world, event):
    client, keys, _ = world
    response = client.post("/v1/events", json={**event, "subject": "c1"},
                           headers=auth(keys["merchant"]))
    assert response.status_code == 404
    own = client.post("/v1/events", json={**event, "subject": "c1", "violation": "v1"},
                      headers=auth(keys["merchant"]))
    assert own.status_code == 200, own.text


def test_a_merchant_cannot_submit_material_to_another_subjects_appeal(world):
    client, keys, _ = world
    other = client.post("/v1/appeals", headers=auth(keys["admin"]),
                        json={"subject": "c2", "violation": "v2"}).json()["id"]
    material = {"type": "material_submitted", "subject": "c1", "appeal": other}
    response = client.post("/v1/events", json=material, headers=auth(keys["merchant"]))
    assert response.status_code == 404
    assert response.json() == client.post(
        "/v1/events", json={**material, "appeal": "nothing"},
        headers=auth(keys["merchant"])).json()


# -- tenant isolation ------------------------------------------------------------------------

def _other_appeal(client, keys) -> str:
    filed = client.post("/v1/appeals", headers=auth(keys["admin"]),
                        json={"subject": "c2", "violation": "v2", "at": "2026-03-04 09:00"})
    return filed.json()["id"]


# Each route naming another tenant's subject or appeal ({other}), as a merchant of c1 sends it.
ACROSS = [
    ("get", "/v1/subjects/{subject}/state", None),
    ("get", "/v1/subjects/{subject}/decisions", None),
    ("get", "/v1/appeals/{appeal}", None),
    ("post", "/v1/appeals/{appeal}/materials", {}),
    ("post", "/v1/appeals", {"subject": "{subject}", "violation": "v2"}),
    ("post", "/v1/events", {"type": "document_submitted", "subject": "{subject}",
                            "doc_type": "qc_report", "valid_until": "2027-01-01"}),
    ("post", "/v1/orders/assess", {"pack": "aliexpress", "as_of": "2026-03-10", "orders": [
        {"order": "o1", "store": "{subject}", "placed_at": "2026-03-01 10:00"}]}),
]


def _fill(value, subject: str, appeal: str):
    if isinstance(value, str):
        return value.replace("{subject}", subject).replace("{appeal}", appeal)
    if isinstance(value, dict):
        return {k: _fill(v, subject, appeal) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, subject, appeal) for v in value]
    return value


@pytest.mark.parametrize(("method", "path", "body"), ACROSS)
def test_another_tenants_things_answer_exactly_like_nothing(world, method, path, body):
    client, keys, _ = world
    other = _other_appeal(client, keys)
    answers = []
    for subject, appeal in (("c2", other), ("nobody", "appeal:nobody:0")):
        kwargs = {"headers": auth(keys["merchant"])}
        if body is not None:
            kwargs["json"] = _fill(body, subject, appeal)
        response = getattr(client, method)(_fill(path, subject, appeal), **kwargs)
        answers.append((response.status_code, response.json()))
    assert answers[0][0] == 404, answers
    assert answers[0] == answers[1]


def test_lists_hold_only_the_merchants_own(world):
    client, keys, _ = world
    _other_appeal(client, keys)
    client.post("/v1/appeals", headers=auth(keys["admin"]),
                json={"subject": "c1", "violation": "v1", "at": "2026-03-04 09:00"})
    merchant = auth(keys["merchant"])
    assert [s["id"] for s in client.get("/v1/subjects", headers=merchant).json()] == ["c1"]
    assert {a["subject"] for a in client.get("/v1/appeals", headers=merchant).json()} == {"c1"}
    everyone = client.get("/v1/appeals", headers=auth(keys["reviewer"])).json()
    assert {a["subject"] for a in everyone} == {"c1", "c2"}
