"""From signals to drop-shipping candidates for a reviewer, never to final determinations.

A store becomes a candidate when enough of its assessed orders carry at least one signal
(``DetectorSettings``). A candidate lists every hit with its evidence and proposes the
``drop_shipping_determined`` event a reviewer may confirm; the detector never feeds that event
to the engine itself, because 2.1's penalties (delisting, listing bans, longer settlement)
should follow a human determination, and the store may hold stock the data does not show.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from ...errors import InputError
from ...i18n import _
from ...rules import Pack, load_pack
from ...timekit import DEFAULT_ZONE, local_date
from . import signals as sig


@dataclass(frozen=True)
class DetectorSettings:
    window_days: int
    min_orders: int
    min_share: float
    home_marketplace: str

    @classmethod
    def default(cls, pack: Pack | None = None, **overrides: Any) -> DetectorSettings:
        """The pack's ``detectors.drop_shipping`` parameters (WeChat Store's by default)."""
        pack = pack or load_pack("wechat_store")
        values = {name.split(".", 1)[1]: p.value for name, p in pack.detectors.items()
                  if name.startswith("drop_shipping.")}
        return cls.from_mapping({**values, **overrides})

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> DetectorSettings:
        try:
            settings = cls(int(raw["window_days"]), int(raw["min_orders"]),
                           float(raw["min_share"]), str(raw["home_marketplace"]))
        except KeyError as err:
            raise InputError(_("missing drop-shipping setting %(value)s")
                             % {"value": err.args[0]}) from None
        except (TypeError, ValueError) as err:
            raise InputError(_("drop-shipping settings: %(err)s") % {"err": err}) from None
        if settings.window_days < 1 or settings.min_orders < 1 or not 0 <= settings.min_share <= 1:
            raise InputError(_("drop-shipping settings: window_days and min_orders must be ≥ 1 "
                               "and min_share within [0, 1]"))
        return settings


@dataclass(frozen=True)
class SignalHit:
    signal: str
    store: str
    order_id: str
    item: str | None
    evidence: Mapping[str, Any]


@dataclass(frozen=True)
class Assessment:
    """One store's drop-shipping assessment at ``as_of``."""

    store: str
    as_of: dt.datetime
    window_start: dt.datetime
    orders_assessed: int
    hits: tuple[SignalHit, ...]
    settings: DetectorSettings
    unassessed: tuple[str, ...] = ()  # signals that could not be computed, and why
    tz: str = field(default=DEFAULT_ZONE, compare=False)

    @property
    def orders_flagged(self) -> int:
        return len({h.order_id for h in self.hits})

    @property
    def share(self) -> float:
        return self.orders_flagged / self.orders_assessed if self.orders_assessed else 0.0

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(sorted({h.item for h in self.hits if h.item}))

    @property
    def is_candidate(self) -> bool:
        return (self.orders_flagged >= self.settings.min_orders
                and self.share >= self.settings.min_share)

    @property
    def candidate_id(self) -> str:
        return f"drop_shipping_determined:{self.store}:store:{local_date(self.as_of, self.tz)}"

    def proposed_event(self) -> dict[str, Any]:
        """The event a reviewer confirms (possibly with fewer items or a ``severe`` flag)."""
        event: dict[str, Any] = {"id": self.candidate_id, "type": "drop_shipping_determined",
                                 "at": self.as_of.isoformat(), "subject": self.store}
        if self.items:
            event["items"] = list(self.items)
        return event

    def to_dict(self) -> dict[str, Any]:
        by_signal: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for hit in self.hits:
            by_signal[hit.signal].append({"order_id": hit.order_id, "item": hit.item,
                                          **hit.evidence})
        return {
            "store": self.store, "status": "candidate" if self.is_candidate else "below_threshold",
            "as_of": self.as_of.isoformat(), "window_start": self.window_start.isoformat(),
            "orders_assessed": self.orders_assessed, "orders_flagged": self.orders_flagged,
            "share": round(self.share, 4), "min_orders": self.settings.min_orders,
            "min_share": self.settings.min_share, "items": list(self.items),
            "signals": dict(by_signal), "unassessed": list(self.unassessed),
            "proposed_event": self.proposed_event() if self.is_candidate else None,
        }


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _hits(con: Any, expr: Any, signal: str, evidence: Sequence[str]) -> list[SignalHit]:
    """Run one signal's expression on ``con`` and turn its rows into hits."""
    table = con.to_pyarrow(expr)
    return [SignalHit(signal, row["store"], row["order_id"], row.get("item"),
                      {k: _iso(row[k]) for k in evidence if row.get(k) is not None})
            for row in table.to_pylist()]


def assess(orders: pa.Table, purchases: pa.Table, parcels: pa.Table | None,
           warehouses: Mapping[str, Iterable[str]], as_of: dt.datetime,
           settings: DetectorSettings, con: Any = None,
           tz: str = DEFAULT_ZONE) -> list[Assessment]:
    """Every store with orders in the window, with its signal hits, sorted by store.

    ``orders`` comes from ``zhili.detect.orders.loading.load_orders``; ``purchases`` and
    ``parcels`` from :mod:`.tables`; ``warehouses`` maps a store to its registered warehouses.
    """
    import ibis

    from ..orders.backends import order_table
    from .tables import load_parcels

    if as_of.tzinfo is None:
        raise InputError(_("as_of must carry a time zone"))
    con = con or ibis.duckdb.connect()
    window = sig.Window(as_of - dt.timedelta(days=settings.window_days), as_of)
    o = order_table(con, orders)
    p = ibis.memtable(purchases)
    parcels = parcels if parcels is not None else load_parcels([])
    pc_ = ibis.memtable(parcels)
    registered = [(s, w) for s, ws in sorted(warehouses.items()) for w in ws]
    wh = ibis.memtable(pa.table({
        "store": pa.array([s for s, _ in registered], pa.string()),
        "warehouse": pa.array([w for _, w in registered], pa.string()),
    }))
    home = settings.home_marketplace
    hits = (
        _hits(con, sig.purchase_after_order(o, p, window), "purchase_after_order",
              ("placed_at", "purchase_id", "purchased_at", "seller", "marketplace"))
        + _hits(con, sig.origin_not_registered(o, pc_, wh, window),
                "origin_not_registered", ("origin",))
        + _hits(con, sig.foreign_waybill_on_parcel(o, pc_, window, home),
                "foreign_waybill", ("tracking_no", "waybill_marketplace", "waybill_account"))
        + _hits(con, sig.foreign_waybill_from_purchase(o, p, window, home),
                "foreign_waybill", ("tracking_no", "purchase_id", "seller", "marketplace"))
    )
    counts = sig.assessed_orders(o, window).group_by("store").agg(n=lambda t: t.count())
    by_store: dict[str, list[SignalHit]] = defaultdict(list)
    for hit in hits:
        by_store[hit.store].append(hit)
    out = []
    for row in sorted(con.to_pyarrow(counts).to_pylist(), key=lambda r: r["store"]):
        store = row["store"]
        unassessed = () if warehouses.get(store) else (
            "origin_not_registered: the store registered no warehouse",)
        store_hits = tuple(sorted(by_store.get(store, []),
                                  key=lambda h: (h.order_id, h.signal, sorted(h.evidence))))
        out.append(Assessment(store, as_of, window.start, int(row["n"]), store_hits, settings,
                              unassessed, tz))
    return out
