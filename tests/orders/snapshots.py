"""An order table as it was known at an instant, and the day-by-day changes between such
snapshots: what a platform's daily export holds."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

LINE_FACTS = ("line", "tracking_no")
LINE_FLAGS = ("line_cainiao", "line_cainiao_overseas_wh")


def snapshot(table: pa.Table, at: dt.datetime) -> pa.Table:
    """The rows placed before ``at``, each time not yet reached empty (and, before its
    notice, the order on no line)."""
    t = table.filter(pc.less(table.column("placed_at"), pa.scalar(at, table["placed_at"].type)))
    cols = {name: t.column(name) for name in t.column_names}
    cut = pa.scalar(at, t["placed_at"].type)
    for name in ("ship_notice_at", "nrd_at", "sold_not_shipped_at"):
        late = pc.fill_null(pc.greater_equal(cols[name], cut), False)
        cols[name] = pc.if_else(late, pa.scalar(None, cols[name].type), cols[name])
    unshipped = pc.is_null(cols["ship_notice_at"])
    for name in LINE_FACTS:
        cols[name] = pc.if_else(unshipped, pa.scalar(None, cols[name].type), cols[name])
    for name in LINE_FLAGS:
        cols[name] = pc.if_else(unshipped, False, cols[name])
    return pa.table(cols, schema=t.schema)


def changes(before: pa.Table | None, after: pa.Table) -> pa.Table:
    """The rows of ``after`` that are new or differ from ``before`` (by order_id)."""
    if before is None:
        return after
    old = {r["order_id"]: r for r in before.to_pylist()}
    keep = [r != old.get(r["order_id"]) for r in after.to_pylist()]
    return after.filter(pa.array(keep, pa.bool_()))
