"""Per-line dispute rates over time and how far each line is from its threshold.

What the logistics panel charts: for each day, the orders placed in the rule's window up to
that day and how many of them had a not-received dispute by then (the line rule's view of the
cohort), and on the last day, how many more disputes would freeze the line.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

KEY = "orders:{subject}"  # the store's snapshot slot holding a store's latest line series
# Which stores have a recorded assessment: order tables name stores that need not be registered
# subjects (a store with no violation has no event either), so the panel cannot find them from
# the subject registry alone.
INDEX = "orders:stores"


def record_assessment(store, subject: str, as_of: dt.datetime,
                      assessment: Mapping[str, Any]) -> None:
    """Keep a store's latest line series and warnings for the panel (JSON, replaced whole).

    ``assessment``: ``{"threshold": {"rate": 0.1, "count": 10}, "lines": {LINE: [[day,
    orders, disputes], ...]}, "warnings": [text, ...]}``.
    """
    store.put_snapshot(KEY.format(subject=subject), as_of,
                       json.dumps(assessment, ensure_ascii=False, default=str).encode())


def assess(rows: Any, pack: str, until: dt.datetime, events: Sequence[Any] = (),
           subjects: Mapping[str, Any] | None = None) -> tuple[list[Any], list[Any]]:
    """The order detector's violations and early warnings (closest to a threshold first)."""
    from ..detect.orders.assess import assess_orders
    from ..detect.orders.warnings import early_warnings

    found = assess_orders(rows, pack, until=until, events=events, subjects=subjects)
    return list(found.violations), early_warnings(found)


def record_orders(store, pack: str, rows: Sequence[Mapping[str, Any]], until: dt.datetime,
                  warnings: Sequence[Any] = (), shown: int = 8) -> list[str]:
    """Chart every store's lines in ``rows`` against the pack's line rule, beside the
    detector's early warnings for it; returns the stores."""
    from ..detect.orders.thresholds import thresholds_for

    limits = thresholds_for(pack)
    if not limits.has("line_nrd_rate"):
        return []
    rate = limits.value("line_nrd_rate.rate")
    count = limits.value("line_nrd_rate.min_count")
    window = limits.value("window_days")
    stores = sorted({str(r["store"]) for r in rows})
    for store_id in stores:
        series = line_series(rows, store_id, until, window)
        record_assessment(store, store_id, until, {
            "threshold": {"rate": rate, "count": count, "window_days": window},
            "lines": series,
            "warnings": [w.message for w in warnings
                         if w.store == store_id and w.more_needed is not None][:shown]})
    _add_to_index(store, stores, until)
    return stores


def has_orders(store, subject: str) -> bool:
    return store.get_snapshot(KEY.format(subject=subject)) is not None


def recorded_stores(store) -> list[str] | None:
    """Every store with a recorded assessment; None for a database recorded before the index
    existed (the caller then asks ``has_orders`` subject by subject)."""
    found = store.get_snapshot(INDEX)
    return None if found is None else sorted(json.loads(found[1]))


def _add_to_index(store, stores: Sequence[str], as_of: dt.datetime) -> None:
    known = set(recorded_stores(store) or ())
    if not known.issuperset(stores):
        store.put_snapshot(INDEX, as_of, json.dumps(sorted(known | set(stores))).encode())


def line_series(rows: Sequence[Mapping[str, Any]], store: str, end: dt.datetime,
                window: int, days: int = 60) -> dict[str, list[list[Any]]]:
    """Per line, for each of the last ``days`` days: the orders placed in the ``window`` days
    up to that day and how many had a not-received dispute by then (the line rule's view)."""
    by_line: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        # An order with no shipping notice (sold-not-shipped, or not shipped yet) is on no
        # line: the line rule does not count it, and neither does its chart.
        if row["store"] == store and row.get("line") is not None:
            by_line[row["line"]].append(row)
    out: dict[str, list[list[Any]]] = {}
    for line, orders in sorted(by_line.items()):
        series = []
        for ago in range(days, -1, -1):
            at = end - dt.timedelta(days=ago)
            since = at - dt.timedelta(days=window)
            cohort = [o for o in orders if since < o["placed_at"] <= at]
            disputes = sum(1 for o in cohort if o["nrd_at"] is not None and o["nrd_at"] <= at)
            series.append([at.isoformat(), len(cohort), disputes])
        out[line] = series
    return out
