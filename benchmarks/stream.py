"""Consumers on an event log: events/s folded from a NATS JetStream stream into PostgreSQL by one
and by three `zhili consume` processes, beside the same events ingested straight through the
service (the consumers' own path, ``Governance.ingest`` in batches of the same size, one
process, no NATS) in the same run.

    python benchmarks/stream.py [--events 6000] [--subjects 200] [--batch 100] [--shards 6]
                                [--repeat 1]

Each run gets fresh PostgreSQL schemas and a fresh stream (deleted at the end). The consumers'
time runs from their start to the moment the store holds every event (process start included,
the idle wait at the end not); beside it, the time from the moment the first of them took a
shard (their work alone, without starting Python and its imports). With ``--repeat N`` the
three paths run N times in turns and the medians are shown.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from rich.console import Console
from rich.table import Table

from load import make_events
from zhili.api.service import Governance
from zhili.events import parse_events
from zhili.rules import load_pack
from zhili.store import StateService, open_store
from zhili.store.scratch import postgres_for_tests, scratch_schema
from zhili.stream.apply import PLATFORM
from zhili.stream.publish import publish
from zhili.stream.streams import drop_streams

PACK = "wechat_channels"
BASELINE = "service, one process, no NATS (baseline)"
NATS = os.environ.get("ZHILI_NATS", "nats://127.0.0.1:4222")
SRC = str(Path(__file__).resolve().parents[1] / "src")


def direct(url: str, raws: list[dict], batch: int) -> float:
    """Seconds to ingest the events through the service, batch by batch, in one process."""
    store = open_store(url)
    gov = Governance(store, StateService(store))
    start = time.perf_counter()
    for i in range(0, len(raws), batch):
        gov.ingest(PLATFORM, raws[i:i + batch], PACK)
    took = time.perf_counter() - start
    store.close()
    return took


def consumers(url: str, raws: list[dict], n: int, args: argparse.Namespace
              ) -> tuple[float, float]:
    """Seconds for ``n`` consumer processes to store every event of a fresh stream: from their
    start, and from the first shard one of them took."""
    stream = f"bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(publish(NATS, stream, load_pack(PACK), {}, parse_events(raws),
                        shards=args.shards))
    open_store(url).close()
    env = {**os.environ, "PYTHONPATH": SRC, "ZHILI_LANG": "en"}
    start = time.perf_counter()
    procs = [subprocess.Popen(
        [sys.executable, "-m", "zhili", "consume", "--nats", NATS, "--stream", stream,
         "--db", url, "--pack", PACK, "--batch", str(args.batch), "--until-idle", "3",
         "--lease", "5"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True) for _ in range(n)]
    took_shard: list[float] = []

    def watch(proc: subprocess.Popen) -> None:
        for line in proc.stderr or ():
            if "took shard" in line and not took_shard:
                took_shard.append(time.perf_counter())

    watchers = [threading.Thread(target=watch, args=(p,), daemon=True) for p in procs]
    for w in watchers:
        w.start()
    store = open_store(url, migrate=False)
    try:
        while store.count_events(pack=PACK) < len(raws):
            time.sleep(0.05)
        done = time.perf_counter()
    finally:
        store.close()
        for p in procs:
            p.wait(timeout=120)
        asyncio.run(drop_streams(NATS, stream))
    return done - start, done - (took_shard[0] if took_shard else start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=6000)
    parser.add_argument("--subjects", type=int, default=200)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--shards", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    console = Console()
    raws = make_events(args.events, args.subjects)
    base = postgres_for_tests()
    runs: dict[str, list[tuple[float, float | None]]] = {}
    loads = [os.getloadavg()[0]]
    for _ in range(args.repeat):  # in turns, so that the machine's load falls on each alike
        with console.status("ingesting through the service, no NATS"), \
                scratch_schema(base, prefix="zhili_bench") as url:
            runs.setdefault(BASELINE, []).append((direct(url, raws, args.batch), None))
        for n in (1, 3):
            with console.status(f"{n} consumer process(es) from the stream"), \
                    scratch_schema(base, prefix="zhili_bench") as url:
                runs.setdefault(f"{n} × zhili consume", []).append(
                    consumers(url, raws, n, args))
        loads.append(os.getloadavg()[0])
    baseline = statistics.median(t for t, _w in runs[BASELINE])
    table = Table(title=f"{args.events} events, {args.subjects} subjects, batches of "
                        f"{args.batch}, {args.shards} shards, median of {args.repeat}; load "
                        f"{min(loads):.1f}–{max(loads):.1f}")
    for col in ("path", "seconds", "events/s", "ratio to baseline",
                "from the first shard taken", "ratio"):
        table.add_column(col)
    for label, found in runs.items():
        took = statistics.median(t for t, _w in found)
        working = [w for _t, w in found if w is not None]
        work = statistics.median(working) if working else None
        table.add_row(label, f"{took:.1f}", f"{args.events / took:,.0f}",
                      f"{baseline / took:.2f}×", "" if work is None else f"{work:.1f} s",
                      "" if work is None else f"{baseline / work:.2f}×")
    console.print(table)


if __name__ == "__main__":
    main()
