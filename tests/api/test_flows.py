"""What the API promises beyond access: atomic batches, clear 422s, the appeal flow."""

from __future__ import annotations

import pytest

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")


def sign_in(client, key: str) -> None:
    response = client.post("/login", data={"key": key}, follow_redirects=False)
    assert response.status_code == 303, response.text


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_an_invalid_event_names_its_field_and_stores_nothing_of_the_batch(world):
    client, keys, store = world
    before = len(store.events(pack="wechat_channels"))
    batch = [{"id": "ok1", "type": "deposit_paid", "at": "2026-03-05", "subject": "c1",
              "amount": 500},
             {"id": "bad", "type": "content_published", "at": "2026-03-05", "subject": "c1",
              "channel": "radio", "text": "hi"}]
    response = client.post("/v1/events", json=batch, headers=auth(keys["admin"]))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", 1, "channel"]
    assert "expected one of" in error["msg"]
    assert len(store.events(pack="wechat_channels")) == before


def test_duplicates_are_accepted_and_ignored(world):
    client, keys, store = world
    event = {"id": "dep", "type": "deposit_paid", "at": "2026-03-05", "subject": "c1",
             "amount": 500}
    first = client.post("/v1/events", json=event, headers=auth(keys["admin"])).json()
    again = client.post("/v1/events", json=[event, event], headers=auth(keys["admin"])).json()
    assert first == {"stored": ["dep"], "duplicates": []}
    assert again["stored"] == [] and set(again["duplicates"]) == {"dep"}


def test_new_subjects_need_a_pack_and_a_batch_has_one_pack(world):
    client, keys, _ = world
    new = {"type": "deposit_paid", "at": "2026-03-05", "subject": "s-new", "amount": 1}
    missing = client.post("/v1/events", json=new, headers=auth(keys["admin"]))
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "pack"]
    unknown = client.post("/v1/events?pack=nope", json=new, headers=auth(keys["admin"]))
    assert unknown.status_code == 422
    ok = client.post("/v1/events?pack=wechat_channels", json=new, headers=auth(keys["admin"]))
    assert ok.status_code == 200
    assert client.get("/v1/subjects/s-new/state",
                      headers=auth(keys["reviewer"])).status_code == 200


def test_state_as_of_and_decisions_with_explanations(world):
    client, keys, _ = world
    before = client.get("/v1/subjects/c1/state?as_of=2026-03-01 00:00",
                        headers=auth(keys["merchant"]))
    assert before.status_code == 200
    after = client.get("/v1/subjects/c1/state?as_of=2026-03-02 10:01",
                       headers=auth(keys["merchant"])).json()
    assert after["scores"]["credit"] == 8 and after["fees"] == 2000
    assert {"suspend_new_listings", "delist_item:sku-9"} <= {s["name"] for s in
                                                            after["sanctions"]}
    bad = client.get("/v1/subjects/c1/state?as_of=yesterday", headers=auth(keys["admin"]))
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "as_of"]
    decisions = client.get("/v1/subjects/c1/decisions", headers=auth(keys["admin"])).json()
    assert "As-Of" not in client.get("/v1/subjects/c1/decisions",
                                     headers=auth(keys["admin"])).headers
    deduction = next(d for d in decisions if d["kind"] == "deduction")
    assert deduction["cause"] == "v1" and deduction["explanation"]["text"]
    assert deduction["explanation"]["source"] or deduction["explanation"]["assumption"]


def test_appeal_flow_with_working_day_deadline_and_a_grant_that_voids(world, clock):
    client, keys, _ = world
    merchant, reviewer = auth(keys["merchant"]), auth(keys["reviewer"])
    # Filed on Wednesday 2026-03-04 09:00: due 5 working days later, Wednesday 03-11.
    clock.set("2026-03-04 09:00")
    filed = client.post("/v1/appeals", headers=merchant,
                        json={"subject": "c1", "violation": "v1"})
    assert filed.status_code == 201
    appeal = filed.json()
    assert appeal["status"] == "open" and appeal["due"].startswith("2026-03-11T09:00")
    path = f"/v1/appeals/{appeal['id']}"
    clock.set("2026-03-06 10:00")
    asked = client.post(f"{path}/material-requests", headers=reviewer,
                        json={"at": "2026-03-04 10:00"}).json()
    assert asked["status"] == "awaiting_material"
    clock.set("2026-03-04 18:00")
    answered = client.post(f"{path}/materials", headers=merchant).json()
    assert answered["status"] == "open"
    clock.set("2026-03-06 10:00")
    granted = client.post(f"{path}/decision", headers=reviewer,
                          json={"outcome": "granted", "at": "2026-03-06 10:00"}).json()
    assert granted["status"] == "granted"
    state = client.get("/v1/subjects/c1/state?as_of=2026-03-06 10:01", headers=merchant).json()
    assert state["scores"]["credit"] == 12 and state["violations"] == []


def test_scan_maps_findings_to_the_packs_rules(world):
    client, keys, _ = world
    found = client.post("/v1/scan", headers=auth(keys["merchant"]),
                        json={"text": "三天瘦十斤，加薇信 abc_12345", "pack": "wechat_channels",
                              "channel": "live"}).json()["findings"]
    rules = {f["finding"]: f["rule"] for f in found}
    assert rules.get("efficacy_promise") == "exaggerated_efficacy"
    assert rules.get("off_platform_contact") == "off_platform_inducement"
    text = "三天瘦十斤，加薇信 abc_12345"
    assert all(text[f["start"]:f["end"]] == f["text"] for f in found)


def test_scan_reads_reviews_for_contact_only(world):
    """``source``: the seller's own copy by default; a buyer's review is held to the contact and
    spam rules only (the Advertising Law does not bind what buyers write)."""
    client, keys, _ = world
    text = "这是我买过最好的面霜，加我薇信abc_666"

    def findings(**extra):
        answer = client.post("/v1/scan", headers=auth(keys["merchant"]),
                             json={"text": text, "pack": "wechat_channels", **extra})
        assert answer.status_code == 200, answer.text
        return {f["finding"] for f in answer.json()["findings"]}

    assert findings() == findings(source="seller") == {"extreme_word", "off_platform_contact"}
    assert findings(source="review") == {"off_platform_contact"}
    refused = client.post("/v1/scan", headers=auth(keys["merchant"]),
                          json={"text": text, "source": "buyer"})
    assert refused.status_code == 422


def test_recorded_order_assessment_stores_violations_and_charts_lines(world):
    import datetime as dt
    import random

    from zhili.api.line_watch import has_orders
    from zhili.demo.orders import generate
    from zhili.timekit import parse_instant

    client, keys, store = world
    end = parse_instant("2026-03-10 00:00")
    rows = [{k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in r.items()}
            for r in generate(end, random.Random(3)) if r["store"] == "ae-home"]
    body = {"pack": "aliexpress", "as_of": "2026-03-10 00:00", "orders": rows, "record": True}
    denied = client.post("/v1/orders/assess", json=body, headers=auth(keys["reviewer"]))
    assert denied.status_code == 403
    simulated = client.post("/v1/orders/assess", json={**body, "record": False},
                            headers=auth(keys["reviewer"])).json()
    assert any(v["code"] == "line_nrd_rate" for v in simulated["violations"])
    recorded = client.post("/v1/orders/assess", json=body, headers=auth(keys["admin"])).json()
    assert recorded["stored"] == [v["id"] for v in simulated["violations"]]
    assert has_orders(store, "ae-home")
    lines = [v for v in simulated["violations"] if v["code"] == "line_nrd_rate"]
    for v in lines:  # each recorded violation froze its line from its own instant on
        state = client.get("/v1/subjects/ae-home/state", params={"as_of": v["at"]},
                           headers=auth(keys["admin"])).json()
        assert f"freeze_logistics_line:{v['evidence']['scope']}" in {
            s["name"] for s in state["sanctions"]}


def test_recording_generated_orders_charts_every_store_on_the_logistics_page(world, tmp_path):
    """`zhili generate orders` writes sold-not-shipped rows with no line, and stores with no
    violation (so no event and no registered subject): both must record and chart."""
    import datetime as dt

    import pyarrow.parquet as pq

    from zhili.detect.orders.generate import generate_orders

    client, keys, _ = world
    path = tmp_path / "orders.parquet"
    generate_orders(path, stores=3, days=40, seed=1, orders=1500)
    rows = [{k: (v.isoformat() if isinstance(v, dt.datetime) else
                 str(v) if k == "amount" else v) for k, v in r.items()}
            for r in pq.read_table(path).to_pylist()]
    assert any(r["line"] is None for r in rows)
    body = {"pack": "aliexpress", "as_of": "2026-02-09 23:59", "orders": rows, "record": True}
    recorded = client.post("/v1/orders/assess", json=body, headers=auth(keys["admin"]))
    assert recorded.status_code == 200, recorded.text
    sign_in(client, keys["admin"])
    page = client.get("/logistics")
    assert page.status_code == 200
    assert "No order assessments recorded yet" not in page.text
    stores = sorted({r["store"] for r in rows})
    for store in stores:
        one = client.get("/logistics", params={"subject": store})
        assert one.status_code == 200 and store in one.text
    sign_in(client, keys["merchant"])
    merchant = client.get("/logistics", params={"subject": stores[0]})
    assert merchant.status_code == 404   # another store's panel is not a merchant's to see
