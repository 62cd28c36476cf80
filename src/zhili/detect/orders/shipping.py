"""Tmall Global / Douyin Global order rules of 天猫国际/抖音全球购违规扣分点 2026-02-10: `late_shipment` and `fake_tracking`.

Both are assessed at the end of each local day, like the AliExpress rules: one determination
per store per day, covering every order that became late, or whose tracking number was found
invalid or duplicated, during that day. The Ibis expressions run on DuckDB or Spark.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import pyarrow as pa
from ibis import _

from ...events import Violation
from .expressions import DayClock, day_numbers
from .thresholds import Thresholds

EVIDENCE_IDS = 50   # order ids listed in a violation's evidence (the count is always complete)


def late_orders(orders: ibis.Table, clock: DayClock, hours: float, cutoff: dt.datetime
                ) -> ibis.Table:
    """Bonded orders with no shipping notice within ``hours``: the day their deadline passed."""
    deadline = orders.placed_at + ibis.interval(seconds=int(hours * 3600))
    t = orders.filter(orders.bonded & (deadline < cutoff)
                      & (orders.ship_notice_at.isnull() | (orders.ship_notice_at > deadline)))
    return t.select(store=t.store, order_id=t.order_id, day=clock.expr(deadline))


def fake_tracking_orders(orders: ibis.Table, clock: DayClock, min_length: int, max_length: int,
                         cutoff: dt.datetime) -> ibis.Table:
    """Shipped orders whose tracking number is invalid or duplicated, with the day it showed.

    Invalid: missing, or not ``min_length``-``max_length`` letters, digits and hyphens.
    Duplicate: one number on orders of different buyers, or on any two orders when a buyer is
    unknown; it shows when the second notice with that number is filed.
    """
    shipped = orders.filter(orders.ship_notice_at.notnull() & (orders.ship_notice_at < cutoff))
    pattern = f"^[A-Za-z0-9-]{{{min_length},{max_length}}}$"
    tn = shipped.tracking_no
    invalid = shipped.filter(tn.isnull() | ~tn.re_search(pattern)).select(
        store=_.store.cast("string"), order_id=_.order_id.cast("string"), day=clock.expr(_.ship_notice_at),
        reason=ibis.literal("invalid"))
    valid = shipped.filter(tn.notnull() & tn.re_search(pattern))
    # Orders of one buyer may share a parcel: a number is duplicated once a second buyer (or an
    # order of an unknown buyer) uses it, at that buyer's first notice.
    valid = valid.mutate(buyer_key=valid.buyer.fill_null("#" + valid.order_id))
    firsts = valid.group_by(["tracking_no", "buyer_key"]).aggregate(first_at=_.ship_notice_at.min())
    w = ibis.window(group_by=firsts.tracking_no, order_by=[firsts.first_at, firsts.buyer_key])
    ranked = firsts.mutate(rn=ibis.row_number().over(w))
    conflict = ranked.filter(ranked.rn == 1).select(
        tracking_no=_.tracking_no, conflict_at=_.first_at)
    dup = valid.join(conflict, "tracking_no")
    shows = ibis.greatest(dup.ship_notice_at, dup.conflict_at)
    dup = dup.select(store=dup.store.cast("string"), order_id=dup.order_id.cast("string"),
                     day=clock.expr(shows), reason=ibis.literal("duplicate"))
    return invalid.union(dup)


def shipping_violations(con: Any, table: ibis.Table, th: Thresholds, clock: DayClock,
                        cutoff: dt.datetime) -> list[Violation]:
    found: list[Violation] = []
    if th.has("late_shipment"):
        hours = float(th.value("late_shipment.hours"))
        rows = day_numbers(con.to_pyarrow(late_orders(table, clock, hours, cutoff)))
        found += _per_store_day(rows, "late_shipment", clock, {"hours": hours}, None)
    if th.has("fake_tracking"):
        lo, hi = int(th.value("fake_tracking.min_length")), int(th.value("fake_tracking.max_length"))
        rows = day_numbers(con.to_pyarrow(fake_tracking_orders(table, clock, lo, hi, cutoff)))
        severe = int(th.value("fake_tracking.severe_orders"))
        found += _per_store_day(rows, "fake_tracking", clock,
                                {"length": [lo, hi], "severe_orders": severe}, severe)
    return found


def _per_store_day(rows: pa.Table, code: str, clock: DayClock, threshold: dict[str, Any],
                   severe_at: int | None) -> list[Violation]:
    """One violation per (store, day) over the orders found that day."""
    if rows.num_rows == 0:
        return []
    keys = ["store", "day", "order_id"]
    rows = rows.sort_by([(k, "ascending") for k in keys])
    out = []
    grouped: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in rows.to_pylist():
        grouped.setdefault((r["store"], int(r["day"])), []).append(r)
    for (store, day), items in sorted(grouped.items()):
        ids = sorted({r["order_id"] for r in items})
        date = clock.date_of(day).isoformat()
        evidence: dict[str, Any] = {"scope": "store", "window": {"start": date, "end": date,
                                                                 "days": 1},
                                    "orders": len(ids), "order_ids": ids[:EVIDENCE_IDS],
                                    "threshold": threshold}
        reasons = sorted({r["reason"] for r in items if r.get("reason")})
        if reasons:
            evidence["reasons"] = {k: sum(1 for r in items if r.get("reason") == k)
                                   for k in reasons}
        flags = ("severe",) if severe_at is not None and len(ids) >= severe_at else ()
        out.append(Violation(id=f"{code}:{store}:store:{date}", at=clock.start_of(day + 1),
                             subject=store, code=code, flags=flags, evidence=evidence))
    return out
