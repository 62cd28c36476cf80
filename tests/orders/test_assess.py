"""The daily assessments of 速卖通自发货履约规则 2022-07-19 with a stand-in book (every violation freezes 30 days,
the store streak permanently); engine-backed cases are the pack's scenario files."""

import datetime as dt

import ibis
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from zhili.detect.orders import EarlyWarning, assess_orders, early_warnings
from zhili.detect.orders.series import Counts, Threshold, window_series
from zhili.events import ExemptionDeclared
from zhili.i18n import use_language

from .books import Pack, ThirtyDayBook
from .orderrows import batch, order, table


def run(rows, until="2026-06-01", events=()):
    return assess_orders(table(rows), Pack, until=until, events=events, book=ThirtyDayBook())


def test_line_freezes_at_ten_disputes_and_ten_percent():
    hit = run(batch("s1", 0, 100, 10)).violations
    assert [v.id for v in hit] == ["line_nrd_rate:s1:LINE-A:2026-03-02"]
    v = hit[0]
    assert v.at == dt.datetime(2026, 3, 3, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert (v.evidence["orders"], v.evidence["nrd"], v.evidence["rate"]) == (100, 10, 0.1)
    assert v.evidence["threshold"] == {"rate": 0.1, "min_count": 10}
    assert run(batch("s1", 0, 100, 9)).violations == []          # 9 disputes: too few
    assert run(batch("s1", 0, 101, 10)).violations == []         # 9.9%: rate too low


def test_one_batch_is_never_punished_twice():
    rows = batch("s1", 0, 100, 10, after=0)
    rows += [r for d in range(1, 60) for r in batch("s1", d, 5, 0)]
    assert len(run(rows).violations) == 1
    # Frozen from 03-02 00:00 for 30 days; afterwards the window starts at the freeze's end.
    again = rows + batch("s1", 32, 50, 10, prefix="x")
    found = run(again).violations
    assert [v.id for v in found] == ["line_nrd_rate:s1:LINE-A:2026-03-01",
                                     "line_nrd_rate:s1:LINE-A:2026-04-03"]
    assert found[1].evidence["window"]["start"] == "2026-04-01"
    assert (found[1].evidence["orders"], found[1].evidence["nrd"]) == (65, 10)


def test_disputes_count_only_once_known():
    rows = batch("s1", 0, 50, 10, after=20)
    (v,) = run(rows).violations
    assert v.id == "line_nrd_rate:s1:LINE-A:2026-03-21"
    assert run(rows, until="2026-03-21 12:00").violations == []


def test_ship_from_excludes_cainiao_overseas_warehouse_and_counts_both_triggers():
    ow = batch("s1", 0, 100, 20, ship_from="ES", line="CAINIAO-OW-ES", cainiao=True,
               overseas_wh=True)
    assert [v.code for v in run(ow).violations] == ["line_nrd_rate"]
    cross = batch("s1", 0, 100, 11, ship_from="ES", line="CAINIAO-STD", cainiao=True)
    sns = [order(f"n{i}", "s1", 0, ship_from="ES", line=None, sns_after=1) for i in range(10)]
    codes = sorted(v.code for v in run(cross + sns).violations)
    assert codes == ["line_nrd_rate", "ship_from_nrd_rate", "ship_from_sold_not_shipped"]


def test_store_streak_needs_three_consecutive_days():
    rows = [r for d in (0, 1, 2) for r in batch("s1", d, 100, 50, after=2, line=f"L{d}")]
    streak = [v for v in run(rows).violations if v.code == "store_nrd_streak"]
    assert [v.id for v in streak] == ["store_nrd_streak:s1:store:2026-03-05"]
    assert [d["nrd"] for d in streak[0].evidence["days"]] == [50, 50, 50]
    gap = [r for d in (0, 1, 3) for r in batch("s1", d, 100, 50, after=2, line=f"L{d}")]
    assert not [v for v in run(gap).violations if v.code == "store_nrd_streak"]
    cainiao = [r for d in (0, 1, 2) for r in batch("s1", d, 100, 50, after=2, cainiao=True)]
    assert not [v for v in run(cainiao).violations if v.code == "store_nrd_streak"]


def test_exemption_removes_orders_from_numerator_and_denominator():
    rows = batch("s1", 0, 100, 10)
    tz = dt.timezone(dt.timedelta(hours=8))
    ex = ExemptionDeclared(id="ex", at=dt.datetime(2026, 3, 1, tzinfo=tz), subject=None,
                           scope="LINE-A", start=dt.datetime(2026, 3, 1, tzinfo=tz),
                           end=dt.datetime(2026, 3, 2, tzinfo=tz), reason="force majeure")
    assert run(rows, events=[ex]).violations == []


def test_early_warning_says_how_far_a_line_is():
    rows = [r for d in range(10) for r in batch("s1", d, 7, 1 if d < 8 else 0)]
    rows += batch("s1", 10, 4, 0)
    result = assess_orders(table(rows), "aliexpress", until="2026-03-14", book=ThirtyDayBook())
    line = next(w for w in early_warnings(result) if w.code == "line_nrd_rate")
    assert (line.family, line.scope, line.metric, line.events, line.orders, line.more_needed,
            line.sanction, line.sanction_days) == ("line", "LINE-A", "nrd", 8, 74, 2,
                                                   "freeze_logistics_line", 30.0)
    with use_language("zh-CN"):
        assert line.message == ("LINE-A：74 单中有 8 起未收到货纠纷（10.8%）；"
                                "再有 2 起纠纷即触发冻结物流线路权限（为期 30 天）")
        assert line.to_dict()["message"] == line.message
    with use_language("en"):
        assert line.message == ("LINE-A: 8 NRD disputes in 74 orders (10.8%): "
                                "2 more disputes bring Logistics line frozen (for 30 days)")


def test_early_warning_names_sold_not_shipped_in_chinese():
    w = EarlyWarning("s1", "ship_from", "ES", "ship_from_sold_not_shipped", 241, 0, 0.0, 13,
                     False, metric="sold_not_shipped", pack="aliexpress",
                     sanction="freeze_ship_from", sanction_days=30.0)
    with use_language("zh-CN"):
        assert w.message == ("ES：241 单中有 0 单成交不卖（0.0%）；"
                             "再有 13 单成交不卖即触发冻结海外发货地考核线路（为期 30 天）")
    with use_language("en"):
        assert w.message == ("ES: 0 sold-not-shipped orders in 241 orders (0.0%): 13 more "
                             "sold-not-shipped orders bring Overseas ship-from lines frozen "
                             "(for 30 days)")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 19), st.integers(0, 10), st.integers(1, 5)),
                max_size=25),
       st.integers(1, 10), st.integers(0, 12))
def test_window_series_matches_a_direct_count(rows, window, floor):
    days = 24
    placed = np.array([p for p, _, _ in rows], np.int64)
    event = np.array([p + lag for p, lag, _ in rows], np.int64)
    n = np.array([k for _, _, k in rows], np.int64)
    c = Counts(1, days, np.zeros(len(rows), np.int64), placed, n, np.zeros(len(rows), np.int64),
               placed, event, n)
    den, num = window_series(c, window, floor)
    for d in range(days):
        inside = [(p, e, k) for (p, e, k) in zip(placed, event, n, strict=True)
                  if max(d - window + 1, floor) <= p <= d]
        assert den[0, d] == sum(k for _, _, k in inside)
        assert num[0, d] == sum(k for _, e, k in inside if e <= d)


def test_threshold_more_needed():
    th = Threshold.of(0.10, 10)
    assert th.more_needed(8, 74) == 2
    assert th.more_needed(8, 150) == 7
    assert th.more_needed(0, 9) is None


def test_early_warning_knows_the_next_freeze_is_permanent():
    rows = []
    for k, day in enumerate((0, 31, 62)):
        rows += batch("s1", day, 100, 10, after=0, prefix=f"b{k}")
    rows += batch("s1", 93, 100, 4, after=0, prefix="b3")
    a = assess_orders(table(rows), "aliexpress", until="2026-06-03", book=ThirtyDayBook())
    assert len(a.violations) == 3
    (w,) = [w for w in early_warnings(a) if w.code == "line_nrd_rate"]
    assert w.sanction_permanent and w.sanction_days is None
    with use_language("en"):
        assert w.message.endswith("6 more disputes bring Logistics line frozen (permanent)")


def test_early_warning_counts_qualifying_days_towards_a_store_streak():
    rows = [r for d in (0, 1) for r in batch("s1", d, 100, 50, after=0, line=f"L{d}")]
    result = assess_orders(table(rows), "aliexpress", until="2026-03-03", book=ThirtyDayBook())
    (w,) = [w for w in early_warnings(result) if w.code == "store_nrd_streak"]
    assert w.more_needed == 1
    with use_language("en"):
        assert w.message == ("store: 2 days in a row with NRD disputes ≥ 30% and ≥ 50 "
                             "(2026-03-01, 2026-03-02): 1 more such day brings All non-Cainiao "
                             "lines frozen (permanent)")
    with use_language("zh-CN"):
        assert w.message == ("store：已连续 2 天未收到货纠纷率 ≥ 30% 且纠纷 ≥ 50 起"
                             "（2026-03-01, 2026-03-02）；再有 1 天即触发冻结所有非菜鸟线路（永久）")


def test_colliding_name_hashes_fall_back_to_grouping_on_names(monkeypatch):
    """The aggregation groups on hashes of store, line and ship-from only if they tell every
    name apart; with every hash equal it groups on the names and finds the same."""
    from zhili.detect.orders import assess

    rows = batch("s1", 0, 100, 10) + batch("s2", 0, 100, 10, line="LINE-B")
    expected = [(v.id, v.evidence) for v in run(rows).violations]
    assert [v[0] for v in expected] == ["line_nrd_rate:s1:LINE-A:2026-03-02",
                                        "line_nrd_rate:s2:LINE-B:2026-03-02"]
    hashed = assess.fulfilment_counts
    seen = []

    def spy(*args, **kwargs):
        seen.append(kwargs["hashed"])
        return hashed(*args, **kwargs)

    real_names = assess.scope_names
    monkeypatch.setattr(assess, "fulfilment_counts", spy)
    monkeypatch.setattr(assess, "scope_names",
                        lambda t: real_names(t).mutate(h=ibis.literal(7, "int64")))
    assert [(v.id, v.evidence) for v in run(rows).violations] == expected
    assert seen == [False]


def test_an_assessment_uses_no_notice_filed_after_it(tmp_path):
    """速卖通自发货履约规则 2022-07-19 on a generated table: as of 2026-02-09 00:00, S000029's line CAINIAO-STD held
    194 orders (19 disputes, 9.8%) when notices filed later were used; on the orders whose
    notice naming the line was filed by each assessment it is frozen at the end of 02-07
    (183 orders, 19 disputes) and would hold 187 orders (10.2%) on 02-08."""
    from zhili.detect.orders.generate import generate_orders

    path = tmp_path / "orders.parquet"
    generate_orders(path, stores=40, days=60, seed=11)
    found = assess_orders(path, Pack, until="2026-02-09 00:00", book=ThirtyDayBook())
    line = [v for v in found.violations
            if v.subject == "S000029" and v.evidence.get("scope") == "CAINIAO-STD"]
    assert [v.id for v in line] == ["line_nrd_rate:S000029:CAINIAO-STD:2026-02-07"]
    assert (line[0].evidence["orders"], line[0].evidence["nrd"]) == (183, 19)
    con = ibis.duckdb.connect()
    t = con.read_parquet(str(path))
    for day, orders in (("2026-02-07", 183), ("2026-02-08", 187)):
        end = dt.datetime.fromisoformat(f"{day}T00:00+08:00") + dt.timedelta(days=1)
        window = t.filter((t.store == "S000029") & (t.line == "CAINIAO-STD")
                          & (t.placed_at >= end - dt.timedelta(days=30)) & (t.placed_at < end))
        known = window.filter(window.ship_notice_at < end)
        assert known.count().execute() == orders
        assert known.filter(known.nrd_at < end).count().execute() == 19
    assert window.count().execute() == 194      # with the notices filed after 02-09 00:00
