"""The AliExpress scope families over a coded aggregate (which orders count for which line,
ship-from country or store, from and until when), against a direct reading row by row; the
effective date of each rule; the dense and sparse tables giving the same keys. Pure numpy and
pyarrow: no order table, no DuckDB, so the mutation check can run them for every mutant."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhili.detect.orders.expressions import IN_LINE, IN_SHIP_FROM, IN_STORE, LEAVES_SHIP_FROM
from zhili.detect.orders.families import (
    DENSE_LIMIT,
    Aggregate,
    CodedAggregate,
    _dense,
    _dense_ids,
    _sum_by,
    aliexpress_families,
    code_aggregate,
    effective_day,
    family_counts,
)
from zhili.detect.orders.series import PPM, Counts, Threshold, window_series
from zhili.detect.orders.thresholds import thresholds_for
from zhili.errors import PackError

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")

TH = thresholds_for("aliexpress")
LINE, SHIP_FROM, STORE = aliexpress_families(TH)
STORES = ["S1", "S2", "S3"]
LINES = ["CAINIAO-STD", "YANWEN", ""]         # "": no line (no shipping notice)
COUNTRIES = ["CN", "ES", "FR"]

# A row of the aggregate: (store, line, ship-from, flags, placed, notice, nrd, sns, orders),
# days relative to day 0; -1: no shipping notice, no dispute (or not by the last day: the
# aggregate knows nothing later). Notices and disputes come on or after the placed day.
def rows(n_days: int) -> st.SearchStrategy[list[tuple[int, ...]]]:
    def later(placed: int) -> st.SearchStrategy[int]:
        return st.one_of(st.just(-1), st.integers(placed, n_days - 1))

    row = st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2), st.integers(0, 31),
                    st.integers(0, n_days - 1), st.integers(1, 3)).flatmap(
        lambda r: st.tuples(later(r[4]), later(r[4]), later(r[4])).map(
            lambda days: (*r[:5], *days, r[5])))
    return st.lists(row, max_size=16)


days_and_rows = st.integers(1, 10).flatmap(lambda n: st.tuples(st.just(n), rows(n)))


def coded(data: list[tuple[int, ...]], day0: int = 0) -> CodedAggregate:
    def col(i: int) -> np.ndarray:
        return np.array([r[i] for r in data], np.int64)

    return CodedAggregate(col(3), col(4), {"nrd_day": col(6), "sns_day": col(7)}, col(8),
                          {"store": col(0), "line": col(1), "ship_from": col(2)},
                          {"store": STORES, "line": LINES, "ship_from": COUNTRIES},
                          col(5), day0)


def reference(data: list[tuple[int, ...]], family_bit: int, scope: int | None,
              at_notice: bool, leaves: int, event: int, n_days: int):
    """(keys, order rows, event rows) read directly: an order is a member of its scope from
    its placed day (a line, the store's self-fulfilled orders: from its shipping notice) until
    a notice moves it out; an event counts from the later of its day and the order's joining."""
    orders: dict[tuple, int] = defaultdict(int)
    events: dict[tuple, int] = defaultdict(int)
    for r in data:
        if not r[3] & family_bit:
            continue
        placed, notice = r[4], r[5]
        joined = notice if at_notice else placed
        left = notice if leaves and r[3] & leaves and notice >= 0 else n_days
        if joined < 0 or joined >= min(left, n_days):
            continue                      # a member on no assessment day
        key = (r[0], 0 if scope is None else r[scope])       # name order: "" (no line) last
        orders[key, placed, joined, left] += r[8]
        day = r[event]
        if day >= 0 and max(day, joined) < left:
            events[key, placed, max(day, joined), left] += r[8]
    keys = sorted({k for k, *_ in orders})
    index = {k: i for i, k in enumerate(keys)}
    names = ["store"] if scope is None else [LINES, COUNTRIES][scope - 1]
    return ([(STORES[a], names[b]) for a, b in keys], sorted((index[k], *rest, n) for (k, *rest), n in orders.items()),
            sorted((index[k], *rest, n) for (k, *rest), n in events.items()))


def rows_of(c: Counts, events: bool) -> list[tuple[int, ...]]:
    cols = ((c.event_scope, c.event_placed, c.event_day, c.event_left(), c.event_n) if events
            else (c.order_scope, c.order_day, c.joined(), c.left(), c.order_n))
    return sorted(zip(*(a.tolist() for a in cols), strict=True))


@settings(max_examples=80, deadline=None)
@given(days_and_rows)
def test_family_rows_are_the_members_as_known_each_day(days_and_data):
    n_days, data = days_and_data
    agg = coded(data)
    for family, bit, scope, at_notice, leaves in (
            (LINE, IN_LINE, 1, True, 0), (SHIP_FROM, IN_SHIP_FROM, 2, False, LEAVES_SHIP_FROM),
            (STORE, IN_STORE, None, True, 0)):
        fc = family_counts(agg, family, n_days)
        for trig in family.triggers:
            keys, orders, events = reference(data, bit, scope, at_notice, leaves,
                                             6 if trig.event_col == "nrd_day" else 7, n_days)
            c = fc.counts[trig.code]
            assert fc.keys == keys
            assert (c.n_scopes, c.n_days, c.day0) == (len(keys), n_days, 0)
            assert rows_of(c, False) == orders
            assert rows_of(c, True) == events
            for i in range(len(keys)):          # one scope's rows, sliced by its offsets
                one, alone = fc.only(trig.code, i), c.only(i)
                assert rows_of(one, False) == rows_of(alone, False)
                assert rows_of(one, True) == rows_of(alone, True)


def test_a_line_holds_an_order_from_its_shipping_notice_the_ship_from_from_its_placing():
    """速卖通自发货履约规则 2022-07-19: placed on day 1, its notice naming the line filed on day 3, disputed on
    day 2: the line counts the order and its dispute from day 3; the ship-from country from
    day 1 and 2, until a notice names a Cainiao overseas-warehouse line."""
    data = [(0, 0, 1, IN_LINE | IN_SHIP_FROM | IN_STORE, 1, 3, 2, -1, 1),
            (0, 0, 1, IN_SHIP_FROM | LEAVES_SHIP_FROM, 1, 4, 2, -1, 1)]
    agg = coded(data)
    line, ship_from, store = (family_counts(agg, f, 6) for f in (LINE, SHIP_FROM, STORE))
    assert line.keys == [("S1", "CAINIAO-STD")] and store.keys == [("S1", "store")]
    assert ship_from.keys == [("S1", "ES")]
    den, num = window_series(line.counts["line_nrd_rate"], 30)
    assert (den.tolist(), num.tolist()) == ([[0, 0, 0, 1, 1, 1]], [[0, 0, 0, 1, 1, 1]])
    den, num = window_series(store.counts["store_nrd_streak"], 30)
    assert den.tolist() == [[0, 0, 0, 1, 1, 1]]
    den, num = window_series(ship_from.counts["ship_from_nrd_rate"], 30)
    assert (den.tolist(), num.tolist()) == ([[0, 2, 2, 2, 1, 1]], [[0, 0, 2, 2, 1, 1]])


def test_rules_take_effect_on_their_dated_parameter():
    """AliExpress (S004): 「公示期截止7月27日,7月28日起正式生效」 — day 19201 of the Unix
    epoch; nothing is raised for an assessment day before it."""
    assert dt.date(1970, 1, 1) + dt.timedelta(days=19201) == dt.date(2022, 7, 28)
    for family in (LINE, SHIP_FROM, STORE):
        assert {t.effective for t in family.triggers} == {19201}
    assert effective_day(TH, "no_such_rule") is None
    bad = dataclasses.replace(TH.param("line_nrd_rate.effective"), values=("28 July",))
    th = type(TH)(TH.pack, {**TH.params, "line_nrd_rate.effective": bad})
    with pytest.raises(PackError, match="expected a date such as 2022-07-28"):
        effective_day(th, "line_nrd_rate")
    th = type(TH)(TH.pack, {**TH.params, "line_nrd_rate.effective": dataclasses.replace(
        bad, values=(dt.date(2022, 7, 28),))})
    assert effective_day(th, "line_nrd_rate") == 19201


@pytest.mark.parametrize("effective", [-3, 0, 2, 5, 6, 9])
def test_nothing_is_raised_before_the_rule_took_effect(effective):
    """Assessment days 100..105 (local day numbers), a window that hits every day: the
    trigger hits from its effective day on, every day if it took effect before, none if
    after."""
    rows = [(0, p, p, 6, 1) for p in range(6)]
    col = [np.array([r[i] for r in rows], np.int64) for i in range(5)]
    c = Counts(1, 6, col[0], col[1], col[4], col[0], col[1], col[2], col[4], col[2], col[3],
               col[3], day0=100)
    trig = dataclasses.replace(LINE.triggers[0], threshold=Threshold(PPM, 1),
                               effective=100 + effective)
    assert trig.hit_days(c).tolist() == [[d >= effective for d in range(6)]]
    always = dataclasses.replace(trig, effective=None)
    assert always.hit_days(c).tolist() == [[True] * 6]


def test_code_aggregate_ranks_names_and_counts_days_from_day0():
    """Scope names become ranks in name order (the row of no line sorts last), days become
    offsets from day 0, and a missing day (no dispute) becomes -1."""
    day0 = 20_000
    table = pa.table({
        "store": pa.array([11, 10, 11], pa.int64()), "line": pa.array([7, None, 8], pa.int64()),
        "ship_from": pa.array([1, 1, 2], pa.int64()), "flags": pa.array([1, 3, 7], pa.int64()),
        "placed_day": pa.array([day0, day0 + 2, day0 - 1], pa.int32()),
        "notice_day": pa.array([day0 + 1, None, day0], pa.int32()),
        "nrd_day": pa.array([None, day0 + 4, day0 + 5], pa.int32()),
        "sns_day": pa.array([day0 + 3, None, None], pa.int32()),
        "n": pa.array([2, 1, 5], pa.int64())})
    names = {"store": (pa.array(["S2", "S1"]), pa.array([10, 11], pa.int64())),
             "line": (pa.array(["YANWEN", "CAINIAO", None]), pa.array([7, 8, None], pa.int64())),
             "ship_from": (pa.array(["ES", "CN"]), pa.array([1, 2], pa.int64()))}
    agg = code_aggregate(Aggregate(table, names), day0)
    assert agg.names == {"store": ["S1", "S2"], "line": ["CAINIAO", "YANWEN", ""],
                         "ship_from": ["CN", "ES"]}
    assert {k: v.tolist() for k, v in agg.codes.items()} == {
        "store": [0, 1, 0], "line": [1, 2, 0], "ship_from": [1, 1, 0]}
    assert agg.placed.tolist() == [0, 2, -1] and agg.notice.tolist() == [1, -1, 0]
    assert agg.events["nrd_day"].tolist() == [-1, 4, 5]
    assert agg.events["sns_day"].tolist() == [3, -1, -1]
    assert agg.flags.tolist() == [1, 3, 7] and agg.n.tolist() == [2, 1, 5]
    assert agg.day0 == day0
    assert Aggregate(table, names).decoded().column("line").to_pylist() == [
        "YANWEN", None, "CAINIAO"]


def test_dense_tables_up_to_their_limit_and_while_the_key_space_is_not_much_sparser():
    """A dense count array over the key space while it is at most DENSE_LIMIT cells and at
    most 16 cells per row plus 65536; sorted keys beyond either."""
    rows = DENSE_LIMIT
    assert _dense(DENSE_LIMIT, rows) and not _dense(DENSE_LIMIT + 1, rows)
    assert _dense(16 * 1000 + 65536, 1000) and not _dense(16 * 1000 + 65537, 1000)
    assert _dense(65536, 0) and not _dense(65537, 0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 300), max_size=40), st.sampled_from([301, 1 << 26]))
def test_dense_and_sorted_tables_agree(keys, size):
    """Both ways of grouping give the distinct keys in order, each element's group and each
    group's total (``size`` 301: dense; 2**26: past the limit, sorted)."""
    key = np.array(keys, np.int64)
    distinct = sorted(set(keys))
    present, ids = _dense_ids(key, size)
    assert present.tolist() == distinct
    assert ids.tolist() == [distinct.index(k) for k in keys]
    weights = np.arange(1, len(keys) + 1, dtype=np.int64)
    present, total = _sum_by(key, weights.astype(np.float64), size)
    assert present.tolist() == distinct
    assert total.tolist() == [sum(w for k, w in zip(keys, weights.tolist(), strict=True)
                                  if k == d) for d in distinct]
