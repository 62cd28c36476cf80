"""Reading an events table: the column-by-column reading against the row-by-row one.

    python benchmarks/events_table.py [--creators 20000] [--days 365] [--repeat 3]

Writes `zhili generate events`' history for the given creators to a temporary Parquet file,
then in one run reads it in turns with each path, each time from the file: the columnar
reading `zhili replay` uses (`table.read`), and the row-by-row reading every row took before
(each row's JSON parsed and the event built through the generic parser, `table.from_rows`),
checking that both give the same subjects and events. Reports the median of each, the ratio and
the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

from zhili.batch import synthetic, table

TZ = "Asia/Shanghai"


def by_rows(path: Path) -> tuple[dict, list]:
    read = pq.read_table(path).select(table.SCHEMA.names).cast(table.SCHEMA)
    return table.from_rows(*(read.column(n).to_pylist() for n in table.SCHEMA.names), TZ)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creators", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.parquet"
        events = table.write(path, synthetic.creators(args.creators, args.days, 7))
        paths = {"columns (table.read)": lambda: table.read(path, TZ), "rows": lambda: by_rows(path)}
        took: dict[str, list[float]] = {name: [] for name in paths}
        results = {}
        for _ in range(args.repeat):
            for name, read in paths.items():  # in turns, so that the load falls on both alike
                start = time.perf_counter()
                results[name] = read()
                took[name].append(time.perf_counter() - start)
        assert results["columns (table.read)"] == results["rows"]
    load = os.getloadavg()[0]
    base = statistics.median(took["rows"])
    out = Table(title=f"{events:,} events of {args.creators:,} creators; median of "
                      f"{args.repeat}; load {load:.1f}")
    for col in ("reading", "seconds", "events/s", "speed-up"):
        out.add_column(col)
    for name, times in took.items():
        median = statistics.median(times)
        out.add_row(name, f"{median:.2f}", f"{events / median:,.0f}", f"{base / median:.2f}×")
    Console().print(out)


if __name__ == "__main__":
    main()
