"""Load test on loopback: events/s ingested through the REST API, and the p99 latency of the
state query, for SQLite and PostgreSQL.

    python benchmarks/load.py [--events 6000] [--batch 100] [--subjects 200] [--queries 300]
    python benchmarks/load.py --realistic [--events 100000] [--subjects 10000] [--queries 2000]

Each backend gets a fresh database and a real `zhili serve` process; clients post batches of
WeChat Channels events from 4 threads, then query state at random instants. Baselines from
the same run: appending the same events straight into the store (no HTTP, no parsing) and a
full replay of the pack's history (what a state query would cost without snapshots).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from zhili.events import parse_events
from zhili.store import open_store
from zhili.store.scratch import scratch_schema, unreachable

START = dt.datetime(2026, 1, 5, 9, 0)
CODES = ("exaggerated_efficacy", "cs_response_timeout", "qualification_not_displayed")


def make_events(n: int, subjects: int, seed: int = 1) -> list[dict]:
    """Mostly live sessions (the bulk of real traffic), a few violations, in time order."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        at = START + dt.timedelta(minutes=7 * i)
        sid = f"c{rng.randrange(subjects)}"
        if rng.random() < 0.03:
            out.append({"id": f"e{i}", "type": "violation", "at": at.isoformat(), "subject": sid,
                        "code": rng.choice(CODES)})
        else:
            out.append({"id": f"e{i}", "type": "live_session", "at": at.isoformat(),
                        "subject": sid, "minutes": rng.choice([60, 90, 120]),
                        "transactions": rng.randint(0, 30)})
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ZHILI = [sys.executable, "-c", "from zhili.cli import main; main()"]


def zhili(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([*ZHILI, *args], env=env, check=True, capture_output=True, text=True)


def serve(url: str, src: str | None = None) -> tuple[subprocess.Popen, str, str]:
    """A `zhili serve` on ``url``; ``src``: the server's code from another source tree."""
    env = {**os.environ, "ZHILI_DB": url}
    if src:
        env["PYTHONPATH"] = src
    key = zhili("keys", "create", "--role", "admin", env=env).stdout.strip()
    port = free_port()
    proc = subprocess.Popen([*ZHILI, "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/openapi.json", timeout=1)
            return proc, base, key
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"zhili serve did not start: {proc.stderr.read().decode()[-500:]}")


def run_backend(name: str, url: str, events: list[dict], args) -> dict:
    proc, base, key = serve(url)
    headers = {"Authorization": f"Bearer {key}"}
    batches = [events[i:i + args.batch] for i in range(0, len(events), args.batch)]
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            # The first batch carries the pack for the new subjects; later ones find it.
            first = client.post("/v1/events?pack=wechat_channels", json=batches[0])
            first.raise_for_status()
            started = time.perf_counter()

            def post(batch: list[dict]) -> None:
                r = client.post("/v1/events?pack=wechat_channels", json=batch)
                r.raise_for_status()

            with ThreadPoolExecutor(4) as pool:
                list(pool.map(post, batches[1:]))
            ingest_s = time.perf_counter() - started
            rng = random.Random(2)
            end = START + dt.timedelta(minutes=7 * len(events))
            client.get("/v1/subjects/c0/state", params={"as_of": end.isoformat()})  # warm
            latencies = []
            for _ in range(args.queries):
                at = START + (end - START) * rng.random()
                t0 = time.perf_counter()
                r = client.get(f"/v1/subjects/c{rng.randrange(args.subjects)}/state",
                               params={"as_of": at.isoformat()})
                latencies.append(time.perf_counter() - t0)
                r.raise_for_status()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    posted = sum(len(b) for b in batches[1:])
    latencies.sort()
    return {"backend": name, "events_per_s": posted / ingest_s,
            "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))]}


def baselines(events: list[dict]) -> dict:
    parsed = parse_events(events)
    store = open_store("memory://")
    t0 = time.perf_counter()
    for i in range(0, len(parsed), 100):
        store.append(parsed[i:i + 100], pack="wechat_channels")
    append_s = time.perf_counter() - t0
    from zhili.engine import replay
    from zhili.rules import load_pack

    t0 = time.perf_counter()
    ledger = replay(parsed, load_pack("wechat_channels"))
    ledger.state("c0", parsed[-1].at)
    return {"append_per_s": len(parsed) / append_s, "replay_ms": 1000 * (time.perf_counter() - t0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realistic", action="store_true",
                        help="8 producers out of order, groups, appeals (see realistic.py)")
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--subjects", type=int, default=None)
    parser.add_argument("--queries", type=int, default=None)
    parser.add_argument("--producers", type=int, default=8)
    parser.add_argument("--late", type=float, default=0.05, help="share of events held back")
    parser.add_argument("--probes", type=int, default=100,
                        help="components probed for the cost of a late event")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--baseline-src", default=None,
                        help="also serve the traffic from this source tree (SQLite), e.g. an "
                             "earlier commit's src/, for a before/after in the same run")
    args = parser.parse_args()
    if args.realistic:
        from realistic import run

        run(args, serve)
        return
    args.events = args.events or 6000
    args.subjects = args.subjects or 200
    args.queries = args.queries or 300
    events = make_events(args.events, args.subjects)
    base = baselines(events)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run_backend("SQLite (WAL)", f"sqlite:///{Path(tmp) / 'load.db'}",
                                   events, args))
    reason = unreachable()
    if reason:
        print(f"PostgreSQL skipped: {reason}", file=sys.stderr)
    else:
        with scratch_schema() as url:
            results.append(run_backend("PostgreSQL", url, events, args))
    print(f"{args.events} events ({args.batch}/batch, 4 client threads), {args.subjects} "
          f"subjects, {args.queries} state queries at random instants\n")
    print("| backend | events/s ingested | vs raw in-memory append | state p50 ms | "
          "state p99 ms | p99 vs full replay |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['backend']} | {r['events_per_s']:,.0f} | "
              f"{r['events_per_s'] / base['append_per_s']:.3f}× | {r['p50_ms']:.1f} | "
              f"{r['p99_ms']:.1f} | {r['p99_ms'] / base['replay_ms']:.2f}× |")
    print(f"\nbaselines: raw in-memory append {base['append_per_s']:,.0f} events/s; "
          f"full replay of the pack {base['replay_ms']:.0f} ms")


if __name__ == "__main__":
    main()
