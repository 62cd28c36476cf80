"""Per-line dispute rates over time and how far each line is from its threshold.

What the logistics panel charts: for each day, the orders placed in the rule's window up to
that day and how many of them had a not-received dispute by then (the line rule's view of the
cohort), and on the last day, how many more disputes would freeze the line.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

KEY = "orders:{subject}"  # the store's snapshot slot holding a store's latest line series
# Which stores have a recorded assessment: order tables name stores that need not be registered
# subjects (a store with no violation has no event either), so the panel cannot find them from
# the subject registry alone.
INDEX = "orders:stores"


def record_assessment(store, subject: str, as_of: dt.datetime,
                      assessment: Mapping[str, Any]) -> None:
    """Keep a store's latest line series and warnings for the panel (JSON, replaced whole).

    ``assessment``: ``{"threshold": {"rate": 0.1, "count": 10}, "lines": {LINE: [[day,
    orders, disputes], ...]}, "warnings": [fields, ...]}`` — each warning's fields
    (``EarlyWarning.to_fields``), rendered in the reader's language where shown.
    """
    store.put_snapshot(KEY.format(subject=subject), as_of,
                       json.dumps(assessment, ensure_ascii=False, default=str).encode())


class Checked(NamedTuple):
    """One run of the order detector: its violations, its early warnings, and the run itself
    (whose daily counts the charts are drawn from)."""

    violations: list[Any]
    warnings: list[Any]
    assessment: Any


def check_orders(rows: Any, pack: str, until: dt.datetime, events: Sequence[Any] = (),
                 subjects: Mapping[str, Any] | None = None) -> Checked:
    """The order detector's violations and early warnings (closest to a threshold first)."""
    from ..detect.orders.assess import assess_orders
    from ..detect.orders.warnings import early_warnings

    found = assess_orders(rows, pack, until=until, events=events, subjects=subjects)
    return Checked(list(found.violations), early_warnings(found), found)


def record_orders(store, pack: str, checked: Checked, until: dt.datetime,
                  shown: int = 8) -> list[str]:
    """Chart every store's lines against the pack's line rule, beside the detector's early
    warnings for it; returns the stores. Both come from the same run, so a chart's last point
    and its line's warning state the same counts."""
    from ..detect.orders.thresholds import thresholds_for

    limits = thresholds_for(pack)
    if not limits.has("line_nrd_rate"):
        return []
    series = line_rates(checked.assessment)
    stores = sorted(series)
    for store_id in stores:
        record_assessment(store, store_id, until, {
            "threshold": {"rate": limits.value("line_nrd_rate.rate"),
                          "count": limits.value("line_nrd_rate.min_count"),
                          "window_days": limits.value("window_days")},
            "lines": series[store_id],
            "warnings": [w.to_fields() for w in checked.warnings
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


def line_rates(a: Any, days: int = 60, code: str = "line_nrd_rate"
               ) -> dict[str, dict[str, list[list[Any]]]]:
    """Per store and line, for each of the last ``days`` assessed days: the day's end, the
    orders in the line rule's window, its not-received disputes, and whether the line was
    frozen then — the counts the detector itself judged (after a freeze, the window restarts
    where the detector restarts it), read from its run rather than counted again."""
    from ..detect.orders.series import window_series

    out: dict[str, dict[str, list[list[Any]]]] = {}
    if not a.n_days:
        return out
    for fc in a.families:
        trig = next((t for t in fc.family.triggers if t.code == code), None)
        if trig is None:
            continue
        den, num = window_series(fc.counts[code], trig.window)
        first = max(0, a.n_days - 1 - days)
        for index, (store, line) in enumerate(fc.keys):
            orders, disputes = den[index], num[index]
            state = a.states.get((fc.family.name, store, line))
            if state is not None and state.floor:  # counted afresh from the floor on
                d, n = window_series(fc.only(code, index), trig.window, state.floor)
                orders = np.where(np.arange(a.n_days) >= state.floor, d[0], orders)
                disputes = np.where(np.arange(a.n_days) >= state.floor, n[0], disputes)
            points = []
            for day in range(first, a.n_days):
                at = a.clock.start_of(a.day0 + day + 1)  # the end of the assessed day
                frozen = bool(a.book) and fc.family.sanction_name(line) in a.book.active(
                    store, at)
                points.append([at.isoformat(), int(orders[day]), int(disputes[day]), frozen])
            out.setdefault(store, {})[line] = points
    return out
