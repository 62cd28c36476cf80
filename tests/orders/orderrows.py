"""Small order tables for tests, built row by row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from zhili.detect.orders import load_orders

START = dt.datetime(2026, 3, 1, 10, 0)


def order(oid: str, store: str, day: int, *, line: str | None = "LINE-A", ship_from: str = "CN",
          nrd_after: int | None = None, sns_after: int | None = None, cainiao: bool = False,
          overseas_wh: bool = False, buyer_ow: bool = False, **extra: Any) -> dict[str, Any]:
    """An order placed on day ``day`` (0 = 2026-03-01, 10:00 local), its dispute N days later."""
    placed = START + dt.timedelta(days=day)
    shipped = line is not None and sns_after is None
    row = {
        "order_id": oid, "store": store, "placed_at": placed,
        "ship_notice_at": placed + dt.timedelta(hours=5) if shipped else None,
        "line": line if shipped else None, "line_cainiao": cainiao,
        "line_cainiao_overseas_wh": overseas_wh, "buyer_line_cainiao_overseas_wh": buyer_ow,
        "ship_from": ship_from,
        "nrd_at": placed + dt.timedelta(days=nrd_after) if nrd_after is not None else None,
        "sold_not_shipped_at": placed + dt.timedelta(days=sns_after) if sns_after is not None
        else None,
        "amount": 10, "tracking_no": "LP123456789", "bonded": False,
    }
    row.update(extra)
    return row


def batch(store: str, day: int, n: int, bad: int, *, prefix: str = "", after: int = 1,
          **kw: Any) -> list[dict[str, Any]]:
    """``n`` orders on one day, the first ``bad`` of them disputed ``after`` days later."""
    return [order(f"{prefix}{store}-{day}-{i}", store, day,
                  nrd_after=after if i < bad else None, **kw) for i in range(n)]


def table(rows: list[dict[str, Any]]) -> pa.Table:
    return load_orders(rows)
