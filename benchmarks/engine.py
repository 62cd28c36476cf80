"""Engine benchmark: fold a realistic year of WeChat Channels history, and query state.

    python benchmarks/engine.py                      # 100,000 creators, ~1,000,000 events
    python benchmarks/engine.py --creators 20000     # a quicker run

Reports, in one run:
- events/second of the full fold (`replay`), beside a baseline: the cheapest possible fold over
  the same events (a per-creator running sum of deductions in a dict, no rules), so the ratio
  says what the rules cost over merely touching every event;
- the cost of "state as of T" for one creator with a long history (1,000 events), answered
  from the folded timeline, beside the baseline of re-folding that creator's history.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import statistics
import sys
import time

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from zhili.batch import synthetic
from zhili.batch.synthetic import START, Shape
from zhili.engine import Subject, replay
from zhili.events import Event
from zhili.rules import load_pack

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
    args = parser.parse_args()
    console = Console()
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
    console.print(f"python {sys.version.split()[0]}, {len(events):,} events given in "
                  f"{args.order} order, {len(subjects):,} creators, seed {args.seed}")


if __name__ == "__main__":
    main()
