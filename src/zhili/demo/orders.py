"""Demo order tables (SCENARIOS.md columns) and the per-line series the console charts.

Two AliExpress stores over 90 days: steady lines, one line that crossed the dispute threshold
two months ago, and one drifting towards it now, which is what an early warning is for.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

# line code -> (Cainiao line, NRD probability by days-before-end band)
LINES: dict[str, dict[str, Any]] = {
    "CAINIAO-STD": {"cainiao": True, "nrd": lambda ago: 0.02},
    "YANWEN-EXP": {"cainiao": False, "nrd": lambda ago: 0.16 if 45 <= ago <= 75 else 0.03},
    "4PX-ECO": {"cainiao": False, "nrd": lambda ago: 0.095 if ago <= 30 else 0.04},
}
STORES = {"ae-3c": 55, "ae-home": 25}  # orders per day, before noise


def generate(end: dt.datetime, rng: random.Random, days: int = 90) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for store, per_day in STORES.items():
        for ago in range(days, 0, -1):
            day = (end - dt.timedelta(days=ago)).replace(hour=0, minute=0)
            for n in range(max(1, int(rng.gauss(per_day, per_day / 5)))):
                line = rng.choices(list(LINES), weights=(5, 3, 3))[0]
                placed = day + dt.timedelta(minutes=rng.randrange(24 * 60))
                shipped = placed + dt.timedelta(hours=rng.randint(6, 60))
                nrd = rng.random() < LINES[line]["nrd"](ago)
                nrd_at = shipped + dt.timedelta(days=rng.randint(8, 25)) if nrd else None
                rows.append({
                    "order_id": f"{store}-{ago:03d}-{n:03d}", "store": store,
                    "placed_at": placed, "ship_notice_at": shipped, "line": line,
                    "line_cainiao": LINES[line]["cainiao"], "line_cainiao_overseas_wh": False,
                    "buyer_line_cainiao_overseas_wh": False,
                    "ship_from": "CN" if rng.random() < 0.85 else "ES",
                    "nrd_at": nrd_at if nrd_at and nrd_at <= end else None,
                    "sold_not_shipped_at": None, "amount": round(rng.uniform(9, 180), 2),
                    "tracking_no": f"LP{rng.randrange(10**11, 10**12)}", "bonded": False,
                    "buyer": f"b{rng.randrange(10**6)}",
                })
    return rows


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
