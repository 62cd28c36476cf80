"""Demo order tables in the columns of the order table (docs/orders.md).

Two AliExpress stores over 90 days: steady lines, one line that crossed the dispute threshold
two months ago, and one drifting towards it now, which is what an early warning is for.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

# line code -> (Cainiao line, NRD probability by days-before-end band)
LINES: dict[str, dict[str, Any]] = {
    "CAINIAO-STD": {"cainiao": True, "nrd": lambda ago: 0.02},
    "YANWEN-EXP": {"cainiao": False, "nrd": lambda ago: 0.35 if 50 <= ago <= 72 else 0.03},
    "4PX-ECO": {"cainiao": False, "nrd": lambda ago: 0.17 if ago <= 30 else 0.04},
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
                nrd_at = shipped + dt.timedelta(days=rng.randint(5, 20)) if nrd else None
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


