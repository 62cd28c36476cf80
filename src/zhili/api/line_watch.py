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


def record_assessment(store, subject: str, as_of: dt.datetime,
                      assessment: Mapping[str, Any]) -> None:
    """Keep a store's latest line series and warnings for the panel (JSON, replaced whole).

    ``assessment``: ``{"threshold": {"rate": 0.1, "count": 10}, "lines": {LINE: [[day,
    orders, disputes], ...]}, "warnings": [text, ...]}``.
    """
    store.put_snapshot(KEY.format(subject=subject), as_of,
                       json.dumps(assessment, ensure_ascii=False, default=str).encode())


def record_orders(store, pack: str, rows: Sequence[Mapping[str, Any]],
                  until: dt.datetime) -> list[str]:
    """Chart every store's lines in ``rows`` against the pack's line rule; returns the stores."""
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
            "lines": series, "warnings": warnings(series, rate, count)})
    return stores


def has_orders(store, subject: str) -> bool:
    return store.get_snapshot(KEY.format(subject=subject)) is not None





def line_series(rows: Sequence[Mapping[str, Any]], store: str, end: dt.datetime,
                window: int, days: int = 60) -> dict[str, list[list[Any]]]:
    """Per line, for each of the last ``days`` days: the orders placed in the ``window`` days
    up to that day and how many had a not-received dispute by then (the line rule's view)."""
    by_line: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["store"] == store:
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


def warnings(series: Mapping[str, Sequence[Sequence[Any]]], rate: float,
             count: int) -> list[str]:
    """How far each line is from its threshold on the last day, worst first."""
    found = []
    for line, rows in series.items():
        _, orders, disputes = rows[-1]
        if not orders:
            continue
        need = max(count, -(-int(rate * 1_000_000) * orders // 1_000_000))
        more = need - disputes
        share = 100 * disputes / orders
        if more <= 0:
            found.append((0, f"{line}: {disputes} NRD disputes in {orders} orders "
                             f"({share:.1f}%): at or over the threshold, freeze due"))
        elif more <= max(3, need // 3):
            found.append((more, f"{line}: {disputes} NRD disputes in {orders} orders "
                                f"({share:.1f}%): {more} more dispute{'s' if more > 1 else ''} "
                                "freeze it for 30 days"))
    return [text for _, text in sorted(found)]
