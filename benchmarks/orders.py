"""Benchmark: the complete AliExpress assessment against a hand-written DuckDB floor and pandas.

    python benchmarks/orders.py --orders 100000000 --days 90      # the issue's size
    python benchmarks/orders.py --orders 2000000 --days 90        # a quick run

Generates the orders (Parquet, DuckDB SQL), then in one run measures
  1. the complete assessment (`assess_orders`, every rule of RULES 5, 90 daily assessments,
     folding through the engine),
  2. the floor: one hand-written DuckDB SQL query for the line rule alone (per line, the
     30-day window rate at the end of every day, without freezes),
  3. pandas computing the same line-rule windows on a sample (--pandas-rows, default 10M),
and reports seconds, rows per second, the ratios, and peak memory (RSS high-water mark).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from rich.console import Console
from rich.progress import Progress

from zhili.detect.orders import assess_orders

# The floor: the line rule at every daily assessment (no freezes), in one hand-written query.
# Orders enter a window on their placed day and leave 30 days later; a dispute enters on the
# later of its order's placed day and its own day, if still inside that window.
FLOOR_SQL = """
WITH daily AS (
  SELECT store, line,
         (epoch(placed_at)::BIGINT + 28800) // 86400 AS pday,
         (epoch(nrd_at)::BIGINT + 28800) // 86400 AS nday,
         count(*) AS n
  FROM read_parquet(?) WHERE line IS NOT NULL AND line_assessed
  GROUP BY ALL
), deltas AS (
  SELECT store, line, pday AS d, n AS o, 0 AS k FROM daily
  UNION ALL SELECT store, line, pday + 30, -n, 0 FROM daily
  UNION ALL SELECT store, line, greatest(pday, nday), 0, n FROM daily
    WHERE nday IS NOT NULL AND nday < pday + 30
  UNION ALL SELECT store, line, pday + 30, 0, -n FROM daily
    WHERE nday IS NOT NULL AND nday < pday + 30
), per_day AS (
  SELECT store, line, d, sum(o) AS o, sum(k) AS k FROM deltas GROUP BY ALL
), windows AS (
  SELECT store, line, d,
         sum(o) OVER w AS orders, sum(k) OVER w AS nrd
  FROM per_day WINDOW w AS (PARTITION BY store, line ORDER BY d)
)
SELECT store, line, d, orders, nrd FROM windows
WHERE d <= (SELECT max(pday) FROM daily) AND nrd >= 10 AND nrd >= 0.10 * orders
"""

# The narrowest query for the line rule: one window, as of the last day only.
LAST_DAY_SQL = """
SELECT store, line, count(*) AS orders, count(*) FILTER (WHERE nrd_at < ?) AS nrd
FROM read_parquet(?)
WHERE line IS NOT NULL AND line_assessed AND placed_at >= ? AND placed_at < ?
GROUP BY ALL HAVING nrd >= 10 AND nrd >= 0.10 * orders
"""


GENERATE = """
import sys
from zhili.detect.orders.generate import generate_orders
path, stores, days, seed, orders = sys.argv[1:]
generate_orders(path, stores=int(stores), days=int(days), seed=int(seed), orders=int(orders))
"""


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1 << 20)


def pandas_line_rule(path: Path, rows: int, total: int) -> tuple[float, int]:
    # A uniform sample (not the first rows: the generator writes store by store).
    pct = min(100.0, 100.0 * rows / total)
    frame = duckdb.sql(f"SELECT store, line, placed_at, nrd_at, line_assessed FROM "
                       f"read_parquet('{path}') USING SAMPLE {pct}% (bernoulli, 7)").df()
    start = time.perf_counter()
    frame = frame[frame.line.notna() & frame.line_assessed]
    pday = (frame.placed_at.astype("int64") // 10**9 + 28800) // 86400
    nday = (frame.nrd_at.astype("int64") // 10**9 + 28800) // 86400
    frame = frame.assign(pday=pday, nday=nday.where(frame.nrd_at.notna()))
    hits = 0
    for d in sorted(frame.pday.unique()):
        window = frame[(frame.pday > d - 30) & (frame.pday <= d)]
        g = window.groupby(["store", "line"]).agg(
            orders=("pday", "size"), nrd=("nday", lambda s, d=d: int((s <= d).sum())))
        hits += int(((g.nrd >= 10) & (g.nrd >= 0.10 * g.orders)).sum())
    return time.perf_counter() - start, len(frame)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--orders", type=int, default=2_000_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--stores", type=int, default=0, help="default: orders / 2000")
    ap.add_argument("--pandas-rows", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dir", type=Path, default=None)
    args = ap.parse_args()
    console = Console()
    stores = args.stores or max(args.orders // 2000, 10)
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="zhili-bench-"))
    path = workdir / f"orders-{args.orders}.parquet"
    with Progress(console=console, transient=True) as bar:
        if not path.exists():
            task = bar.add_task("generating orders (DuckDB SQL)", total=None)
            # In a child process, so that the peak memory below is the assessment's own.
            subprocess.run([sys.executable, "-c", GENERATE, str(path), str(stores),
                            str(args.days), str(args.seed), str(args.orders)], check=True)
            bar.remove_task(task)
        task = bar.add_task("complete assessment", total=args.days)
        start = time.perf_counter()
        result = assess_orders(path, "aliexpress", until=_until(args.days),
                               progress=lambda d, n: bar.update(task, completed=d, total=n))
        full = time.perf_counter() - start
        assess_peak = peak_rss_gib()
        bar.remove_task(task)
        task = bar.add_task("floor: hand-written DuckDB SQL, line rule", total=None)
        start = time.perf_counter()
        floor_hits = len(duckdb.execute(FLOOR_SQL, [str(path)]).fetchall())
        floor = time.perf_counter() - start
        end = dt.datetime.fromisoformat(_until(args.days) + "T00:00:00+08:00")
        start = time.perf_counter()
        duckdb.execute(LAST_DAY_SQL, [end, str(path), end - dt.timedelta(days=30), end]).fetchall()
        last_day = time.perf_counter() - start
        bar.remove_task(task)
        task = bar.add_task("pandas, line rule on a sample", total=None)
        pandas_s, pandas_rows = pandas_line_rule(path, min(args.pandas_rows, args.orders),
                                                 args.orders)
        bar.remove_task(task)
    n = args.orders
    console.print(f"orders: {n:,} over {args.days} days, {stores:,} stores ({path})")
    console.print(f"complete assessment: {full:.2f} s ({n / full:,.0f} orders/s), "
                  f"{len(result.violations)} violations")
    console.print(f"floor (line rule, one SQL query): {floor:.2f} s, {floor_hits} window hits; "
                  f"ratio complete/floor = {full / floor:.2f}× (target ≤ 3×)")
    console.print(f"narrowest line-rule query (one window, last day only): {last_day:.2f} s; "
                  f"ratio complete/narrowest = {full / last_day:.2f}×")
    console.print(f"pandas line rule: {pandas_s:.2f} s on {pandas_rows:,} rows "
                  f"({pandas_rows / pandas_s:,.0f} rows/s); per-row speed-up of the complete "
                  f"assessment = {(n / full) / (pandas_rows / pandas_s):.1f}× (target ≥ 10×)")
    console.print(f"peak memory (RSS) after the complete assessment: {assess_peak:.2f} GiB "
                  f"(target < 8 GiB); whole run incl. the pandas sample: {peak_rss_gib():.2f} GiB")


def _until(days: int) -> str:
    return (dt.date(2026, 1, 1) + dt.timedelta(days=days)).isoformat()


if __name__ == "__main__":
    sys.exit(main())
