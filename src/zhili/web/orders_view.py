"""The logistics panel: dispute rate per line against its threshold, and early warnings.

Order tables are not events, so the panel reads the latest line series recorded for a store
(``zhili.api.line_watch.record_orders``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..api.auth import Principal
from ..api.line_watch import KEY, has_orders, recorded_stores
from ..api.service import Governance, NotFound
from ..timekit import parse_instant
from . import charts


def _assessment(gov: Governance, subject: str) -> tuple[dt.datetime, dict[str, Any]] | None:
    found = gov.store.get_snapshot(KEY.format(subject=subject))
    if found is None:
        return None
    horizon, data = found
    return horizon, json.loads(data)


def stores_with_orders(gov: Governance, who: Principal) -> list[str]:
    """The stores with a recorded assessment that ``who`` may see, registered or not."""
    recorded = recorded_stores(gov.store)
    if recorded is None:
        return [sid for sid in gov.subjects(who) if has_orders(gov.store, sid)]
    return [sid for sid in recorded if who.may_see(sid)]


def panel(gov: Governance, who: Principal, subject: str | None) -> dict[str, Any]:
    stores = stores_with_orders(gov, who)
    if subject is None:
        subject = stores[0] if stores else None
    elif subject not in stores:  # unknown, not recorded, or another merchant's: all 404
        raise NotFound(subject)
    if subject is None:
        return {"stores": stores, "subject": None, "charts": [], "warnings": [], "as_of": None}
    found = _assessment(gov, subject)
    assert found is not None
    as_of, data = found
    threshold = data.get("threshold", {})
    return {"stores": stores, "subject": subject, "as_of": as_of,
            "charts": _charts(data.get("lines", {}), threshold, as_of),
            "warnings": data.get("warnings", []), "threshold": threshold}


def _charts(lines: Mapping[str, Sequence[Sequence[Any]]], threshold: Mapping[str, Any],
            as_of: dt.datetime) -> list[dict[str, Any]]:
    out = []
    limit = float(threshold.get("rate", 0.1)) * 100
    for line, rows in sorted(lines.items()):
        points = [(parse_instant(day), 100 * disputes / orders if orders else 0.0)
                  for day, orders, disputes in rows]
        if not points:
            continue
        last_day, last_orders, last_disputes = rows[-1]
        high = max([limit * 1.5] + [v for _, v in points])
        chart = charts.line_chart(
            [charts.Series(f"{line} NRD rate", points, step=False)],
            [charts.Rule(f"threshold {limit:g}%", limit)], points[0][0], as_of,
            low=0, high=high, title=f"{line}: not-received-dispute rate, 30-day window",
            unit="%")
        out.append({"line": line, "chart": chart, "orders": last_orders,
                    "disputes": last_disputes, "rate": points[-1][1],
                    "over": points[-1][1] >= limit and last_disputes >= threshold.get("count", 0)})
    return out
