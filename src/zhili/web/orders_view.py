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
from ..i18n import _
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
            "warnings": [_warning(w) for w in data.get("warnings", [])],
            "threshold": threshold}


def _warning(recorded: Any) -> str:
    """A recorded warning in the request's language (assessments recorded before warnings
    were kept as fields hold the English sentence itself)."""
    from ..detect.orders.warning_text import render

    return recorded if isinstance(recorded, str) else render(recorded)


def _charts(lines: Mapping[str, Sequence[Sequence[Any]]], threshold: Mapping[str, Any],
            as_of: dt.datetime) -> list[dict[str, Any]]:
    out = []
    limit = float(threshold.get("rate", 0.1)) * 100
    window = threshold.get("window_days", 30)
    for line, rows in sorted(lines.items()):
        if not rows:
            continue
        # [day's end, orders, disputes, frozen]; assessments recorded before freezes were
        # kept have no fourth field.
        points = [(parse_instant(r[0]), 100 * r[2] / r[1] if r[1] else 0.0) for r in rows]
        frozen = [bool(r[3]) if len(r) > 3 else False for r in rows]
        last_orders, last_disputes = rows[-1][1:3]
        high = max([limit * 1.5] + [v for _t, v in points])
        chart = charts.line_chart(
            [charts.Series(_("%(line)s dispute rate") % {"line": line}, points, step=False)],
            [charts.Rule(_("freezes at %(rate)s%%") % {"rate": f"{limit:g}"}, limit)],
            points[0][0], as_of, low=0, high=high,
            title=_("%(line)s: not-received dispute rate, %(days)s-day window")
            % {"line": line, "days": window}, unit="%",
            shaded=_frozen_spans([t for t, _v in points], frozen, as_of),
            shaded_label=_("frozen"))
        out.append({"line": line, "chart": chart, "orders": last_orders,
                    "disputes": last_disputes, "rate": points[-1][1],
                    "frozen_now": frozen[-1], "over": frozen[-1] or (
                        points[-1][1] >= limit and last_disputes >= threshold.get("count", 0))})
    return out


def _frozen_spans(days: Sequence[dt.datetime], frozen: Sequence[bool],
                  end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """Runs of frozen days as (start, end): a day's point is its end, so a run starts at the
    end of the day before its first frozen day."""
    spans = []
    start = None
    for i, (day, on) in enumerate(zip(days, frozen, strict=True)):
        if on and start is None:
            start = days[i - 1] if i else day - dt.timedelta(days=1)
        elif not on and start is not None:
            spans.append((start, days[i - 1]))
            start = None
    if start is not None:
        spans.append((start, end))
    return spans
