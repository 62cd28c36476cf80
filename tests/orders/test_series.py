"""The daily series of the order rules (window counts, per-day grids, streaks, early warnings)
against a direct reading of their definitions, order row by order row, day by day. Pure numpy:
no order table, no DuckDB, so the mutation check can run them for every mutant."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from zhili.detect.orders import series
from zhili.detect.orders.series import (
    PPM,
    Counts,
    Threshold,
    day_grid,
    streak_candidates,
    streak_hits,
    window_series,
)

# An order row: (scope, placed day, day it joined the scope, day it left, orders). An event
# row: (scope, placed day, first day it counts, day its order left, events). The days an order
# or event counts may lie past the last day (then never).
Row = tuple[int, int, int, int, int]


def counts(n_scopes: int, n_days: int, orders: list[Row], events: list[Row],
           day0: int = 0) -> Counts:
    def col(rows: list[Row], i: int) -> np.ndarray:
        return np.array([r[i] for r in rows], np.int64)

    return Counts(n_scopes, n_days, col(orders, 0), col(orders, 1), col(orders, 4),
                  col(events, 0), col(events, 1), col(events, 2), col(events, 4),
                  col(orders, 2), col(orders, 3), col(events, 3), day0)


@st.composite
def histories(draw: st.DrawFn, max_days: int = 12) -> tuple[int, int, list[Row], list[Row]]:
    """Scopes and days with order rows and the events on them, as the families build them:
    an order joins on its placed day or later, may leave later; each event counts from the
    later of the day it happened and the day its order joined, until its order left."""
    n_scopes = draw(st.integers(1, 4))
    n_days = draw(st.integers(1, max_days))
    orders: list[Row] = []
    events: list[Row] = []
    for _ in range(draw(st.integers(0, 14))):
        scope = draw(st.integers(0, n_scopes - 1))
        placed = draw(st.integers(0, n_days - 1))
        joined = placed + draw(st.integers(0, 3))
        left = draw(st.one_of(st.just(n_days), st.integers(placed, n_days + 1)))
        n = draw(st.integers(1, 4))
        orders.append((scope, placed, joined, left, n))
        bad = draw(st.integers(0, n))
        if bad:
            start = max(placed + draw(st.integers(0, 4)), joined)
            events.append((scope, placed, start, left, bad))
    return n_scopes, n_days, orders, events


thresholds = st.builds(Threshold, st.integers(1, PPM), st.integers(0, 4))


def known(rows: list[Row], scope: int, placed: set[int], d: int) -> int:
    """What the rows of ``scope`` placed on ``placed`` days count on day ``d``."""
    return sum(n for s, p, start, stop, n in rows
               if s == scope and p in placed and start <= d < stop)


def reaches(th: Threshold, num: int, den: int) -> bool:
    """At least the threshold's count, and a rate of at least its rate (no orders: no rate)."""
    return num >= th.min_count and (den == 0 or Fraction(num, den) >= Fraction(th.rate_ppm, PPM))


def window_reference(n_scopes: int, n_days: int, orders: list[Row], events: list[Row],
                     window: int, floors: list[int]) -> tuple[np.ndarray, np.ndarray]:
    den = np.zeros((n_scopes, n_days), np.int64)
    num = np.zeros((n_scopes, n_days), np.int64)
    for s in range(n_scopes):
        for d in range(n_days):
            days = set(range(max(d - window + 1, floors[s]), d + 1))
            den[s, d] = known(orders, s, days, d)
            num[s, d] = known(events, s, days, d)
    return den, num


@settings(max_examples=80, deadline=None)
@given(histories(), st.integers(1, 14), st.data())
def test_window_counts_are_the_orders_placed_in_the_window_and_members_that_day(
        h, window, data):
    n_scopes, n_days, orders, events = h
    c = counts(n_scopes, n_days, orders, events)
    assert [a.tolist() for a in window_series(c, window)] == [
        a.tolist() for a in window_reference(*h, window, [0] * n_scopes)]
    floors = data.draw(st.lists(st.integers(0, n_days), min_size=n_scopes, max_size=n_scopes))
    expected = window_reference(*h, window, floors)
    got = window_series(c, window, np.array(floors, np.int64))
    assert [a.tolist() for a in got] == [a.tolist() for a in expected]
    for s in range(n_scopes):       # one scope's rows alone, re-evaluated from its floor
        den, num = window_series(c.only(s), window, floors[s])
        assert (den[0].tolist(), num[0].tolist()) == (expected[0][s].tolist(),
                                                       expected[1][s].tolist())


def streak_reference(n_scopes: int, n_days: int, orders: list[Row], events: list[Row],
                     th: Threshold, days: int, lookback: int, floors: list[int]) -> np.ndarray:
    hits = np.zeros((n_scopes, n_days), bool)
    for s in range(n_scopes):
        for d in range(n_days):
            def qualifies(p: int, s: int = s, d: int = d) -> bool:
                den = known(orders, s, {p}, d)
                return (max(d - lookback + 1, floors[s], 0) <= p <= d and den > 0
                        and reaches(th, known(events, s, {p}, d), den))

            hits[s, d] = any(all(qualifies(end - k) for k in range(days))
                             for end in range(n_days))
    return hits


@settings(max_examples=80, deadline=None)
@given(histories(), thresholds, st.integers(1, 4), st.integers(1, 14), st.data())
@example((2, 3, [(1, 0, 0, 3, 1), (1, 1, 1, 3, 1)], [(1, 0, 0, 3, 1), (1, 1, 1, 3, 1)]),
         Threshold(PPM, 1), 2, 3, None)
@example((1, 3, [(0, 1, 1, 3, 1)], [(0, 1, 1, 3, 1)]), Threshold(PPM, 1), 2, 3, None)  # 1 day
@example((1, 2, [(0, 1, 1, 2, 1)], [(0, 1, 1, 2, 1)]), Threshold(PPM, 0), 1, 2, None)  # no orders
def test_streaks_are_consecutive_qualifying_days_inside_the_lookback(h, th, days, lookback,
                                                                     data):
    n_scopes, n_days, orders, events = h
    c = counts(n_scopes, n_days, orders, events)
    floors = [0] * n_scopes if data is None else data.draw(
        st.lists(st.integers(0, n_days), min_size=n_scopes, max_size=n_scopes))
    expected = streak_reference(*h, th, days, lookback, floors)
    got = streak_hits(c, th, days, lookback, np.array(floors, np.int64))
    assert got.tolist() == expected.tolist()
    if not any(floors):
        assert streak_hits(c, th, days, lookback).tolist() == expected.tolist()


@settings(max_examples=50, deadline=None)
@given(histories(), thresholds)
def test_streak_candidates_are_the_scopes_with_a_day_of_enough_events(h, th):
    n_scopes, n_days, orders, events = h
    c = counts(n_scopes, n_days, orders, events)
    expected = [s for s in range(n_scopes)
                if any(sum(n for es, p, *_, n in events if es == s and p == day)
                       >= max(th.min_count, 1) for day in range(n_days))]
    assert streak_candidates(c, th).tolist() == expected


@settings(max_examples=50, deadline=None)
@given(histories(), st.data())
def test_day_grid_is_each_placed_days_count_as_known_each_day(h, data):
    n_scopes, n_days, orders, events = h
    c = counts(n_scopes, n_days, orders, events)
    scopes = data.draw(st.lists(st.integers(0, n_scopes - 1), unique=True, min_size=1))
    den, num = day_grid(c, np.array(scopes, np.int64))
    for i, s in enumerate(scopes):
        assert den[i].tolist() == [[known(orders, s, {p}, d) for d in range(n_days)]
                                   for p in range(n_days)]
        assert num[i].tolist() == [[known(events, s, {p}, d) for d in range(n_days)]
                                   for p in range(n_days)]


@pytest.mark.parametrize("cells", [1, 2 * 36, 3 * 36 + 1, 1 << 22])
def test_streaks_are_gridded_a_few_scopes_at_a_time(monkeypatch, cells):
    """The (placed day × day) grids of all candidates together would not fit in memory for a
    large store list: they are built at most ``GRID_CELLS`` cells at a time (one scope at a
    time when one scope's grid is larger), with the same result."""
    rows = [(s, p, p, 6, 2) for s in range(5) for p in range(6)]
    c = counts(5, 6, rows, rows)
    th = Threshold(PPM // 2, 1)
    expected = streak_hits(c, th, 3, 6)
    assert expected[:, 2:].all() and not expected[:, :2].any()
    sizes: list[int] = []

    def grid(c: Counts, scopes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sizes.append(len(scopes) * c.n_days * c.n_days)
        return day_grid(c, scopes)

    monkeypatch.setattr(series, "GRID_CELLS", cells)
    monkeypatch.setattr(series, "day_grid", grid)
    assert streak_hits(c, th, 3, 6).tolist() == expected.tolist()
    assert sum(sizes) == 5 * 36
    assert max(sizes) <= max(cells, 36)
    whole = max(cells // 36, 1)            # whole scopes' grids that fit in the cells
    assert len(sizes) == -(-5 // whole)    # as few grids as that allows


@settings(max_examples=100, deadline=None)
@given(thresholds, st.integers(0, 60), st.data())
@example(Threshold(100_000, 10), 100, None)     # AliExpress line: 10% and at least 10
@example(Threshold(100_000, 10), 99, None)
@example(Threshold(100_000, 10), 9, None)
def test_more_needed_is_the_fewest_further_events_that_reach_the_threshold(th, den, data):
    """The early warning's "N more disputes freeze": the smallest number of further events on
    the orders already in the window after which the rule hits; None when even every order
    disputed would not reach it."""
    nums = range(den + 1) if data is None else [data.draw(st.integers(0, den))]
    for num in nums:
        more = [k for k in range(den - num + 1) if reaches(th, num + k, den)]
        assert th.more_needed(num, den) == (more[0] if more else None)
        assert th.hit(np.array([num]), np.array([den]))[0] == reaches(th, num, den)


def test_the_line_threshold_at_its_edges():
    """10% with at least 10 disputes: 10 of 100 hits, 10 of 101 does not, 9 of 90 does not."""
    th = Threshold.of(0.1, 10)
    assert th == Threshold(100_000, 10)
    assert th.hit(np.array([10, 10, 9, 11]), np.array([100, 101, 90, 101])).tolist() == [
        True, False, False, True]
    assert [th.more_needed(0, 100), th.more_needed(9, 100), th.more_needed(10, 100),
            th.more_needed(10, 101), th.more_needed(3, 9)] == [10, 1, 0, 1, None]
