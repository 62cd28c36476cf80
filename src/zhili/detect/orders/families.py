"""The AliExpress fulfilment rules of 速卖通自发货履约规则 2022-07-19 as scope families over the aggregate.

A *family* is a kind of assessed scope (a line, an overseas ship-from country, a store's
self-fulfilled orders) with the sanction that freezes it and the triggers assessed on it. The
ship-from family has two triggers (NRD, sold-not-shipped) that share one freeze.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import PackError
from ...i18n import _
from .expressions import IN_LINE, IN_SHIP_FROM, IN_STORE, LEAVES_SHIP_FROM, NAME_COLUMNS
from .series import Counts, Threshold, streak_hits, window_series
from .thresholds import Thresholds


@dataclass(frozen=True)
class Trigger:
    code: str
    event_col: str            # nrd_day | sns_day
    event_name: str           # how people call the counted event
    threshold: Threshold
    window: int               # days of placed orders in the window (streak: lookback)
    streak_days: int = 0      # 0: a window rate; k: k consecutive qualifying days
    effective: int | None = None  # local day number the rule took effect (None: always)

    def hit_days(self, c: Counts, floor: np.ndarray | int = 0) -> np.ndarray:
        """For each scope and assessment day: whether this trigger hits (shape scopes × days)."""
        if self.streak_days:
            hits = streak_hits(c, self.threshold, self.streak_days, self.window, floor)
        else:
            den, num = window_series(c, self.window, floor)
            hits = self.threshold.hit(num, den)
        if self.effective is not None:      # nothing is raised before the rule took effect
            hits[:, : max(0, min(self.effective - c.day0, c.n_days))] = False
        return hits


@dataclass(frozen=True)
class Family:
    name: str                 # line | ship_from | store
    member: str               # membership column of the aggregate
    scope_col: str | None     # aggregate column naming the scope; None: the store itself
    sanction: str
    triggers: tuple[Trigger, ...]
    # 速卖通自发货履约规则 2022-07-19: when an order is a member, as far as was known at each assessment. A line
    # (and the store's self-fulfilled orders) holds an order from the day its shipping notice
    # naming the line is filed; the ship-from scope from the order on, until a notice names a
    # Cainiao overseas-warehouse line (``LEAVES_SHIP_FROM``).
    joins_at_notice: bool = False
    leaves_bit: int = 0

    def sanction_name(self, scope: str) -> str:
        return self.sanction if self.scope_col is None else f"{self.sanction}:{scope}"


def effective_day(th: Thresholds, rule: str) -> int | None:
    """The local day number from which ``rule`` is in force (its ``effective`` parameter)."""
    if f"{rule}.effective" not in th.params:
        return None
    value = th.value(f"{rule}.effective")
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        raise PackError(_("expected a date such as 2022-07-28, got %(value)r")
                        % {"value": value}, file=th.file,
                        path=f"detectors.{rule}.effective") from None
    return (day - dt.date(1970, 1, 1)).days


def aliexpress_families(th: Thresholds) -> tuple[Family, ...]:
    window = int(th.value("window_days"))

    def rate(code: str, col: str, name: str) -> Trigger:
        return Trigger(code, col, name, Threshold.of(th.value(f"{code}.rate"),
                                                     th.value(f"{code}.min_count")), window,
                       effective=effective_day(th, code))

    streak = Trigger("store_nrd_streak", "nrd_day", "NRD disputes",
                     Threshold.of(th.value("store_nrd_streak.rate"),
                                  th.value("store_nrd_streak.min_count")),
                     int(th.value("store_nrd_streak.lookback_days")),
                     int(th.value("store_nrd_streak.days")),
                     effective_day(th, "store_nrd_streak"))
    return (
        Family("line", "in_line", "line", "freeze_logistics_line",
               (rate("line_nrd_rate", "nrd_day", "NRD disputes"),), joins_at_notice=True),
        Family("ship_from", "in_ship_from", "ship_from", "freeze_ship_from",
               (rate("ship_from_nrd_rate", "nrd_day", "NRD disputes"),
                rate("ship_from_sold_not_shipped", "sns_day", "sold-not-shipped orders")),
               leaves_bit=LEAVES_SHIP_FROM),
        Family("store", "in_store", None, "freeze_non_cainiao_lines", (streak,),
               joins_at_notice=True),
    )


@dataclass
class FamilyCounts:
    """One family's aggregate: its scopes (store, scope) and per-trigger counts."""

    family: Family
    keys: list[tuple[str, str]]
    counts: dict[str, Counts] = field(default_factory=dict)
    _offsets: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def only(self, code: str, scope: int) -> Counts:
        """One scope's rows, sliced from rows sorted by scope (no scan of the whole family)."""
        o_off, e_off = self._offsets[code]
        return self.counts[code].take(slice(o_off[scope], o_off[scope + 1]),
                                      slice(e_off[scope], e_off[scope + 1]))


@dataclass(frozen=True)
class CodedAggregate:
    """The backend's aggregate as integer arrays: each string key column as ranks into its
    sorted distinct values (so integer order is name order), days relative to ``day0`` (-1: no
    event). Everything after the one pass over the orders works on these integers."""

    flags: np.ndarray
    placed: np.ndarray
    events: dict[str, np.ndarray]
    n: np.ndarray
    codes: dict[str, np.ndarray]
    names: dict[str, list[str]]
    notice: np.ndarray        # the day the shipping notice was filed (-1: not by then)
    day0: int


MEMBER_BITS = {"in_line": IN_LINE, "in_ship_from": IN_SHIP_FROM, "in_store": IN_STORE}
DENSE_LIMIT = 1 << 25      # a dense count array up to this size; sorting beyond it


@dataclass(frozen=True)
class Aggregate:
    """The backend's aggregate and, per scope column, its distinct ``names`` with the ``keys``
    that stand for them in ``table`` (their hashes, or the names themselves)."""

    table: pa.Table
    names: dict[str, tuple[pa.Array, pa.Array]]

    def decoded(self) -> pa.Table:
        """The table with names in the scope columns (engines agree on this, not on hashes)."""
        table = self.table
        for col, (values, keys) in self.names.items():
            index = pc.index_in(table.column(col), value_set=keys)
            table = table.set_column(table.schema.get_field_index(col), col, values.take(index))
        return table


def _codes(column: pa.ChunkedArray, values: pa.Array, keys: pa.Array
           ) -> tuple[np.ndarray, list[str]]:
    """Ranks of the names ``column`` holds (by their keys) among the sorted names."""
    order = pc.sort_indices(values).to_numpy()           # a null (no line) sorts last
    rank = np.empty(len(order), np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    index = pc.index_in(column, value_set=keys)
    if index.null_count:
        raise AssertionError("a scope key without a name")
    names = [v if v is not None else "" for v in values.take(pa.array(order)).to_pylist()]
    return rank[index.to_numpy()], names


def code_aggregate(agg: Aggregate, day0: int) -> CodedAggregate:
    """The backend's aggregate, coded. Rows of no rule stay (each family takes its members);
    their days may lie before ``day0``."""
    t = agg.table
    # The three lookups run in parallel (pyarrow releases the GIL).
    with ThreadPoolExecutor(3) as pool:
        coded = dict(zip(NAME_COLUMNS, pool.map(lambda col: _codes(t.column(col), *agg.names[col]),
                                                NAME_COLUMNS), strict=True))
    codes = {col: c for col, (c, _) in coded.items()}
    names = {col: n for col, (_, n) in coded.items()}

    def days(col: str) -> np.ndarray:     # int32; nulls (no event) become -1
        column = pc.fill_null(t.column(col), pa.scalar(day0 - 1, t.schema.field(col).type))
        return pc.subtract(column, pa.scalar(day0, pa.int32())).to_numpy()

    events = {col: days(col) for col in ("nrd_day", "sns_day")}
    return CodedAggregate(t.column("flags").to_numpy(), days("placed_day"), events,
                          t.column("n").to_numpy(), codes, names, days("notice_day"), day0)


def _dense(size: int, rows: int) -> bool:
    """Whether a dense array over the key space beats sorting the keys: not when the space
    dwarfs the rows (keys of (scope, placed, joined, left) days are sparse)."""
    return size <= DENSE_LIMIT and size <= 16 * rows + (1 << 16)


def _sum_by(key: np.ndarray, weights: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys (ascending, all in ``range(size)``) and the sum of the positive
    ``weights`` over each."""
    if _dense(size, len(key)):
        total = np.bincount(key, weights=weights, minlength=size)
        present = np.flatnonzero(total)
        return present, total[present].astype(np.int64)
    uniq, inverse = np.unique(key, return_inverse=True)
    return uniq, np.bincount(inverse, weights=weights).astype(np.int64)


def _dense_ids(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys (ascending) and, for each element, the index of its key among them."""
    if _dense(size, len(key)):
        present = np.zeros(size, bool)
        present[key] = True
        return np.flatnonzero(present), (np.cumsum(present) - 1)[key]
    return np.unique(key, return_inverse=True)


def family_counts(agg: CodedAggregate, family: Family, n_days: int) -> FamilyCounts:
    member = (agg.flags & MEMBER_BITS[family.member]) != 0
    placed, notice = agg.placed[member].astype(np.int64), agg.notice[member].astype(np.int64)
    # The days each row joins and leaves the scope, as known at each assessment.
    joined = notice if family.joins_at_notice else placed
    left = np.full(len(placed), n_days, np.int64)
    if family.leaves_bit:
        leaves = ((agg.flags[member] & family.leaves_bit) != 0) & (notice >= 0)
        left = np.where(leaves, notice, left)
    counted = (joined >= 0) & (joined < np.minimum(left, n_days))   # else in no assessment
    member[member] = counted
    placed, joined, left = placed[counted], joined[counted], left[counted]
    stores = agg.codes["store"][member].astype(np.int64)
    if family.scope_col:
        scope_names = agg.names[family.scope_col]
        scope_code = agg.codes[family.scope_col][member]
    else:
        scope_names = ["store"]
        scope_code = np.zeros(len(stores), np.int64)
    width = len(scope_names)
    pair = stores * width + scope_code
    uniq, scope = _dense_ids(pair, len(agg.names["store"]) * width)
    store_names = agg.names["store"]
    keys = [(store_names[k // width], scope_names[k % width]) for k in uniq.tolist()]
    fc = FamilyCounts(family, keys)
    n = agg.n[member]
    size = len(keys) * n_days * n_days * (n_days + 1)
    o_key, order_n = _sum_by(((scope * n_days + placed) * n_days + joined) * (n_days + 1)
                             + left, n, size)
    order_scope, order_day, order_from, order_until = _unkey(o_key, n_days)
    bins = np.arange(len(keys) + 1)
    o_off = np.searchsorted(order_scope, bins)
    for trig in family.triggers:
        event = agg.events[trig.event_col][member].astype(np.int64)
        start = np.maximum(event, joined)          # an event counts once its order is a member
        has = (event >= 0) & (start < left)
        e_key, e_n = _sum_by(((scope[has] * n_days + placed[has]) * n_days + start[has])
                             * (n_days + 1) + left[has], n[has], size)
        e_scope, e_placed, e_day, e_until = _unkey(e_key, n_days)
        fc.counts[trig.code] = Counts(len(keys), n_days, order_scope, order_day, order_n,
                                      e_scope, e_placed, e_day, e_n, order_from, order_until,
                                      e_until, agg.day0)
        fc._offsets[trig.code] = (o_off, np.searchsorted(e_scope, bins))
    return fc


def _unkey(key: np.ndarray, n_days: int) -> tuple[np.ndarray, ...]:
    """(scope, placed day, day, until) from keys made as in ``family_counts``."""
    rest, until = np.divmod(key, n_days + 1)
    rest, day = np.divmod(rest, n_days)
    scope, placed = np.divmod(rest, n_days)
    return scope, placed, day, until
