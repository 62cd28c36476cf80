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
    (scope, placed day, event day).

    An order counts for its scope only while it is a member of it (速卖通自发货履约规则 2022-07-19: nothing that
    happened after the assessment is used): from ``order_from`` (an order joins a line when its
    shipping notice is filed) up to, not including, ``order_until`` (an order leaves the
    ship-from scope when its notice names a Cainiao overseas-warehouse line). None: from the
    placed day, for ever. An event row's ``event_day`` is already the first day it counts
    (never before its order joined); ``event_until`` is when its order left.
    """

    n_scopes: int
    n_days: int
    order_scope: np.ndarray
    order_day: np.ndarray
    order_n: np.ndarray
    event_scope: np.ndarray
    event_placed: np.ndarray
    event_day: np.ndarray
    event_n: np.ndarray
    order_from: np.ndarray | None = None
    order_until: np.ndarray | None = None
    event_until: np.ndarray | None = None
    day0: int = 0             # the local day number of day index 0

    def joined(self) -> np.ndarray:
        return self.order_day if self.order_from is None else self.order_from

    def left(self) -> np.ndarray:
        return _never(self.order_until, len(self.order_day), self.n_days)

    def event_left(self) -> np.ndarray:
        return _never(self.event_until, len(self.event_day), self.n_days)

    def take(self, o: np.ndarray | slice, e: np.ndarray | slice, n_scopes: int = 1,
             order_scope: np.ndarray | None = None, event_scope: np.ndarray | None = None
             ) -> Counts:
        """The selected rows; by default re-indexed as one scope 0."""
        def sub(a: np.ndarray | None, rows: np.ndarray | slice) -> np.ndarray | None:
            return None if a is None else a[rows]

        days = self.order_day[o]
        placed = self.event_placed[e]
        return Counts(n_scopes, self.n_days,
                      np.zeros(len(days), np.int64) if order_scope is None else order_scope,
                      days, self.order_n[o],
                      np.zeros(len(placed), np.int64) if event_scope is None else event_scope,
                      placed, self.event_day[e], self.event_n[e], sub(self.order_from, o),
                      sub(self.order_until, o), sub(self.event_until, e), self.day0)

    def only(self, scope: int) -> Counts:
        """The rows of one scope, re-indexed as scope 0."""
        return self.take(self.order_scope == scope, self.event_scope == scope)


def _never(until: np.ndarray | None, n: int, n_days: int) -> np.ndarray:
    return np.full(n, n_days, np.int64) if until is None else until


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

    The window of day d holds the orders placed on days max(d-window+1, floor)..d that are
    members of the scope at d; an event counts once it happened (event day <= d). Built with
    difference arrays: an order row adds from the day it joined until it leaves the window or
    the scope; an event row the same from the later of its placed and event days.
    """
    keep = c.order_day >= _floors(floor, c.order_scope)
    stop = np.minimum(c.order_day + window, c.left())
    keep &= c.joined() < stop
    den = _deltas(c.n_scopes, c.n_days, c.order_scope[keep], c.joined()[keep], stop[keep],
                  c.order_n[keep])
    start = np.maximum(c.event_placed, c.event_day)
    stop = np.minimum(c.event_placed + window, c.event_left())
    keep = (c.event_placed >= _floors(floor, c.event_scope)) & (start < stop)
    num = _deltas(c.n_scopes, c.n_days, c.event_scope[keep], start[keep], stop[keep],
                  c.event_n[keep])
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


def streak_candidates(c: Counts, threshold: Threshold) -> np.ndarray:
    """Scopes with a placed day whose events could ever reach the threshold's count: the only
    ones whose daily rates are worth a (placed day × assessment day) grid."""
    per_day = np.zeros(c.n_scopes * c.n_days, np.int64)
    np.add.at(per_day, c.event_scope * c.n_days + c.event_placed, c.event_n)
    return np.flatnonzero((per_day.reshape(c.n_scopes, c.n_days) >= max(threshold.min_count, 1))
                          .any(axis=1))


def day_grid(c: Counts, scopes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(orders, events) of each placed day as known at each assessment day, for ``scopes``:
    shape (scopes, placed day, assessment day). Orders join when they become members (a
    shipping notice filed), so a day's own rate can rise and fall as the days pass."""
    index = np.full(c.n_scopes, -1, np.int64)
    index[scopes] = np.arange(len(scopes))
    den = _grid(len(scopes), c.n_days, index[c.order_scope], c.order_day, c.joined(),
                c.left(), c.order_n)
    num = _grid(len(scopes), c.n_days, index[c.event_scope], c.event_placed,
                np.maximum(c.event_placed, c.event_day), c.event_left(), c.event_n)
    return den, num


def _grid(k: int, n: int, i: np.ndarray, placed: np.ndarray, start: np.ndarray,
          stop: np.ndarray, weight: np.ndarray) -> np.ndarray:
    keep = (i >= 0) & (start < stop) & (start < n)
    i, placed, start, stop, weight = i[keep], placed[keep], start[keep], stop[keep], weight[keep]
    base = (i * n + placed) * n
    flat = np.bincount(base + start, weights=weight, minlength=k * n * n)
    inside = stop < n
    flat -= np.bincount(base[inside] + stop[inside], weights=weight[inside], minlength=k * n * n)
    return np.cumsum(flat.astype(np.int64).reshape(k, n, n), axis=2)


def qualifying(den: np.ndarray, num: np.ndarray, threshold: Threshold, lookback: int,
               floor: np.ndarray | int = 0) -> np.ndarray:
    """Whether each placed day qualifies at each assessment day: its own rate meets the
    threshold with what is known then, it lies in the last ``lookback`` days and not before
    the scope's floor. Shape as ``den``."""
    _, n, _ = den.shape
    p = np.arange(n)[:, None]
    d = np.arange(n)[None, :]
    floors = floor[:, None, None] if isinstance(floor, np.ndarray) else floor
    valid = ((p <= d) & (p >= d - lookback + 1))[None, :, :] & (p[None, :, :] >= floors)
    return valid & (den > 0) & threshold.hit(num, den)


def runs(q: np.ndarray, days: int) -> np.ndarray:
    """Whether ``days`` consecutive placed days ending at each placed day all qualify, at each
    assessment day: shape (scopes, placed day, assessment day), False before the run fits."""
    found = q.copy()
    found[:, : days - 1, :] = False
    for k in range(1, days):
        found[:, k:, :] &= q[:, :-k, :]
    return found


GRID_CELLS = 1 << 22     # scopes are gridded in chunks of at most this many cells


def streak_hits(c: Counts, threshold: Threshold, days: int, lookback: int,
                floor: np.ndarray | int = 0) -> np.ndarray:
    """For each scope and assessment day: whether ``days`` consecutive placed days, each
    meeting the threshold on its own orders with what is known that day, lie inside the last
    ``lookback`` days and on or after the scope's floor. Shape (scopes, days)."""
    hits = np.zeros((c.n_scopes, c.n_days), bool)
    candidates = streak_candidates(c, threshold)
    step = max(1, GRID_CELLS // max(c.n_days * c.n_days, 1))
    for at in range(0, len(candidates), step):
        scopes = candidates[at:at + step]
        den, num = day_grid(c, scopes)
        floors = floor[scopes] if isinstance(floor, np.ndarray) else floor
        hits[scopes] = runs(qualifying(den, num, threshold, lookback, floors), days).any(axis=1)
    return hits
