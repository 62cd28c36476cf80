"""The drop-shipping signals of 微信小店严打无货源店铺 2026-03-24 as Ibis expressions.

Each signal is one expression over the order, purchase and parcel tables, returning one row
per hit with the columns its evidence needs; the expressions never name a backend (DuckDB by
default, Spark for large tables, see ``zhili.detect.orders.backends``).

- ``purchase_after_order``: the purchase from a third party that fulfils an order was made
  after the customer placed it (the store bought only once it had sold);
- ``origin_not_registered``: the parcel left from a place that is none of the warehouses the
  store registered (assessed only for stores that registered at least one);
- ``foreign_waybill``: the parcel's waybill was created by a seller account on another
  marketplace, either as recorded on the parcel or because the order's tracking number is the
  one a third party created when the store bought the goods elsewhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
from ibis.expr.types import Table

SIGNALS = ("purchase_after_order", "origin_not_registered", "foreign_waybill")


@dataclass(frozen=True)
class Window:
    """The orders assessed: placed in (start, end], and only facts known by ``end``."""

    start: dt.datetime
    end: dt.datetime


def assessed_orders(orders: Table, window: Window) -> Table:
    return orders.filter(
        (orders.placed_at > ibis.literal(window.start))
        & (orders.placed_at <= ibis.literal(window.end))
    ).select("order_id", "store", "placed_at", "tracking_no")


def _known_purchases(purchases: Table, window: Window) -> Table:
    # Columns renamed so that joins with the orders never have two fields of one name.
    known = purchases.filter(purchases.purchased_at <= ibis.literal(window.end))
    return known.select(p_order=known.order_id, p_store=known.store, item=known.item,
                        purchase_id=known.purchase_id, purchased_at=known.purchased_at,
                        seller=known.seller, marketplace=known.marketplace,
                        p_tracking=known.tracking_no)


def _parcels(parcels: Table) -> Table:
    return parcels.rename(parcel_order="order_id")


def purchase_after_order(orders: Table, purchases: Table, window: Window) -> Table:
    o = assessed_orders(orders, window)
    p = _known_purchases(purchases, window)
    joined = o.join(p, [o.order_id == p.p_order, o.store == p.p_store])
    return joined.filter(joined.purchased_at > joined.placed_at).select(
        "order_id", "store", "item", "placed_at", "purchase_id", "purchased_at", "seller",
        "marketplace",
    )


def origin_not_registered(orders: Table, parcels: Table, warehouses: Table,
                          window: Window) -> Table:
    """``warehouses`` has one row per (store, warehouse) registered."""
    o = assessed_orders(orders, window)
    pc = _parcels(parcels)
    joined = o.join(pc, o.order_id == pc.parcel_order)
    hits = joined.filter(joined.origin.notnull()).select("order_id", "store", "item", "origin")
    wh = warehouses.rename(w_store="store")
    registered = hits.semi_join(wh, hits.store == wh.w_store)
    other = wh.view()  # the same table joined a second time needs its own name
    return registered.anti_join(
        other, [registered.store == other.w_store, registered.origin == other.warehouse]
    )


def foreign_waybill_on_parcel(orders: Table, parcels: Table, window: Window,
                              home: str) -> Table:
    o = assessed_orders(orders, window)
    pc = _parcels(parcels)
    joined = o.join(pc, o.order_id == pc.parcel_order)
    return joined.filter(
        joined.waybill_marketplace.notnull() & (joined.waybill_marketplace != home)
    ).select("order_id", "store", "item", "tracking_no", "waybill_marketplace",
             "waybill_account")


def foreign_waybill_from_purchase(orders: Table, purchases: Table, window: Window,
                                  home: str) -> Table:
    o = assessed_orders(orders, window)
    o = o.filter(o.tracking_no.notnull())
    p = _known_purchases(purchases, window)
    p = p.filter(p.p_tracking.notnull() & p.marketplace.notnull() & (p.marketplace != home))
    joined = o.join(p, [o.tracking_no == p.p_tracking, o.store == p.p_store])
    return joined.select("order_id", "store", "item", "tracking_no", "purchase_id", "seller",
                         "marketplace")
