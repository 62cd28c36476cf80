"""The drop-shipping detector of 微信小店严打无货源店铺 2026-03-24: signals, evidence, candidates for review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zhili.detect.drop_shipping import (
    DetectorSettings,
    assess,
    load_parcels,
    load_purchases,
)
from zhili.detect.orders.loading import load_orders
from zhili.errors import InputError
from zhili.events import parse_event
from zhili.timekit import parse_instant

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")

AS_OF = parse_instant("2026-05-31 23:59")
SETTINGS = DetectorSettings.default()


def order(oid: str, placed: str, store: str = "s1", tracking: str | None = None) -> dict[str, Any]:
    return {"order_id": oid, "store": store, "placed_at": placed, "ship_notice_at": None,
            "line": "SF", "line_cainiao": False, "line_cainiao_overseas_wh": False,
            "buyer_line_cainiao_overseas_wh": False, "ship_from": "CN", "amount": 99,
            "tracking_no": tracking, "bonded": False, "nrd_at": None, "sold_not_shipped_at": None}


def purchase(pid: str, oid: str | None, at: str, item: str = "sku-1", store: str = "s1",
             **extra: Any) -> dict[str, Any]:
    return {"purchase_id": pid, "store": store, "item": item, "purchased_at": at,
            "order_id": oid, "seller": "factory-9", "marketplace": "1688", **extra}


def run(orders: list[dict[str, Any]], purchases: list[dict[str, Any]],
        parcels: list[dict[str, Any]] | None = None,
        warehouses: dict[str, list[str]] | None = None, **settings: Any) -> dict[str, Any]:
    result = assess(load_orders(orders), load_purchases(purchases),
                    load_parcels(parcels) if parcels is not None else None,
                    warehouses or {}, AS_OF, DetectorSettings.default(**settings))
    return {a.store: a for a in result}


def test_defaults_come_from_the_documented_settings_file() -> None:
    assert DetectorSettings(30, 3, 0.1, "wechat_store") == SETTINGS


def test_purchases_made_after_the_order_are_hits_with_their_evidence() -> None:
    orders = [order(f"o{i}", f"2026-05-1{i} 10:00") for i in range(1, 5)]
    purchases = [purchase(f"p{i}", f"o{i}", f"2026-05-1{i} 12:30") for i in range(1, 4)]
    purchases.append(purchase("p4", "o4", "2026-05-01 09:00"))  # bought before: stock
    store = run(orders, purchases)["s1"]
    assert store.orders_assessed == 4 and store.orders_flagged == 3
    assert store.is_candidate and store.items == ("sku-1",)
    first = store.hits[0]
    assert (first.signal, first.order_id) == ("purchase_after_order", "o1")
    assert first.evidence["purchase_id"] == "p1" and first.evidence["seller"] == "factory-9"
    assert parse_instant(first.evidence["purchased_at"]) == parse_instant("2026-05-11 12:30")


def test_a_candidate_proposes_an_event_the_engine_can_read_but_does_not_apply_it() -> None:
    orders = [order(f"o{i}", f"2026-05-1{i} 10:00") for i in range(1, 4)]
    purchases = [purchase(f"p{i}", f"o{i}", f"2026-05-1{i} 11:00", item=f"sku-{i}")
                 for i in range(1, 4)]
    store = run(orders, purchases)["s1"]
    proposed = store.proposed_event()
    assert proposed["id"] == "drop_shipping_determined:s1:store:2026-05-31"
    event = parse_event(proposed)
    assert event.type == "drop_shipping_determined" and event.items == ("sku-1", "sku-2", "sku-3")
    report = store.to_dict()
    assert report["status"] == "candidate" and report["proposed_event"] == proposed
    assert [h["order_id"] for h in report["signals"]["purchase_after_order"]] == ["o1", "o2", "o3"]


def test_below_either_threshold_is_no_candidate() -> None:
    orders = [order(f"o{i:02d}", "2026-05-10 10:00") for i in range(40)]
    purchases = [purchase(f"p{i}", f"o{i:02d}", "2026-05-10 11:00") for i in range(3)]
    store = run(orders, purchases)["s1"]
    assert store.orders_flagged == 3 and store.share == 3 / 40
    assert not store.is_candidate  # 7.5% < 10%
    assert store.to_dict()["proposed_event"] is None
    assert run(orders[:2], purchases[:2])["s1"].is_candidate is False  # 2 < 3 orders


def test_only_orders_in_the_window_and_facts_known_by_then_count() -> None:
    orders = [order("old", "2026-04-20 10:00"), order("new", "2026-05-30 10:00"),
              order("later", "2026-06-01 10:00")]
    purchases = [purchase("p1", "old", "2026-04-21 10:00"),
                 purchase("p2", "new", "2026-06-02 10:00")]  # after as_of: not yet known
    store = run(orders, purchases)["s1"]
    assert store.orders_assessed == 1 and store.hits == ()


def test_parcels_from_an_unregistered_origin_are_hits_only_where_warehouses_are_known() -> None:
    orders = [order("o1", "2026-05-10 10:00"), order("o2", "2026-05-10 11:00"),
              order("o3", "2026-05-10 12:00", store="s2")]
    parcels = [{"order_id": "o1", "origin": "WH-HZ"}, {"order_id": "o2", "origin": "yiwu-7"},
               {"order_id": "o3", "origin": "yiwu-7"}]
    stores = run(orders, [], parcels, warehouses={"s1": ["WH-HZ", "WH-SZ"]})
    assert [(h.signal, h.order_id, h.evidence) for h in stores["s1"].hits] == [
        ("origin_not_registered", "o2", {"origin": "yiwu-7"})]
    assert stores["s2"].hits == ()
    assert stores["s2"].unassessed == (
        "origin_not_registered: the store registered no warehouse",)


def test_waybills_of_another_marketplace_are_hits_from_parcels_or_purchases() -> None:
    orders = [order("o1", "2026-05-10 10:00", tracking="YT100"),
              order("o2", "2026-05-10 11:00", tracking="SF200"),
              order("o3", "2026-05-10 12:00", tracking="SF300")]
    parcels = [{"order_id": "o1", "waybill_marketplace": "pinduoduo", "waybill_account": "pdd-55"},
               {"order_id": "o3", "waybill_marketplace": "wechat_store", "waybill_account": "s1"}]
    purchases = [purchase("p2", None, "2026-05-09 10:00", tracking_no="SF200",
                          marketplace="taobao")]
    hits = run(orders, purchases, parcels)["s1"].hits
    assert [(h.order_id, h.signal) for h in hits] == [("o1", "foreign_waybill"),
                                                      ("o2", "foreign_waybill")]
    assert hits[0].evidence == {"tracking_no": "YT100", "waybill_marketplace": "pinduoduo",
                                "waybill_account": "pdd-55"}
    assert hits[1].evidence["marketplace"] == "taobao" and hits[1].item == "sku-1"


def test_an_order_with_several_signals_is_flagged_once() -> None:
    orders = [order("o1", "2026-05-10 10:00", tracking="YT1")]
    purchases = [purchase("p1", "o1", "2026-05-10 12:00", tracking_no="YT1")]
    store = run(orders, purchases, min_orders=1)["s1"]
    assert {h.signal for h in store.hits} == {"purchase_after_order", "foreign_waybill"}
    assert store.orders_flagged == 1 and store.is_candidate


def test_purchase_table_errors_name_the_row_and_column(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"purchases\[0\], column purchased_at: expected a date"):
        load_purchases([purchase("p1", "o1", "yesterday")])
    with pytest.raises(InputError, match="duplicate purchase_id 'p1'"):
        load_purchases([purchase("p1", "o1", "2026-05-01 10:00")] * 2)
    csv = tmp_path / "purchases.csv"
    csv.write_text("purchase_id,store,item,purchased_at,colour\np1,s1,i,2026-05-01 10:00,red\n")
    with pytest.raises(InputError, match="purchases.csv: row 1, column colour: unknown purchase"):
        load_purchases(csv)


def test_purchase_csv_reads_like_the_order_table(tmp_path: Path) -> None:
    csv = tmp_path / "purchases.csv"
    csv.write_text("purchase_id,store,item,purchased_at,order_id,quantity\n"
                   "p1,s1,i,2026-05-01 10:00,,\np2,s1,i,2026-05-02T10:00+00:00,o9,4\n")
    table = load_purchases(csv)
    assert table.column("order_id").to_pylist() == [None, "o9"]
    assert table.column("quantity").to_pylist() == [1, 4]
    assert table.column("purchased_at")[1].as_py() == parse_instant("2026-05-02 18:00")


def test_bad_settings_are_refused() -> None:
    with pytest.raises(InputError, match="min_share within"):
        DetectorSettings.default(min_share=2)


def test_a_confirmed_candidate_runs_through_the_wechat_store_pack() -> None:
    from zhili.engine import replay
    from zhili.rules import load_pack

    orders = [order(f"o{i}", f"2026-05-1{i} 10:00") for i in range(1, 4)]
    purchases = [purchase(f"p{i}", f"o{i}", f"2026-05-1{i} 11:00") for i in range(1, 4)]
    confirmed = parse_event(run(orders, purchases)["s1"].proposed_event())
    state = replay([confirmed], load_pack("wechat_store"), {}).state("s1", AS_OF)
    assert [v.code for v in state.violations] == ["drop_shipping"]
    assert [n.kind for n in state.notices] == ["warning"]
    assert [v.id for v in state.violations] == ["drop_shipping_determined:s1:store:2026-05-31"]
