"""Daily series over the small per-day aggregate: window counts and streak detection.

Days are integer indices from the first order day. Every function works on many scopes at once
(rows carry a scope index), so the first pass over all scopes is one vectorised computation, and
re-evaluating one scope after a freeze (with a ``floor``: the first placed day its window may
reach back to) is the same call on that scope's rows alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PPM = 1_000_000  # rates compare as integers in parts per million: no float edge cases at 10%


@dataclass(frozen=True)
class Counts:
    """Aggregate rows of one rule: orders per (scope, placed day) and events per
    (scope, placed day, event day)."""

    n_scopes: int
    n_days: int
    order_scope: np.ndarray
    order_day: np.ndarray
    order_n: np.ndarray
    event_scope: np.ndarray
    event_placed: np.ndarray
    event_day: np.ndarray
    event_n: np.ndarray

    def only(self, scope: int) -> Counts:
        """The rows of one scope, re-indexed as scope 0."""
        o = self.order_scope == scope
        e = self.event_scope == scope
        return Counts(1, self.n_days, np.zeros(int(o.sum()), np.int64), self.order_day[o],
                      self.order_n[o], np.zeros(int(e.sum()), np.int64), self.event_placed[e],
                      self.event_day[e], self.event_n[e])


@dataclass(frozen=True)
class Threshold:
    rate_ppm: int
    min_count: int

    @classmethod
    def of(cls, rate: float, min_count: int) -> Threshold:
        return cls(round(rate * PPM), int(min_count))

    def hit(self, num: np.ndarray, den: np.ndarray) -> np.ndarray:
        return (num >= self.min_count) & (num * PPM >= self.rate_ppm * den)

    def more_needed(self, num: int, den: int) -> int | None:
        """How many more events (on orders already counted) reach the threshold; None if the
        window has too few orders for it ever to be reached."""
        need = max(self.min_count, -(-self.rate_ppm * den // PPM))
        return None if need > den else max(need - num, 0)


def _floors(floor: np.ndarray | int, scopes: np.ndarray) -> np.ndarray:
    return floor[scopes] if isinstance(floor, np.ndarray) else np.full(len(scopes), floor)


def window_series(c: Counts, window: int, floor: np.ndarray | int = 0
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(orders, events) in the window of each assessment day, shape (scopes, days).

    The window of day d holds the orders placed on days max(d-window+1, floor)..d; an event
    counts once it happened (event day <= d). Built with difference arrays: an order row adds
    from its placed day until it leaves the window; an event row adds from the later of its
    placed and event days, if that is still inside its order's window.
    """
    keep = c.order_day >= _floors(floor, c.order_scope)
    s, p, n = c.order_scope[keep], c.order_day[keep], c.order_n[keep]
    den = _deltas(c.n_scopes, c.n_days, s, p, p + window, n)
    start = np.maximum(c.event_placed, c.event_day)
    keep = (c.event_placed >= _floors(floor, c.event_scope)) & (start < c.event_placed + window)
    s, p, st, n = c.event_scope[keep], c.event_placed[keep], start[keep], c.event_n[keep]
    num = _deltas(c.n_scopes, c.n_days, s, st, p + window, n)
    return np.cumsum(den, axis=1), np.cumsum(num, axis=1)


def _deltas(n_scopes: int, n_days: int, scope: np.ndarray, start: np.ndarray, stop: np.ndarray,
            n: np.ndarray) -> np.ndarray:
    """A (scopes, days) difference array: +n at each start, -n at each stop (starts and stops
    after the last day do not matter; a stop follows its start). ``bincount`` on flat indices
    (exact: counts stay far below 2**53) is many times faster than ``np.add.at``."""
    size = n_scopes * n_days
    weights = n.astype(np.float64)
    flat = np.zeros(size)
    for at, sign in ((start, 1.0), (stop, -1.0)):
        inside = at < n_days
        flat += sign * np.bincount(scope[inside] * n_days + at[inside], weights=weights[inside],
                                   minlength=size)
    return flat.astype(np.int64).reshape(n_scopes, n_days)


def qualify_days(c: Counts, threshold: Threshold, floor: np.ndarray | int = 0) -> np.ndarray:
    """For each (scope, placed day): the first assessment day at which that day's own rate
    meets the threshold (events on its orders known by then), or a large sentinel."""
    never = np.iinfo(np.int64).max // 4
    q = np.full((c.n_scopes, c.n_days), never, np.int64)
    den = np.zeros((c.n_scopes, c.n_days), np.int64)
    np.add.at(den, (c.order_scope, c.order_day), c.order_n)
    keep = c.event_placed >= _floors(floor, c.event_scope)
    s, p, e, n = (c.event_scope[keep], c.event_placed[keep], c.event_day[keep],
                  c.event_n[keep])
    order = np.lexsort((e, p, s))
    s, p, e, n = s[order], p[order], e[order], n[order]
    group = np.concatenate(([True], (s[1:] != s[:-1]) | (p[1:] != p[:-1]))) if len(s) else s
    # Cumulative events per (scope, placed day), in event-day order.
    cum = np.cumsum(n)
    starts = np.maximum.accumulate(np.where(group, np.arange(len(s)), 0)) if len(s) else s
    before = np.where(starts > 0, cum[starts - 1], 0) if len(s) else s
    running = cum - before
    ok = threshold.hit(running, den[s, p]) if len(s) else np.zeros(0, bool)
    np.minimum.at(q, (s[ok], p[ok]), e[ok])
    return q


def streak_hits(q: np.ndarray, days: int, lookback: int, floor: np.ndarray | int = 0
                ) -> np.ndarray:
    """The first assessment day at which each scope shows ``days`` consecutive qualifying
    placed days, all inside the last ``lookback`` days and on or after its floor; -1 if none.

    Returns shape (scopes, n_days): for each last day p of a run, the day it is found (or -1).
    """
    n_scopes, n_days = q.shape
    found = q.copy()
    for k in range(1, days):
        shifted = np.full_like(q, np.iinfo(np.int64).max // 4)
        shifted[:, k:] = q[:, :-k]
        found = np.maximum(found, shifted)
    first_day = np.arange(n_days)[None, :] - (days - 1)
    floors = floor[:, None] if isinstance(floor, np.ndarray) else floor
    valid = (first_day >= floors) & (first_day >= 0) & (first_day >= found - lookback + 1)
    valid &= found < n_days
    return np.where(valid, found, -1)
