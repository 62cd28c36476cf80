"""WeChat Channels rules computed from two small tables (视频号橱窗达人违规管理规则 2025, defined in docs/orders.md):

- ``after_sales_dispute_rate``: after-sales disputes over the orders placed in the window,
  more than 5% (strictly), at the end of each local day;
- ``cs_response_timeout``: more than 10 customer-service timeouts in one local day.

Like the order rules, these are Ibis expressions (DuckDB or Spark) reduced to per-day counts,
then assessed day by day. A batch of orders is punished once: after a dispute-rate violation
the window restarts the next day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import numpy as np
import pyarrow as pa
from ibis import _

from ...events import Violation
from ...timekit import parse_instant
from . import backends
from .columns import TIMESTAMP, Column
from .expressions import DayClock, day_numbers
from .loading import OrdersInput, load_table
from .series import PPM, Counts, window_series
from .thresholds import thresholds_for

AFTER_SALES_COLUMNS: tuple[Column, ...] = (
    Column("creator", pa.string(), False, meaning="subject id"),
    Column("order_id", pa.string(), False, meaning="order id"),
    Column("placed_at", TIMESTAMP, False, meaning="order time"),
    Column("dispute_at", TIMESTAMP, True, meaning="after-sales dispute opened (null: none)"),
)
CS_COLUMNS: tuple[Column, ...] = (
    Column("creator", pa.string(), False, meaning="subject id"),
    Column("message_id", pa.string(), False, meaning="buyer message id"),
    Column("asked_at", TIMESTAMP, False, meaning="when the buyer asked"),
    Column("answered_at", TIMESTAMP, True, meaning="first reply (null: unanswered)"),
)


def _pack(pack: Any) -> Any:
    from .assess import pack_of

    return pack_of(pack)


def violations_from_after_sales(rows: OrdersInput, pack: Any, *, until: dt.datetime | str,
                                engine: str = "duckdb") -> list[Violation]:
    pack = _pack(pack)
    tz, th = pack.timezone, thresholds_for(pack)
    until = parse_instant(until, tz)
    clock = DayClock.for_zone(tz)
    table = load_table(rows, AFTER_SALES_COLUMNS, tz=tz, rows_key="after_sales")
    cutoff = clock.start_of(clock.day_of(until))
    con = backends.connect(engine)
    t = backends.order_table(con, table).filter(_.placed_at < cutoff)
    dispute = ibis.ifelse(t.dispute_at < cutoff, t.dispute_at, ibis.null())
    agg = day_numbers(con.to_pyarrow(t.group_by(
        creator=t.creator, placed_day=clock.expr(t.placed_at),
        dispute_day=clock.expr(dispute)).aggregate(n=_.count())))
    if agg.num_rows == 0:
        return []
    window = int(th.value("after_sales_dispute_rate.window_days"))
    rate = float(th.value("after_sales_dispute_rate.rate"))
    min_orders = int(th.value("after_sales_dispute_rate.min_orders"))
    by_creator: dict[str, list[dict[str, Any]]] = {}
    for r in agg.to_pylist():
        by_creator.setdefault(r["creator"], []).append(r)
    day0 = min(agg.column("placed_day").to_pylist())
    n_days = clock.day_of(cutoff) - day0
    found = []
    for creator, mine in sorted(by_creator.items()):
        ev = [r for r in mine if r["dispute_day"] is not None]
        c = Counts(1, n_days, np.zeros(len(mine), np.int64),
                   np.array([r["placed_day"] - day0 for r in mine], np.int64),
                   np.array([r["n"] for r in mine], np.int64), np.zeros(len(ev), np.int64),
                   np.array([r["placed_day"] - day0 for r in ev], np.int64),
                   np.array([r["dispute_day"] - day0 for r in ev], np.int64),
                   np.array([r["n"] for r in ev], np.int64))
        floor, day = 0, 0
        while day < n_days:
            den, num = (a[0] for a in window_series(c, window, floor))
            hit = (den >= min_orders) & (num * PPM > round(rate * PPM) * den)
            hit[:day] = False
            if not hit.any():
                break
            day = int(np.argmax(hit))
            orders, disputes = int(den[day]), int(num[day])
            date = clock.date_of(day0 + day).isoformat()
            start = clock.date_of(day0 + max(day - window + 1, floor)).isoformat()
            found.append(Violation(
                id=f"after_sales_dispute_rate:{creator}:creator:{date}",
                at=clock.start_of(day0 + day + 1), subject=creator,
                code="after_sales_dispute_rate",
                evidence={"scope": "creator", "window": {"start": start, "end": date},
                          "orders": orders, "disputes": disputes,
                          "rate": round(disputes / orders, 6),
                          "threshold": {"rate_above": rate, "min_orders": min_orders}}))
            floor = day = day + 1
    return found


def violations_from_cs(rows: OrdersInput, pack: Any, *, until: dt.datetime | str,
                       engine: str = "duckdb") -> list[Violation]:
    pack = _pack(pack)
    tz, th = pack.timezone, thresholds_for(pack)
    until = parse_instant(until, tz)
    clock = DayClock.for_zone(tz)
    table = load_table(rows, CS_COLUMNS, tz=tz, rows_key="messages")
    cutoff = clock.start_of(clock.day_of(until))
    limit = int(th.value("cs_response_timeout.per_day"))
    minutes = float(th.value("cs_response_timeout.response_minutes"))
    con = backends.connect(engine)
    t = backends.order_table(con, table)
    due = t.asked_at + ibis.interval(seconds=int(minutes * 60))
    late = t.filter((due < cutoff) & (t.answered_at.isnull() | (t.answered_at > due)))
    counts = day_numbers(con.to_pyarrow(late.group_by(creator=late.creator, day=clock.expr(due))
                                        .aggregate(timeouts=_.count())
                                        .filter(_.timeouts > limit)))
    found = []
    for r in sorted(counts.to_pylist(), key=lambda r: (r["day"], r["creator"])):
        date = clock.date_of(r["day"]).isoformat()
        found.append(Violation(
            id=f"cs_response_timeout:{r['creator']}:creator:{date}",
            at=clock.start_of(r["day"] + 1), subject=r["creator"], code="cs_response_timeout",
            evidence={"scope": "creator", "window": {"start": date, "end": date},
                      "timeouts": int(r["timeouts"]),
                      "threshold": {"per_day_above": limit, "response_minutes": minutes}}))
    return found
