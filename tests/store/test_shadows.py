"""The shadow registry on every backend (see conftest.BACKENDS): kept, listed, removed."""

from __future__ import annotations

import datetime as dt

import pytest

from zhili.errors import InputError
from zhili.store import EventStore, open_store

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")

UTC = dt.UTC
T0 = dt.datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def test_a_shadow_is_kept_listed_by_pack_and_removed(store: EventStore):
    store.put_shadow("nrd8", "aliexpress", {"params": {"line.rate": 0.08}}, T0)
    store.put_shadow("fees", "wechat_channels", {"params": {"bands.fee_mode": "per_entry"}},
                     T0 + dt.timedelta(hours=1))
    store.put_shadow("draft", "wechat_channels", {"pack_file": "pack: wechat_channels\n",
                                                  "file": "草案.yaml"}, T0)
    assert [s.id for s in store.shadows()] == ["draft", "nrd8", "fees"]
    (found,) = store.shadows("aliexpress")
    assert (found.id, found.pack, dict(found.candidate)) == (
        "nrd8", "aliexpress", {"params": {"line.rate": 0.08}})
    assert found.created == T0
    assert store.shadows("wechat_channels")[0].candidate["file"] == "草案.yaml"
    assert store.remove_shadow("nrd8") is True
    assert store.remove_shadow("nrd8") is False
    assert [s.id for s in store.shadows()] == ["draft", "fees"]


def test_a_shadow_id_is_registered_once(store: EventStore):
    store.put_shadow("s1", "wechat_channels", {"params": {"a": 1}}, T0)
    with pytest.raises(InputError, match="already registered"):
        store.put_shadow("s1", "wechat_channels", {"params": {"a": 2}}, T0)
    assert store.shadows()[0].candidate == {"params": {"a": 1}}


@pytest.mark.parametrize(("sid", "pack", "candidate", "path"), [
    ("", "wechat_channels", {"params": {"a": 1}}, "id"),
    ("has space", "wechat_channels", {"params": {"a": 1}}, "id"),
    ("x" * 65, "wechat_channels", {"params": {"a": 1}}, "id"),
    ("ok", " ", {"params": {"a": 1}}, "pack"),
    ("ok", "wechat_channels", {}, "candidate"),
    ("ok", "wechat_channels", {"pack_file": "a\ud800b"}, None),
])
def test_bad_shadows_are_refused_alike(store: EventStore, sid, pack, candidate, path):
    with pytest.raises(InputError) as err:
        store.put_shadow(sid, pack, candidate, T0)
    assert err.value.path == path
    assert store.shadows() == []


def test_shadows_outlive_the_process_handle(store_url: str):
    if store_url == "memory://":
        pytest.skip("the memory store lives and dies with its object")
    first = open_store(store_url)
    first.put_shadow("s1", "wechat_channels", {"version": "2025.12.0"}, T0)
    first.close()
    again = open_store(store_url)
    try:
        assert [(s.id, dict(s.candidate)) for s in again.shadows()] == [
            ("s1", {"version": "2025.12.0"})]
    finally:
        again.close()
