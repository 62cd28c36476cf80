"""Shadows over the API: admin-only registry, no effect on live answers, impact's differences."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from zhili.api import create_app
from zhili.api.auth import create_key
from zhili.events import event_to_dict
from zhili.histories import parse_history, read_yaml
from zhili.impact import compare
from zhili.rules import load_pack
from zhili.store import open_store
from zhili.timekit import parse_instant

from .conftest import Clock

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parents[2]
PACK = "wechat_channels"
PER_ENTRY = {"id": "per-entry", "pack": PACK,
             "candidate": {"params": {"bands.fee_mode": "per_entry"}}}
END = parse_instant("2026-06-30 12:00")
NOW = parse_instant("2026-12-31 12:00")  # the server's clock: after every example event


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def example():
    raw = read_yaml(ROOT / "examples" / "history.yaml")
    raw.setdefault("pack", PACK)
    return parse_history(raw, "history.yaml", "")


def server(*, shadow: bool):
    """The example history's subjects in a fresh store, an admin key, and (with ``shadow``)
    the per-entry fee candidate registered before any event arrives."""
    _, subjects, _ = example()
    store = open_store("memory://")
    for subject in subjects.values():
        store.put_subject(PACK, subject)
    client = TestClient(create_app(store=store, clock=Clock(NOW)))
    key = create_key(store, "admin")[1]
    if shadow:
        assert client.post("/v1/admin/shadows", json=PER_ENTRY,
                           headers=auth(key)).status_code == 201
    return client, auth(key), store


def test_an_admin_registers_lists_reads_and_removes_a_shadow(world):
    client, keys, _ = world
    admin = auth(keys["admin"])
    made = client.post("/v1/admin/shadows", json=PER_ENTRY, headers=admin)
    assert made.status_code == 201, made.text
    assert made.json() | {"created": None} == {
        "id": "per-entry", "pack": PACK, "kind": "params", "version": None, "file": None,
        "params": {"bands.fee_mode": "per_entry"}, "created": None}
    draft = (ROOT / "src/zhili/packs/wechat_channels/pack.yaml").read_text(encoding="utf-8")
    drafted = client.post("/v1/admin/shadows", headers=admin, json={
        "id": "draft", "pack": PACK, "candidate": {"pack_file": draft, "file": "草案.yaml"}})
    assert drafted.json()["kind"] == "pack_file" and drafted.json()["file"] == "草案.yaml"
    # Oldest first; both were made at the server's (fixed) clock, so by id.
    assert [s["id"] for s in client.get("/v1/admin/shadows", headers=admin).json()] == [
        "draft", "per-entry"]
    assert client.get("/v1/admin/shadows?pack=aliexpress", headers=admin).json() == []
    assert client.get("/v1/admin/shadows/draft", headers=admin).json()["id"] == "draft"
    assert client.delete("/v1/admin/shadows/draft", headers=admin).status_code == 204
    assert client.delete("/v1/admin/shadows/draft", headers=admin).status_code == 404
    assert client.get("/v1/admin/shadows/draft", headers=admin).status_code == 404
    assert client.get("/v1/admin/shadows/draft/comparison", headers=admin).status_code == 404


@pytest.mark.parametrize(("body", "where"), [
    ({**PER_ENTRY, "candidate": {"params": {"bands.no_such": 1}}}, "candidate"),
    ({**PER_ENTRY, "candidate": {}}, "candidate"),
    ({**PER_ENTRY, "candidate": {"version": "1999.1"}}, "candidate"),
    ({**PER_ENTRY, "candidate": {"pack_file": "pack: aliexpress\n"}}, "candidate"),
    ({**PER_ENTRY, "pack": "no_such_pack"}, "pack"),
    ({**PER_ENTRY, "id": "has space"}, "id"),
])
def test_a_bad_shadow_is_refused_naming_the_field(world, body, where):
    client, keys, store = world
    refused = client.post("/v1/admin/shadows", json=body, headers=auth(keys["admin"]))
    assert refused.status_code == 422, refused.text
    assert where in refused.json()["detail"][0]["loc"]
    assert store.shadows() == []


def test_an_id_is_registered_once(world):
    client, keys, _ = world
    admin = auth(keys["admin"])
    assert client.post("/v1/admin/shadows", json=PER_ENTRY, headers=admin).status_code == 201
    again = client.post("/v1/admin/shadows", json=PER_ENTRY, headers=admin)
    assert again.status_code == 422 and "already registered" in again.text


@pytest.mark.parametrize("role", ["reviewer", "merchant"])
def test_only_admins_reach_shadows(world, role):
    client, keys, _ = world
    assert client.post("/v1/admin/shadows", json=PER_ENTRY,
                       headers=auth(keys["admin"])).status_code == 201
    for method, path, body in [("post", "/v1/admin/shadows", PER_ENTRY),
                               ("get", "/v1/admin/shadows", None),
                               ("get", "/v1/admin/shadows/per-entry", None),
                               ("get", "/v1/admin/shadows/per-entry/comparison", None),
                               ("delete", "/v1/admin/shadows/per-entry", None)]:
        kwargs = {"headers": auth(keys[role])} | ({"json": body} if body else {})
        assert getattr(client, method)(path, **kwargs).status_code == 403, (method, path)
        assert getattr(client, method)(path, **(kwargs | {"headers": {}})).status_code == 401


def test_a_shadow_changes_nothing_in_the_live_answers():
    """The same events into a store with a shadow (compared between batches) and one
    without: every live answer is the same, and the shadow stored no decision."""
    _, _, events = example()
    with_shadow, admin, store = server(shadow=True)
    without, plain, bare = server(shadow=False)
    batches = [events[i:i + 7] for i in range(0, len(events), 7)]
    for batch in batches:
        wire = [event_to_dict(e) for e in batch]
        posted = with_shadow.post("/v1/events", json=wire, headers=admin)
        assert posted.status_code == 200, posted.text
        assert posted.json() == without.post("/v1/events", json=wire, headers=plain).json()
        compared = with_shadow.get("/v1/admin/shadows/per-entry/comparison", headers=admin)
        assert compared.status_code == 200, compared.text
    assert compared.json()["summary"]["changed"] > 0  # the candidate does decide otherwise
    for sid in store.subjects(PACK):
        for what in ("state", "decisions"):
            for at in ("2026-03-05 12:00", "2026-06-30 12:00"):
                path = f"/v1/subjects/{sid}/{what}?as_of={at}"
                assert with_shadow.get(path, headers=admin).json() == \
                    without.get(path, headers=plain).json()
    assert store.decisions() == bare.decisions()
    assert store.events(pack=PACK) == bare.events(pack=PACK)


def test_the_shadow_differs_exactly_as_impact_computes():
    """The comparison is what zhili impact computes over the stored events."""
    _, subjects, events = example()
    client, admin, store = server(shadow=True)
    posted = client.post("/v1/events", json=[event_to_dict(e) for e in events], headers=admin)
    assert posted.status_code == 200, posted.text
    got = client.get("/v1/admin/shadows/per-entry/comparison?as_of=2026-06-30 12:00",
                     headers=admin).json()
    impact = compare(store.events(pack=PACK), subjects, load_pack(PACK),
                     load_pack(PACK, {"bands.fee_mode": "per_entry"}), END, whole=True)
    diffs = [d.to_dict() for d in impact.subjects]
    assert got["summary"] == impact.summary.to_dict() and impact.summary.changed > 0
    assert got["subjects"] == diffs
    assert got["changes"] == [c.to_dict(END) for c in impact.changes]
    assert got["timeline"][-1]["changed"] == impact.summary.changed
    one = client.get("/v1/admin/shadows/per-entry/comparison?as_of=2026-06-30 12:00"
                     f"&subject={diffs[0]['subject']}", headers=admin).json()
    assert one["subjects"] == diffs[:1] and one["timeline"] == []
    assert client.get("/v1/admin/shadows/per-entry/comparison?subject=nobody",
                      headers=admin).status_code == 404
