"""The AliExpress fulfilment rules of RULES 5.1-5.3 as scope families over the aggregate.

A *family* is a kind of assessed scope (a line, an overseas ship-from country, a store's
self-fulfilled orders) with the sanction that freezes it and the triggers assessed on it. The
ship-from family has two triggers (NRD, sold-not-shipped) that share one freeze.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .series import Counts, Threshold, qualify_days, streak_hits, window_series
from .thresholds import Thresholds


@dataclass(frozen=True)
class Trigger:
    code: str
    event_col: str            # nrd_day | sns_day
    event_name: str           # how people call the counted event
    threshold: Threshold
    window: int               # days of placed orders in the window (streak: lookback)
    streak_days: int = 0      # 0: a window rate; k: k consecutive qualifying days

    def hit_days(self, c: Counts, floor: np.ndarray | int = 0) -> np.ndarray:
        """For each scope and assessment day: whether this trigger hits (shape scopes × days)."""
        if self.streak_days:
            found = streak_hits(qualify_days(c, self.threshold, floor), self.streak_days,
                                self.window, floor)
            hits = np.zeros((c.n_scopes, c.n_days), bool)
            s, p = np.nonzero(found >= 0)
            hits[s, found[s, p]] = True
            return hits
        den, num = window_series(c, self.window, floor)
        return self.threshold.hit(num, den)


@dataclass(frozen=True)
class Family:
    name: str                 # line | ship_from | store
    member: str               # membership column of the aggregate
    scope_col: str | None     # aggregate column naming the scope; None: the store itself
    sanction: str
    triggers: tuple[Trigger, ...]

    def sanction_name(self, scope: str) -> str:
        return self.sanction if self.scope_col is None else f"{self.sanction}:{scope}"


def aliexpress_families(th: Thresholds) -> tuple[Family, ...]:
    window = int(th.value("window_days"))

    def rate(code: str, col: str, name: str) -> Trigger:
        return Trigger(code, col, name, Threshold.of(th.value(f"{code}.rate"),
                                                     th.value(f"{code}.min_count")), window)

    streak = Trigger("store_nrd_streak", "nrd_day", "NRD disputes",
                     Threshold.of(th.value("store_nrd_streak.rate"),
                                  th.value("store_nrd_streak.min_count")),
                     int(th.value("store_nrd_streak.lookback_days")),
                     int(th.value("store_nrd_streak.days")))
    return (
        Family("line", "in_line", "line", "freeze_logistics_line",
               (rate("line_nrd_rate", "nrd_day", "NRD disputes"),)),
        Family("ship_from", "in_ship_from", "ship_from", "freeze_ship_from",
               (rate("ship_from_nrd_rate", "nrd_day", "NRD disputes"),
                rate("ship_from_sold_not_shipped", "sns_day", "sold-not-shipped orders"))),
        Family("store", "in_store", None, "freeze_non_cainiao_lines", (streak,)),
    )


@dataclass
class FamilyCounts:
    """One family's aggregate: its scopes (store, scope) and per-trigger counts."""

    family: Family
    keys: list[tuple[str, str]]
    counts: dict[str, Counts] = field(default_factory=dict)
    _offsets: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def only(self, code: str, scope: int) -> Counts:
        """One scope's rows, sliced from rows sorted by scope (no scan of the whole family)."""
        c = self.counts[code]
        o_off, e_off = self._offsets[code]
        o = slice(o_off[scope], o_off[scope + 1])
        e = slice(e_off[scope], e_off[scope + 1])
        return Counts(1, c.n_days, np.zeros(o.stop - o.start, np.int64), c.order_day[o],
                      c.order_n[o], np.zeros(e.stop - e.start, np.int64), c.event_placed[e],
                      c.event_day[e], c.event_n[e])


def family_counts(agg: pa.Table, family: Family, day0: int, n_days: int) -> FamilyCounts:
    rows = agg.filter(pc.field(family.member))
    scope = (rows.column(family.scope_col) if family.scope_col
             else pa.array(["store"] * rows.num_rows, pa.string()))
    rows = rows.append_column("scope", scope)
    scope_col = "scope"
    orders = rows.group_by(["store", scope_col, "placed_day"], use_threads=False).aggregate(
        [("n", "sum")])
    key = _key(orders, scope_col)
    names = pc.unique(key)
    names = names.take(pc.sort_indices(names))
    keys = [(k.split("\x1f", 1)[0], k.split("\x1f", 1)[1]) for k in names.to_pylist()]
    fc = FamilyCounts(family, keys)
    order_scope = pc.index_in(key, value_set=names).to_numpy().astype(np.int64)
    order_day = orders.column("placed_day").to_numpy().astype(np.int64) - day0
    order_n = orders.column("n_sum").to_numpy().astype(np.int64)
    for trig in family.triggers:
        ev = rows.filter(pc.field(trig.event_col).is_valid())
        ev = ev.group_by(["store", scope_col, "placed_day", trig.event_col],
                         use_threads=False).aggregate([("n", "sum")])
        e_scope = pc.index_in(_key(ev, scope_col), value_set=names).to_numpy().astype(np.int64)
        e_placed = ev.column("placed_day").to_numpy().astype(np.int64) - day0
        e_day = ev.column(trig.event_col).to_numpy().astype(np.int64) - day0
        e_n = ev.column("n_sum").to_numpy().astype(np.int64)
        o_sort = np.argsort(order_scope, kind="stable")
        e_sort = np.argsort(e_scope, kind="stable")
        fc.counts[trig.code] = Counts(
            len(keys), n_days, order_scope[o_sort], order_day[o_sort], order_n[o_sort],
            e_scope[e_sort], e_placed[e_sort], e_day[e_sort], e_n[e_sort])
        bins = np.arange(len(keys) + 1)
        fc._offsets[trig.code] = (np.searchsorted(order_scope[o_sort], bins),
                                  np.searchsorted(e_scope[e_sort], bins))
    return fc


def _key(table: pa.Table, scope_col: str) -> pa.Array:
    store = table.column("store").cast(pa.string())
    scope = table.column(scope_col).cast(pa.string())
    return pc.binary_join_element_wise(store, scope, "\x1f").combine_chunks()


def describe_window(c: Counts, trig: Trigger, day: int, floor: int) -> dict[str, Any]:
    """Counts behind a window trigger for one scope on one assessment day."""
    den, num = window_series(c, trig.window, floor)
    return {"orders": int(den[0, day]), "events": int(num[0, day])}
