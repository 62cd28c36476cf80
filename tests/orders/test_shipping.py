"""Tmall/Douyin late_shipment and fake_tracking from the order table."""

import datetime as dt

from zhili.detect.orders import violations_from_orders

from .orderrows import order, table


def test_late_bonded_orders_are_one_determination_per_store_and_day():
    rows = [order(f"o{i}", "s1", 0, bonded=True, line=None) for i in range(3)]
    rows += [order("ok", "s1", 0, bonded=True), order("free", "s1", 0, line=None)]
    (v,) = violations_from_orders(table(rows), "tmall_global", until="2026-03-10")
    assert v.id == "late_shipment:s1:store:2026-03-03"       # 48 h after 03-01 10:00
    assert v.evidence["order_ids"] == ["o0", "o1", "o2"]
    assert violations_from_orders(table(rows), "tmall_global", until="2026-03-03 09:00") == []
    assert violations_from_orders(table(rows), "douyin_global", until="2026-03-10") == []


def test_fake_tracking_reads_invalid_and_duplicate_numbers():
    rows = [order("a", "s1", 0, tracking_no="LP-0000000001", buyer="b1"),
            order("b", "s1", 0, tracking_no="LP-0000000001", buyer="b1"),   # one parcel
            order("c", "s2", 1, tracking_no="LP-0000000001", buyer="b2"),   # another buyer
            order("d", "s2", 1, tracking_no="short"),
            order("e", "s2", 1, tracking_no=None),
            order("f", "s3", 1, tracking_no="ZZ0000000009"),
            order("g", "s3", 1, tracking_no="ZZ0000000009")]              # buyers unknown
    for r in rows[2:]:
        r["ship_notice_at"] = r["placed_at"] + dt.timedelta(hours=1)
    found = {v.id: v for v in violations_from_orders(table(rows), "douyin_global",
                                                     until="2026-03-10")}
    assert set(found) == {"fake_tracking:s1:store:2026-03-02", "fake_tracking:s2:store:2026-03-02",
                          "fake_tracking:s3:store:2026-03-02"}
    s2 = found["fake_tracking:s2:store:2026-03-02"]
    assert s2.evidence["order_ids"] == ["c", "d", "e"] and s2.flags == ("severe",)
    assert found["fake_tracking:s1:store:2026-03-02"].evidence["order_ids"] == ["a", "b"]
    assert found["fake_tracking:s3:store:2026-03-02"].flags == ()
