"""Engine benchmark: fold a realistic year of WeChat Channels history, and query state.

    python benchmarks/engine.py                      # 100,000 creators, ~1,000,000 events
    python benchmarks/engine.py --creators 20000     # a quicker run
    python benchmarks/engine.py --engine spark       # the batch replay: local beside Spark

Reports, in one run:
- events/second of the full fold (`replay`), beside a baseline: the cheapest possible fold over
  the same events (a per-creator running sum of deductions in a dict, no rules), so the ratio
  says what the rules cost over merely touching every event;
- the cost of "state as of T" for one creator with a long history (1,000 events), answered
  from the folded timeline, beside the baseline of re-folding that creator's history.

With ``--engine spark``: the same history written as an events table, replayed into the output
tables (``zhili replay --out``) by the local engine and by Spark in local mode
(``--engine spark``) in the same run, with the phases of each, the ratio, and the component
sizes and per-event costs a projection to a platform's history starts from.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from zhili.batch import synthetic
from zhili.batch.synthetic import START, Shape
from zhili.engine import Subject, replay
from zhili.events import Event, LiveSession
from zhili.rules import Pack, load_pack

YEAR_START = START


def generate(creators: int, events_per_creator: float, seed: int, long_creator_events: int,
             violation_share: float = 0.07) -> tuple[dict[str, Subject], list[Event]]:
    """A year of history (``zhili generate events`` writes the same as an events table)."""
    shape = Shape(events_per_creator=events_per_creator, violation_share=violation_share,
                  long_creator_events=long_creator_events)
    with Progress(transient=True) as progress:
        task = progress.add_task("generating history", total=creators)
        return synthetic.generate(creators, 365, seed, shape, progress=lambda done, total:
                                  progress.update(task, completed=done))


def baseline_fold(events: list[Event], deductions: dict[str, float]) -> dict[str, float]:
    """The floor: sort and touch every event once, summing a number per creator."""
    scores: dict[str, float] = {}
    for e in sorted(events, key=Event.sort_key):
        if e.type == "violation":
            scores[e.subject] = scores.get(e.subject, 12.0) - deductions.get(e.code, 0.0)
    return scores


def retained(fold: Callable[..., object], *args: Any, **kwargs: Any) -> tuple[int, object]:
    """The bytes that what ``fold(*args, **kwargs)`` returns keeps allocated (tracemalloc),
    and the result."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = fold(*args, **kwargs)
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before, result
    finally:
        tracemalloc.stop()


def measure_memory(pack: Pack, subjects: dict[str, Subject], events: list[Event],
                   quiet_creators: int = 20_000) -> dict[str, tuple[float, float, int]]:
    """Memory of the folded state, for a ledger that keeps every decision and for one that
    folds a component again when its decisions are read (``replay(decisions=False)``): a quiet
    creator's (the fold of creators with one live session each and no violation, divided by
    their number), and the history's whole ledger, of which what is beyond its creators' quiet
    share is counted per event. The events are the caller's and exist before the fold: not
    counted (the ledger keeps a reference to each, 8 bytes)."""
    quiet = {f"q{i}": Subject(f"q{i}") for i in range(quiet_creators)}
    sessions = [LiveSession(f"q{i}-0", YEAR_START + dt.timedelta(minutes=i), f"q{i}",
                            minutes=60.0, transactions=1) for i in range(quiet_creators)]
    out = {}
    for name, keep in (("decisions kept", True), ("decisions on demand", False)):
        quiet_bytes, _ = retained(replay, sessions, pack, quiet, decisions=keep)
        per_quiet = quiet_bytes / quiet_creators
        total, _ = retained(replay, events, pack, subjects, decisions=keep)
        out[name] = (per_quiet, (total - per_quiet * len(subjects)) / len(events), total)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creators", type=int, default=100_000)
    parser.add_argument("--events-per-creator", type=float, default=11.0)
    parser.add_argument("--long-history", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--violation-share", type=float, default=0.07)
    parser.add_argument("--order", choices=("time", "creator", "shuffled"), default="time",
                        help="the order the fold is given the events in: as an event log "
                             "delivers them (default), creator by creator, or shuffled")
    parser.add_argument("--memory", action=argparse.BooleanOptionalAction, default=True,
                        help="also measure the ledger's memory with tracemalloc (a second fold)")
    parser.add_argument("--engine", choices=("local", "spark"), default="local",
                        help="spark: the batch replay, local engine beside Spark (local mode)")
    args = parser.parse_args()
    console = Console()
    if args.engine == "spark":
        batch_replay(args, console)
        return
    pack = load_pack("wechat_channels")
    subjects, events = generate(args.creators, args.events_per_creator, args.seed,
                                args.long_history, args.violation_share)
    if args.order == "time":
        events.sort(key=Event.sort_key)
    elif args.order == "shuffled":
        random.Random(args.seed).shuffle(events)
    console.print(f"{len(subjects):,} creators, {len(events):,} events over 2026")
    deductions = {code: float(dict(r.consequences.deduct).get("credit", dict(
        r.consequences.deduct).get("live_safety", 0)).value if r.consequences.deduct else 0)
        for code, r in pack.rules.items()}

    gc.collect()
    t0 = time.perf_counter()
    baseline_fold(events, deductions)
    base_s = time.perf_counter() - t0

    gc.collect()
    t0 = time.perf_counter()
    with console.status("folding the full history…"):
        ledger = replay(events, pack, subjects)
    fold_s = time.perf_counter() - t0

    violations = [e for e in events if e.type == "violation"]
    gc.collect()
    t0 = time.perf_counter()
    with console.status("folding the violations alone…"):
        replay(violations, pack, subjects)
    violations_s = time.perf_counter() - t0

    long_events = [e for e in events if e.subject == "c0"]
    rnd = random.Random(args.seed)
    instants = [YEAR_START + dt.timedelta(seconds=rnd.randrange(365 * 24 * 3600))
                for _ in range(args.queries)]
    ledger.state("c0", instants[0])
    samples = []
    for t in instants:
        t0 = time.perf_counter()
        ledger.state("c0", t)
        samples.append(time.perf_counter() - t0)
    refold = []
    for t in instants[:20]:
        t0 = time.perf_counter()
        replay([e for e in long_events if e.at <= t], pack, {"c0": subjects["c0"]}).state("c0", t)
        refold.append(time.perf_counter() - t0)

    del ledger
    memory = measure_memory(pack, subjects, events) if args.memory else None
    q_med, q_p99 = statistics.median(samples), sorted(samples)[int(len(samples) * 0.99) - 1]
    r_med = statistics.median(refold)
    table = Table(title="zhili engine benchmark (one core)", title_justify="left")
    for h in ("measure", "figure", "baseline", "ratio"):
        table.add_column(h)
    table.add_row("full fold", f"{len(events) / fold_s:,.0f} events/s ({fold_s:.1f} s)",
                  f"{len(events) / base_s:,.0f} events/s (sort + sum)",
                  f"{fold_s / base_s:.1f}× the floor")
    table.add_row(f"violations only ({len(violations):,})",
                  f"{len(violations) / violations_s:,.0f} events/s", "", "worst case: every "
                  "event a violation")
    table.add_row(f"state as of T, creator with {len(long_events):,} events",
                  f"median {q_med * 1e6:,.0f} µs, p99 {q_p99 * 1e6:,.0f} µs",
                  f"re-fold: median {r_med * 1e3:,.1f} ms", f"{r_med / q_med:,.0f}× faster")
    console.print(table)
    for name, (quiet, per_event, total) in (memory or {}).items():
        console.print(f"memory, {name} (tracemalloc, what the ledger keeps): a quiet creator "
                      f"(one live session, no sanction) {quiet:,.0f} B; the history's ledger "
                      f"{total / 2**20:,.1f} MiB, {total / len(events):,.0f} B/event in all, "
                      f"{per_event:,.0f} B/event beyond the creators' own "
                      f"{quiet:,.0f} B each (the events themselves, the caller's, not counted)")
    console.print(f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    console.print(f"python {sys.version.split()[0]}, {len(events):,} events given in "
                  f"{args.order} order, {len(subjects):,} creators, seed {args.seed}")


def batch_replay(args: argparse.Namespace, console: Console) -> None:
    """The events table replayed into states and decisions: local engine, then Spark."""
    import tempfile
    from pathlib import Path

    from zhili.batch import outputs, spark, table
    from zhili.engine import Fold
    from zhili.timekit import parse_instant

    pack = load_pack("wechat_channels")
    at = parse_instant("2026-12-31 23:59:59", pack.timezone)
    shape = Shape(events_per_creator=args.events_per_creator,
                  violation_share=args.violation_share)
    with tempfile.TemporaryDirectory(prefix="zhili-bench-") as tmp:
        path = Path(tmp) / "events.parquet"
        with Progress(transient=True) as progress:
            task = progress.add_task("writing the events table", total=args.creators)
            n = table.write(path, synthetic.creators(args.creators, 365, args.seed, shape),
                            lambda k: progress.advance(task, k))
        size = path.stat().st_size
        console.print(f"{args.creators:,} creators, {n:,} events, events table "
                      f"{size / 2**20:,.1f} MiB ({size / n:,.1f} B/event)")

        gc.collect()
        t0 = time.perf_counter()
        subjects, events = table.read(path, pack.timezone)
        t_read = time.perf_counter() - t0
        with console.status("local: folding…"):
            fold = Fold(pack, subjects)
            fold.apply_all(events)
            ledger = fold.ledger()
        t_fold = time.perf_counter() - t0 - t_read
        counts = outputs.write(ledger, at, Path(tmp) / "local")
        t_local = time.perf_counter() - t0
        sizes = sorted(((len(c.subjects), len(c.events)) for c in
                        {id(c): c for c in fold.components.values()}.values()),
                       key=lambda s: s[1])
        del fold, ledger, events, subjects
        gc.collect()

        session = spark.session()
        session.sparkContext.setLogLevel("ERROR")
        cores = session.sparkContext.defaultParallelism
        t0 = time.perf_counter()
        with console.status("spark: components…"):
            from pyspark.sql import functions as F

            rows = session.read.parquet(str(path)).select(
                "id", "type", F.unix_micros("at").alias("at"), "subject", "data")
            labels = spark.component_labels(session, rows, pack).cache()
            n_components = labels.select("component").distinct().count()
        t_components = time.perf_counter() - t0
        labels.unpersist()
        t0 = time.perf_counter()
        with console.status("spark: components, folds and tables…"):
            spark_counts = spark.replay(session, str(path), "wechat_channels", {}, at,
                                        str(Path(tmp) / "spark"))
        t_spark = time.perf_counter() - t0
        same = all(outputs.read(Path(tmp) / "spark", name) == outputs.read(Path(tmp) / "local",
                                                                            name)
                   for name in outputs.TABLES)

    table_out = Table(title=f"batch replay, {n:,} events (as of {at:%Y-%m-%d})",
                      title_justify="left")
    for h in ("engine", "time", "events/s", "ratio to local"):
        table_out.add_column(h)
    table_out.add_row("local: read table", f"{t_read:.1f} s", f"{n / t_read:,.0f}", "")
    table_out.add_row("local: fold", f"{t_fold:.1f} s", f"{n / t_fold:,.0f}", "")
    table_out.add_row("local: whole (read, fold, write)", f"{t_local:.1f} s",
                      f"{n / t_local:,.0f}", "1.00×")
    table_out.add_row(f"spark local[{cores}]: components alone", f"{t_components:.1f} s",
                      "", f"{t_components / t_local:.2f}×")
    table_out.add_row(f"spark local[{cores}]: whole (components, folds, write)",
                      f"{t_spark:.1f} s", f"{n / t_spark:,.0f}", f"{t_spark / t_local:.2f}×")
    console.print(table_out)
    by_events = [e for _, e in sizes]
    by_subjects = sorted(s for s, _ in sizes)
    console.print(f"{len(sizes):,} components ({n_components:,} on Spark); subjects per component: "
                  f"median {by_subjects[len(sizes) // 2]}, p99 "
                  f"{by_subjects[int(len(sizes) * 0.99)]}, max {by_subjects[-1]}; events per "
                  f"component: median {by_events[len(sizes) // 2]}, p99 "
                  f"{by_events[int(len(sizes) * 0.99)]}, max {by_events[-1]}; "
                  f"components of one subject: {sum(1 for s in by_subjects if s == 1):,}")
    console.print(f"rows: {counts} local, {spark_counts} Spark; identical tables: {same}")
    console.print(f"python {sys.version.split()[0]}, seed {args.seed}")


if __name__ == "__main__":
    main()
