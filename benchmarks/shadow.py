"""Shadow evaluation: what a registered shadow costs the ingest path, and what reading it costs.

    python benchmarks/shadow.py [--events 20000] [--subjects 2000] [--batch 100]

Two fresh SQLite stores take the same WeChat Channels batches through ``StateService.ingest``,
batch by batch in turn (so that both see the same machine load): one plain, one with a shadow
registered (band fees charged per entry). Then the shadow is read: its first comparison folds
the whole history under both rule sets; after one more batch a comparison folds only what
changed. Baselines from the same run: the plain store's ingest, and one ``replay`` of the
pack's stored history (a fold of everything under one rule set).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rich.progress import Progress

from zhili.engine import replay
from zhili.events import parse_events
from zhili.rules import load_pack
from zhili.shadow import Shadows
from zhili.store import StateService, open_store

sys.path.insert(0, str(Path(__file__).parent))
from load import make_events  # noqa: E402  (the load test's event mix)

PACK = "wechat_channels"
CANDIDATE = {"params": {"bands.fee_mode": "per_entry"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--subjects", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    events = parse_events(make_events(args.events + args.batch, args.subjects))
    history, last = events[:args.events], events[args.events:]
    batches = [history[i:i + args.batch] for i in range(0, len(history), args.batch)]
    end = max(e.at for e in events) + dt.timedelta(days=1)
    with tempfile.TemporaryDirectory() as tmp:
        plain = open_store(f"sqlite:///{Path(tmp) / 'plain.db'}")
        shadowed = open_store(f"sqlite:///{Path(tmp) / 'shadowed.db'}")
        shadows = Shadows(shadowed, lambda: end)
        shadows.add("per-entry", PACK, CANDIDATE)
        sides = {"plain": StateService(plain), "shadowed": StateService(shadowed)}
        spent = dict.fromkeys(sides, 0.0)
        with Progress() as progress:
            task = progress.add_task("ingest", total=len(batches))
            for batch in batches:
                for name, states in sides.items():
                    started = time.perf_counter()
                    states.ingest(batch, pack=PACK)
                    spent[name] += time.perf_counter() - started
                progress.advance(task)
        started = time.perf_counter()
        replay(plain.events(pack=PACK), load_pack(PACK))
        one_replay = time.perf_counter() - started
        started = time.perf_counter()
        first = shadows.compare("per-entry", end)
        cold = time.perf_counter() - started
        sides["shadowed"].ingest(last, pack=PACK)
        started = time.perf_counter()
        shadows.compare("per-entry", end)
        warm = time.perf_counter() - started
        subject = sorted(first.diffs)[0] if first.diffs else last[0].subject
        timings = []
        for _round in range(20):
            started = time.perf_counter()
            shadows.compare("per-entry", end, subject=subject)
            timings.append(time.perf_counter() - started)
        plain.close()
        shadowed.close()
    rate = len(history) / spent["plain"]
    print(f"{len(history):,} events, {args.subjects:,} subjects, batches of {args.batch}; "
          f"the shadow changes {first.summary.changed:,} subjects")
    print(f"ingest without a shadow: {spent['plain']:.2f} s ({rate:,.0f} events/s)")
    print(f"ingest with one shadow:  {spent['shadowed']:.2f} s "
          f"({spent['shadowed'] / spent['plain']:.2f}× without)")
    print(f"one replay of the history: {one_replay:.2f} s")
    print(f"first reading of the shadow (both folds from nothing, diff, {len(first.timeline)} "
          f"instants over time): {cold:.2f} s ({cold / one_replay:.1f}× one replay)")
    print(f"reading after one more batch of {len(last)}: {warm:.2f} s "
          f"({warm / cold:.2f}× the first reading)")
    print(f"one subject's differences: median {statistics.median(timings) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
