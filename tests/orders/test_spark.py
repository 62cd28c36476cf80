"""The same Ibis expressions on Spark give the same aggregate and the same violations."""

import pytest

from zhili.detect.orders import assess_orders, violations_from_orders
from zhili.detect.orders.assess import aggregate
from zhili.detect.orders.expressions import DayClock
from zhili.timekit import parse_instant

from .books import Pack, ThirtyDayBook
from .orderrows import batch, order, table

pytestmark = pytest.mark.spark
pytest.importorskip("pyspark")




def rows():
    out = batch("s1", 0, 100, 12) + batch("s2", 3, 40, 5, ship_from="ES", after=4)
    out += [order(f"n{i}", "s2", 2, ship_from="FR", line=None, sns_after=2) for i in range(12)]
    out += [r for d in (5, 6, 7) for r in batch("s3", d, 100, 60, after=1, line=f"L{d}")]
    out += [order("t1", "s4", 1, tracking_no="bad#"), order("t2", "s4", 1, bonded=True, line=None),
            order("t3", "s4", 2, tracking_no="LP-77777777", buyer="x"),
            order("t4", "s5", 2, tracking_no="LP-77777777", buyer="y")]
    return out


def test_duckdb_and_spark_agree():
    orders = table(rows())
    until = parse_instant("2026-04-01", "Asia/Shanghai")
    clock = DayClock.for_zone("Asia/Shanghai")
    keys = ["store", "line", "ship_from", "flags", "placed_day", "notice_day", "nrd_day",
            "sns_day"]

    def agg(engine):
        t = aggregate(orders, tz="Asia/Shanghai", until=until, clock=clock,
                      engine=engine).decoded()
        return t.sort_by([(k, "ascending") for k in keys]).to_pylist()

    assert agg("duckdb") == agg("spark")
    found = {e: [(v.id, dict(v.evidence)) for v in assess_orders(
        orders, Pack, until=until, engine=e, book=ThirtyDayBook()).violations]
        for e in ("duckdb", "spark")}
    assert found["duckdb"] == found["spark"]
    shipping = {e: [(v.id, v.flags, dict(v.evidence)) for v in violations_from_orders(
        orders, "tmall_global", until=until, engine=e)] for e in ("duckdb", "spark")}
    assert shipping["duckdb"] == shipping["spark"] and shipping["duckdb"]
    assert {v[0].split(":")[0] for v in found["duckdb"]} == {
        "line_nrd_rate", "ship_from_sold_not_shipped", "store_nrd_streak"}


def test_incremental_runs_agree_on_duckdb_and_spark(tmp_path):
    """The changes are keyed on the engine, the state kept in DuckDB: the same results."""
    from zhili.detect.orders.incremental import assess_incrementally
    from zhili.events import event_to_dict

    from .snapshots import changes, snapshot

    orders = table(rows())
    found = {}
    for engine in ("duckdb", "spark"):
        before, out = None, []
        for day in ("2026-03-04", "2026-03-09", "2026-04-01"):
            at = parse_instant(day, "Asia/Shanghai")
            now = snapshot(orders, at)
            result = assess_incrementally(changes(before, now), "aliexpress", until=at,
                                          state=tmp_path / f"{engine}.duckdb", engine=engine)
            out.append([event_to_dict(v) for v in result.violations])
            before = now
        found[engine] = out
    assert found["duckdb"] == found["spark"]
    full = assess_orders(orders, "aliexpress", until=parse_instant("2026-04-01",
                                                                   "Asia/Shanghai"))
    assert found["duckdb"][-1] == [event_to_dict(v) for v in full.violations]
