"""Benchmark: the complete AliExpress assessment against honest single-rule baselines.

    python benchmarks/orders.py --orders 100000000 --days 90      # the issue's size
    python benchmarks/orders.py --orders 2000000 --days 90        # a quick run

Generates the orders (Parquet, DuckDB SQL), then in one run, every measure reading the same
Parquet file from the start:
  1. the column read: the columns the rules need, merely read (one DuckDB query summing each):
     the physical floor no assessment can beat;
  2. the complete assessment (`assess_orders`, every rule of 速卖通自发货履约规则 2022-07-19, every daily assessment,
     folding through the engine);
  3. the line rule alone in one hand-written DuckDB SQL query (per line, the 30-day window
     rate at the end of every day, orders on their line from their notice's day, no freezes);
  4. the same line rule in Polars, lazy, on its streaming engine, checked to give the same
     (store, line, day) hits as the SQL query;
  5. the narrowest query: the line rule as of the last day only;
and reports seconds, orders per second, the ratios, and peak memory (RSS high-water mark).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb
from rich.console import Console
from rich.progress import Progress

from zhili.detect.orders import assess_orders
from zhili.detect.orders.incremental import assess_incrementally
from zhili.events import event_to_dict

T = TypeVar("T")
WINDOW = 30
OFFSET = 8 * 3600          # Asia/Shanghai
DAY = 86_400

# The line rule at every daily assessment (no freezes), in one hand-written query. An order
# enters its line's window on the day its shipping notice is filed (速卖通自发货履约规则 2022-07-19) and leaves 30
# days after its placed day; a dispute enters on the later of that and its own day.
FLOOR_SQL = f"""
WITH daily AS (
  SELECT store, line,
         (epoch(placed_at)::BIGINT + {OFFSET}) // {DAY} AS pday,
         (epoch(ship_notice_at)::BIGINT + {OFFSET}) // {DAY} AS jday,
         (epoch(nrd_at)::BIGINT + {OFFSET}) // {DAY} AS nday,
         count(*) AS n
  FROM read_parquet(?) WHERE line IS NOT NULL AND ship_notice_at IS NOT NULL AND line_assessed
  GROUP BY ALL
), deltas AS (
  SELECT store, line, jday AS d, n AS o, 0 AS k FROM daily WHERE jday < pday + {WINDOW}
  UNION ALL SELECT store, line, pday + {WINDOW}, -n, 0 FROM daily WHERE jday < pday + {WINDOW}
  UNION ALL SELECT store, line, greatest(jday, nday), 0, n FROM daily
    WHERE nday IS NOT NULL AND greatest(jday, nday) < pday + {WINDOW}
  UNION ALL SELECT store, line, pday + {WINDOW}, 0, -n FROM daily
    WHERE nday IS NOT NULL AND greatest(jday, nday) < pday + {WINDOW}
), per_day AS (
  SELECT store, line, d, sum(o) AS o, sum(k) AS k FROM deltas GROUP BY ALL
), windows AS (
  SELECT store, line, d,
         sum(o) OVER w AS orders, sum(k) OVER w AS nrd
  FROM per_day WINDOW w AS (PARTITION BY store, line ORDER BY d)
)
SELECT store, line, d FROM windows
WHERE d <= (SELECT max(pday) FROM daily) AND nrd >= 10 AND nrd >= 0.10 * orders
"""

# The narrowest query for the line rule: one window, as of the last day only.
LAST_DAY_SQL = """
SELECT store, line, count(*) AS orders, count(*) FILTER (WHERE nrd_at < ?) AS nrd
FROM read_parquet(?)
WHERE line IS NOT NULL AND line_assessed AND ship_notice_at < ?
  AND placed_at >= ? AND placed_at < ?
GROUP BY ALL HAVING nrd >= 10 AND nrd >= 0.10 * orders
"""

# The table as it was known at an instant (rows placed before it, later facts not yet there),
# and the rows that one day changed, as known at its end: what a daily export holds.
KNOWN = """
SELECT order_id, store, placed_at,
  CASE WHEN ship_notice_at < $at THEN ship_notice_at END AS ship_notice_at,
  CASE WHEN ship_notice_at < $at THEN line END AS line,
  coalesce(ship_notice_at < $at AND line_cainiao, false) AS line_cainiao,
  coalesce(ship_notice_at < $at AND line_cainiao_overseas_wh, false)
    AS line_cainiao_overseas_wh,
  buyer_line_cainiao_overseas_wh, ship_from,
  CASE WHEN nrd_at < $at THEN nrd_at END AS nrd_at,
  CASE WHEN sold_not_shipped_at < $at THEN sold_not_shipped_at END AS sold_not_shipped_at,
  amount, CASE WHEN ship_notice_at < $at THEN tracking_no END AS tracking_no, bonded, buyer,
  line_assessed
FROM read_parquet($path) WHERE placed_at < $at
"""
CHANGED = """
SELECT * FROM (""" + KNOWN + """) WHERE greatest(placed_at, ship_notice_at, nrd_at,
  sold_not_shipped_at) >= $since
"""

# The columns the rules of 速卖通自发货履约规则 2022-07-19 read, merely read: the physical floor.
READ_COLUMNS = ("store", "placed_at", "ship_notice_at", "line", "line_cainiao",
                "line_cainiao_overseas_wh", "buyer_line_cainiao_overseas_wh", "ship_from",
                "nrd_at", "sold_not_shipped_at", "line_assessed")
# A hash of every value: ``count(col)`` alone is answered from the Parquet statistics.
READ_SQL = ("SELECT " + ", ".join(f"sum(hash({c}))" for c in READ_COLUMNS)
            + " FROM read_parquet(?)")


def polars_line_rule(path: Path) -> set[tuple[str, str, int]]:
    """The line rule of FLOOR_SQL as a Polars lazy query on the streaming engine."""
    import polars as pl

    def day(col: str) -> pl.Expr:
        return (pl.col(col).dt.epoch("s") + OFFSET) // DAY

    daily = (pl.scan_parquet(path)
             .filter(pl.col("line").is_not_null() & pl.col("ship_notice_at").is_not_null()
                     & pl.col("line_assessed"))
             .select("store", "line", pday=day("placed_at"), jday=day("ship_notice_at"),
                     nday=day("nrd_at"))
             .group_by("store", "line", "pday", "jday", "nday").agg(n=pl.len()))
    last = daily.select(pl.col("pday").max()).collect(engine="streaming").item()
    ends = pl.col("pday") + WINDOW
    joined = daily.filter(pl.col("jday") < ends)
    known = pl.max_horizontal("jday", "nday")
    disputed = daily.filter(pl.col("nday").is_not_null() & (known < ends))
    zero = pl.lit(0, pl.Int64)
    deltas = pl.concat([
        joined.select("store", "line", d="jday", o=pl.col("n").cast(pl.Int64), k=zero),
        joined.select("store", "line", d=ends, o=-pl.col("n").cast(pl.Int64), k=zero),
        disputed.select("store", "line", d=known, o=zero, k=pl.col("n").cast(pl.Int64)),
        disputed.select("store", "line", d=ends, o=zero, k=-pl.col("n").cast(pl.Int64)),
    ])
    hits = (deltas.group_by("store", "line", "d").agg(pl.col("o").sum(), pl.col("k").sum())
            .sort("store", "line", "d")
            .with_columns(orders=pl.col("o").cum_sum().over("store", "line"),
                          nrd=pl.col("k").cum_sum().over("store", "line"))
            .filter((pl.col("d") <= last) & (pl.col("nrd") >= 10)
                    & (pl.col("nrd") >= 0.10 * pl.col("orders")))
            .select("store", "line", "d")
            .collect(engine="streaming"))
    return set(hits.iter_rows())


GENERATE = """
import sys
from zhili.detect.orders.generate import generate_orders
path, stores, days, seed, orders = sys.argv[1:]
generate_orders(path, stores=int(stores), days=int(days), seed=int(seed), orders=int(orders))
"""


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1 << 20)


def timed(bar: Progress, label: str, work: Callable[[], T]) -> tuple[float, T]:
    task = bar.add_task(label, total=None)
    start = time.perf_counter()
    out = work()
    seconds = time.perf_counter() - start
    bar.remove_task(task)
    return seconds, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--orders", type=int, default=2_000_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--stores", type=int, default=0, help="default: orders / 2000")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dir", type=Path, default=None)
    args = ap.parse_args()
    console = Console()
    stores = args.stores or max(args.orders // 2000, 10)
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="zhili-bench-"))
    path = workdir / f"orders-{args.orders}-{args.days}-{args.seed}.parquet"
    end = dt.datetime.fromisoformat(_until(args.days) + "T00:00:00+08:00")
    with Progress(console=console, transient=True) as bar:
        if not path.exists():
            # In a child process, so that the peak memory below is the assessment's own.
            timed(bar, "generating orders (DuckDB SQL)", lambda: subprocess.run(
                [sys.executable, "-c", GENERATE, str(path), str(stores), str(args.days),
                 str(args.seed), str(args.orders)], check=True))
        read_s, _ = timed(bar, "column read (the physical floor)",
                          lambda: duckdb.execute(READ_SQL, [str(path)]).fetchall())
        task = bar.add_task("complete assessment", total=args.days)
        start = time.perf_counter()
        result = assess_orders(path, "aliexpress", until=_until(args.days),
                               progress=lambda d, n: bar.update(task, completed=d, total=n))
        full = time.perf_counter() - start
        assess_peak = peak_rss_gib()
        bar.remove_task(task)
        sql_s, sql_hits = timed(bar, "line rule: hand-written DuckDB SQL", lambda: {
            (s, ln, int(d)) for s, ln, d in duckdb.execute(FLOOR_SQL, [str(path)]).fetchall()})
        polars_s, polars_hits = timed(bar, "line rule: Polars lazy, streaming engine",
                                      lambda: polars_line_rule(path))
        last_s, _ = timed(bar, "line rule, last day only", lambda: duckdb.execute(
            LAST_DAY_SQL, [end, str(path), end, end - dt.timedelta(days=WINDOW), end]).fetchall())
        day_before = end - dt.timedelta(days=1)
        before, changed = workdir / f"{path.stem}-before.parquet", workdir / f"{path.stem}-day.parquet"
        for out, sql, params in ((before, KNOWN, {"at": day_before}),
                                 (changed, CHANGED, {"at": end, "since": day_before})):
            duckdb.execute(f"COPY ({sql.replace('$path', repr(str(path)))}) TO '{out}' "
                           "(FORMAT PARQUET, COMPRESSION zstd)", params)
        state = workdir / f"{path.stem}.state"
        state.unlink(missing_ok=True)
        build_s, _ = timed(bar, "incremental: the first run builds the state", lambda:
                           assess_incrementally(before, "aliexpress", state=state,
                                                until=day_before))
        day_s, daily = timed(bar, "incremental: one day of changes", lambda:
                             assess_incrementally(changed, "aliexpress", state=state, until=end))
    if [event_to_dict(v) for v in daily.violations] != \
            [event_to_dict(v) for v in result.violations]:
        raise SystemExit("the incremental day differs from the complete assessment")
    day_rows = duckdb.execute(f"SELECT count(*) FROM '{changed}'").fetchone()[0]  # type: ignore[index]
    if sql_hits != polars_hits:
        raise SystemExit(f"the Polars and SQL line rules disagree: {len(sql_hits)} SQL hits, "
                         f"{len(polars_hits)} Polars hits, "
                         f"{len(sql_hits ^ polars_hits)} differ")
    # Without freezes the floor hits more days, but each line's first hit is its first freeze.
    freezes: dict[tuple[str, str], str] = {}
    for v in result.violations:
        if v.code == "line_nrd_rate":
            key, date = (v.subject or "", v.evidence["scope"]), v.id.rsplit(":", 1)[1]
            freezes[key] = min(date, freezes.get(key, date))
    if _first_line_hits(sql_hits) != freezes:
        raise SystemExit("the assessment's first line freezes differ from the SQL line rule's")
    n = args.orders
    fastest = min(sql_s, polars_s)
    load = os.getloadavg()
    console.print(f"orders: {n:,} over {args.days} days, {stores:,} stores ({path}); "
                  f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    console.print(f"column read ({len(READ_COLUMNS)} columns): {read_s:.2f} s")
    console.print(f"complete assessment: {full:.2f} s ({n / full:,.0f} orders/s), "
                  f"{len(result.violations)} violations; "
                  f"complete / column read = {full / read_s:.2f}× (target ≤ 3×)")
    console.print(f"line rule, DuckDB SQL: {sql_s:.2f} s; Polars streaming: {polars_s:.2f} s "
                  f"(the same {len(sql_hits)} (store, line, day) hits; each line's first is "
                  f"its first freeze in the assessment); "
                  f"complete / fastest = {full / fastest:.2f}× (target ≤ 1.25×)")
    console.print(f"line rule, last day only: {last_s:.2f} s; "
                  f"complete / last day = {full / last_s:.2f}×")
    console.print(f"incremental: first run (builds the state) {build_s:.2f} s; one day of "
                  f"changes ({day_rows:,} rows) {day_s:.2f} s, the same violations; "
                  f"complete / incremental day = {full / day_s:.1f}× (target ≥ 20×); "
                  f"state file {state.stat().st_size / (1 << 30):.2f} GiB")
    console.print(f"peak memory (RSS) after the complete assessment: {assess_peak:.2f} GiB "
                  f"(target < 8 GiB); whole run: {peak_rss_gib():.2f} GiB")


def _first_line_hits(hits: set[tuple[str, str, int]]) -> dict[tuple[str, str], str]:
    """The first day each line meets the rule: (store, line) → local date."""
    first: dict[tuple[str, str], int] = {}
    for store, line, d in hits:
        first[(store, line)] = min(d, first.get((store, line), d))
    return {key: (dt.date(1970, 1, 1) + dt.timedelta(days=d)).isoformat()
            for key, d in first.items()}


def _until(days: int) -> str:
    return (dt.date(2026, 1, 1) + dt.timedelta(days=days)).isoformat()


if __name__ == "__main__":
    main()
