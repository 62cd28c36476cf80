"""`load.py --realistic`: a platform's traffic against a real `zhili serve`, per backend.

Producers post their events (traffic.py) in batches from their own threads, merchants file
appeals on violations as they land, and two clients query state meanwhile. Then the cost of one
late event is probed against one in-order event on the same components, over HTTP and inside
the engine. Baselines from the same run: the same traffic delivered in order, and a full
replay of the pack (what one late event cost when the whole pack folded again).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from traffic import Traffic, generate
from zhili.api.auth import create_key
from zhili.engine import Fold, replay
from zhili.events import parse_events
from zhili.rules import load_pack
from zhili.store import open_store
from zhili.store.scratch import scratch_schema, unreachable
from zhili.store.warm import MARK_EVERY

PACK = "wechat_channels"
MERCHANTS = 200  # creators with a merchant key, who appeal some of their violations
ROUTE = f"/v1/events?pack={PACK}"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))]


def ingest(base: str, admin: str, merchants: dict[str, str], traffic: Traffic, args,
           end: dt.datetime) -> dict:
    posted: list[str] = []  # subjects with a history, for the queries
    done = threading.Event()
    appeals: Counter[int] = Counter()
    latencies: list[float] = []
    failures: Counter[int] = Counter()

    def produce(queue: list[dict]) -> None:
        rng = random.Random(len(queue))
        with httpx.Client(base_url=base, timeout=300,
                          headers={"Authorization": f"Bearer {admin}"}) as client:
            for i in range(0, len(queue), args.batch):
                batch = queue[i:i + args.batch]
                r = client.post(ROUTE, json=batch)
                if r.status_code != 200:
                    failures[r.status_code] += 1
                    print(f"batch refused: {r.status_code} {r.text[:300]}", file=sys.stderr)
                    continue
                posted.extend(e["subject"] for e in batch)
                for e in batch:
                    key = merchants.get(e["subject"])
                    if e["type"] == "violation" and key and rng.random() < 0.5:
                        a = client.post("/v1/appeals", json={"subject": e["subject"],
                                                             "violation": e["id"]},
                                        headers={"Authorization": f"Bearer {key}"})
                        appeals[a.status_code] += 1

    def query(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=300,
                          headers={"Authorization": f"Bearer {admin}"}) as client:
            while not done.is_set() or len(latencies) < args.queries:
                if not posted:
                    time.sleep(0.01)
                    continue
                at = end - dt.timedelta(days=5) * rng.random()
                t0 = time.perf_counter()
                r = client.get(f"/v1/subjects/{rng.choice(posted)}/state",
                               params={"as_of": at.isoformat()})
                latencies.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    raise SystemExit(f"state query answered {r.status_code}: {r.text[:300]}")

    started = time.perf_counter()
    queriers = [threading.Thread(target=query, args=(s,)) for s in (1, 2)]
    for q in queriers:
        q.start()
    with ThreadPoolExecutor(len(traffic.producers)) as pool:
        list(pool.map(produce, traffic.producers))
    ingest_s = time.perf_counter() - started
    queried = len(latencies)
    done.set()
    for q in queriers:
        q.join()
    return {"events_per_s": traffic.events / ingest_s, "ingest_s": ingest_s,
            "queries_during": queried, "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * pct(latencies, 0.99), "appeals": dict(appeals),
            "refused_batches": dict(failures)}


def probe(base: str, admin: str, traffic: Traffic, args, end: dt.datetime) -> dict:
    """One in-order and one late event (backdated up to a day) on each of a few components,
    alternating which goes first; the latency of each POST."""
    rng = random.Random(5)
    groups = [g for g in traffic.groups if len(g) > 1][:args.probes]
    costs: dict[str, list[float]] = {"in_order": [], "late": []}
    with httpx.Client(base_url=base, timeout=300,
                      headers={"Authorization": f"Bearer {admin}"}) as client:
        for k, group in enumerate(groups):
            in_order = {"id": f"probe-in-{k}", "type": "live_session", "subject": group[0],
                        "at": (end + dt.timedelta(seconds=k + 1)).isoformat(), "minutes": 60,
                        "transactions": 1}
            late = {**in_order, "id": f"probe-late-{k}",
                    "at": (end - dt.timedelta(hours=rng.uniform(1, 24))).isoformat()}
            for kind, event in sorted((("in_order", in_order), ("late", late)),
                                      reverse=k % 2 == 1):
                t0 = time.perf_counter()
                client.post(ROUTE, json=[event]).raise_for_status()
                costs[kind].append(time.perf_counter() - t0)
    i, la = statistics.median(costs["in_order"]), statistics.median(costs["late"])
    return {"in_order_ms": 1000 * i, "late_ms": 1000 * la, "late_ratio": la / i}


def engine_costs(traffic: Traffic, end: dt.datetime, probes: int) -> dict:
    """The same probe inside the engine, no HTTP or store, in CPU time: folding one in-order
    event on top of a component, against one late event that folds the component again, with
    the service's marks inside components and without them (every late event from the
    component's start); and the full replay."""
    events = parse_events([e for queue in traffic.producers for e in queue])
    pack = load_pack(PACK)
    t0 = time.process_time()
    replay(events, pack)
    out: dict = {"replay_s": time.process_time() - t0}
    groups = [g for g in traffic.groups if len(g) > 1][:probes]
    for name, every in (("marks", MARK_EVERY), ("no_marks", 0)):
        fold = Fold(pack, mark_every=every)
        t0 = time.process_time()
        fold.apply_all(events)
        out[f"{name}_fold_us"] = 1e6 * (time.process_time() - t0) / len(events)
        rng = random.Random(6)
        costs: dict[str, list[float]] = {"in_order": [], "late": []}
        for k, group in enumerate(groups):
            base = {"type": "live_session", "subject": group[0], "minutes": 60,
                    "transactions": 1}
            for kind, at, late in (("in_order", end + dt.timedelta(seconds=k + 1), False),
                                   ("late", end - dt.timedelta(hours=rng.uniform(1, 24)), True)):
                event = parse_events([{**base, "id": f"{kind}-{k}", "at": at}])
                t0 = time.process_time()
                fold.apply_all(event, late=late)
                costs[kind].append(time.process_time() - t0)
        i, la = statistics.median(costs["in_order"]), statistics.median(costs["late"])
        out.update({f"{name}_in_order_us": 1e6 * i, f"{name}_late_us": 1e6 * la,
                    f"{name}_ratio": la / i})
    return out


def cpu_seconds(pid: int) -> float | None:
    """The CPU time (user + system) a process has used, where /proc tells it."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_backend(name: str, url: str, traffic: Traffic, args, serve, end,
                src: str | None = None) -> dict:
    merchants: dict[str, str] = {}
    if src is None:  # another tree migrates its own database (and may not know this schema)
        store = open_store(url)
        subjects = sorted(traffic.violations)[:MERCHANTS]
        merchants = {sid: create_key(store, "merchant", sid)[1] for sid in subjects}
        store.close()
    proc, base, admin = serve(url, src)
    try:
        started = cpu_seconds(proc.pid)
        result = ingest(base, admin, merchants, traffic, args, end)
        spent = cpu_seconds(proc.pid)
        # The server's CPU per event while ingesting (its queries and appeals included): a
        # figure a loaded machine changes far less than events per second.
        result["cpu_us"] = (None if started is None or spent is None
                            else 1e6 * (spent - started) / traffic.events)
        result.update(probe(base, admin, traffic, args, end))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return {"backend": name, **result}


def backends(args):
    wanted = args.backends.split(",")
    if "sqlite" in wanted:
        with tempfile.TemporaryDirectory() as tmp:
            yield "SQLite (WAL)", f"sqlite:///{Path(tmp) / 'load.db'}"
    if "postgresql" in wanted:
        reason = unreachable()
        if reason:
            print(f"PostgreSQL skipped: {reason}", file=sys.stderr)
        else:
            with scratch_schema() as url:
                yield "PostgreSQL", url


def run(args, serve) -> None:
    args.events = args.events or 100_000
    args.subjects = args.subjects or 10_000
    args.queries = args.queries or 2_000
    end = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=10)
    traffic = generate(args.events, args.subjects, args.producers, args.late, end)
    in_order = generate(args.events, args.subjects, args.producers, 0.0, end)
    loads = [os.getloadavg()[0]]
    rows = []
    for name, url in backends(args):
        rows.append(run_backend(name, url, traffic, args, serve, end))
        loads.append(os.getloadavg()[0])
    baseline = []
    for name, url in backends(args):
        baseline.append(run_backend(name, url, in_order, args, serve, end))
        loads.append(os.getloadavg()[0])
    if args.baseline_src:
        with tempfile.TemporaryDirectory() as tmp:
            earlier = run_backend("SQLite (WAL)", f"sqlite:///{Path(tmp) / 'before.db'}",
                                  traffic, args, serve, end, args.baseline_src)
        loads.append(os.getloadavg()[0])
    engine = engine_costs(traffic, end, args.probes)
    print(f"{traffic.events:,} events over {args.subjects:,} creators in {len(traffic.groups):,} "
          f"groups, {args.producers} producers ({args.batch}/batch), {traffic.late:,} "
          f"delivered late by up to a day; {MERCHANTS} merchants appealing; state queries "
          f"from 2 clients meanwhile. Load average {', '.join(f'{x:.1f}' for x in loads)}.\n")
    print("| backend | events/s | vs in-order traffic | server CPU µs/event | queries during "
          "ingest | state p50 ms | state p99 ms | in-order event ms | late event ms | "
          "late / in-order |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r, b in zip(rows, baseline, strict=False):
        print(f"| {r['backend']} | {r['events_per_s']:,.0f} | "
              f"{r['events_per_s'] / b['events_per_s']:.2f}× ({b['events_per_s']:,.0f}) | "
              f"{_cpu(r)} | {r['queries_during']:,} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
              f"{r['in_order_ms']:.1f} | {r['late_ms']:.1f} | {r['late_ratio']:.2f}× |")
    if args.baseline_src:
        now = rows[0]
        print(f"\nThe same traffic served by {args.baseline_src} (SQLite): "
              f"{earlier['events_per_s']:,.0f} events/s, server CPU {_cpu(earlier)} µs/event "
              f"(this tree {_cpu(now)}), state p50 {earlier['p50_ms']:.1f} ms, "
              f"p99 {earlier['p99_ms']:.1f} ms, late event {earlier['late_ms']:.1f} ms against "
              f"{earlier['in_order_ms']:.1f} in order ({earlier['late_ratio']:.2f}×); this "
              f"tree ingests {now['events_per_s'] / earlier['events_per_s']:.2f}× as fast, "
              f"p99 {earlier['p99_ms'] / now['p99_ms']:.2f}× lower.")
    for r in rows:
        print(f"\n{r['backend']}: merchant appeals {r['appeals']}, refused batches "
              f"{r['refused_batches'] or 'none'}")
    for name, what in (("marks", f"with a mark every {MARK_EVERY} events inside a component"),
                       ("no_marks", "without marks (from the component's start)")):
        print(f"\nengine alone, {what}: fold {engine[f'{name}_fold_us']:.1f} µs CPU/event; "
              f"one in-order event {engine[f'{name}_in_order_us']:.0f} µs, one late event "
              f"{engine[f'{name}_late_us']:.0f} µs ({engine[f'{name}_ratio']:.1f}×)")
    print(f"\na full replay of the pack (a late event's cost before components) "
          f"{engine['replay_s']:.2f} s CPU")


def _cpu(result: dict) -> str:
    return "–" if result.get("cpu_us") is None else f"{result['cpu_us']:,.0f}"
