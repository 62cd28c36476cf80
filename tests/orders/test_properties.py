"""The whole pipeline (Ibis aggregate, vectorised series, event-driven loop) against a direct
day-by-day reading of the line rule with 30-day freezes."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from zhili.detect.orders import assess_orders

from .books import ThirtyDayBook
from .orderrows import START, order, table

DAYS = 75


def reference(orders: list[tuple[int, int | None, int]]) -> list[int]:
    """Assessment days (0 = 2026-03-01) at which the line freezes, read directly: an order is
    on the line from the day its shipping notice is filed (速卖通自发货履约规则 2022-07-19)."""
    hits, floor, frozen_until = [], 0, -1
    for d in range(DAYS):
        if d <= frozen_until:
            continue
        start = max(d - 29, floor)
        inside = [(p, e) for p, e, notice in orders if start <= p <= d and notice <= d]
        nrd = sum(1 for _, e in inside if e is not None and e <= d)
        if nrd >= 10 and nrd * 10 >= len(inside):
            hits.append(d)
            frozen_until = d + 29          # frozen from the end of d for 30 days
            floor = d + 31                 # the window restarts at the freeze's end
    return hits


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, DAYS - 1), st.integers(1, 12),
                          st.integers(0, 12), st.integers(0, 6), st.integers(0, 3)),
                min_size=1, max_size=12))
def test_line_freezes_match_a_direct_reading(batches):
    rows, expected_orders = [], []
    for b, (day, n, bad, lag, notice_days) in enumerate(batches):
        bad = min(bad, n)
        notice = START + dt.timedelta(days=day + notice_days, hours=5)
        for i in range(n):
            nrd = lag if i < bad else None
            rows.append(order(f"b{b}-{i}", "s1", day, nrd_after=nrd, ship_notice_at=notice))
            expected_orders.append((day, day + nrd if nrd is not None else None,
                                    day + notice_days))
    until = dt.datetime(2026, 3, 1) + dt.timedelta(days=DAYS)
    found = assess_orders(table(rows), "aliexpress", until=until.isoformat(),
                          book=ThirtyDayBook()).violations
    days = [(v.at.date() - dt.date(2026, 3, 2)).days for v in found if v.code == "line_nrd_rate"]
    assert days == reference(expected_orders)
