"""Kill a process in the middle of ingesting batches; nothing acknowledged may be lost and no
batch may be stored in part.

The worker is this very file run as a script: it appends numbered batches, printing
``ack K`` once the store has returned batch K. It is killed with SIGKILL in two ways:

- *inside the transaction*: a hook prints ``written K`` after the batch's rows are inserted
  and before the commit, then waits; the kill lands there for certain;
- *at a random moment* of a batch, timed from how long the earlier batches took.

Three kills hit the same database (each worker starts where the last one died, so recovery is
exercised too); then every batch must be whole or absent, and every acknowledged one there.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

PACK = "wechat_channels"
BATCH = 400
ACKS_BEFORE_KILL = 3
# (how the kill lands) for each round, against one database
ROUNDS = ("in_transaction", "random", "in_transaction", "random")


def batch(k: int) -> list:
    from zhili.events import parse_event

    return [parse_event({"id": f"b{k}-e{j}", "type": "violation", "code": "false_health_claim",
                         "subject": f"c{j % 17}", "at": f"2026-03-{1 + k % 28:02d} 10:00",
                         "evidence": {"batch": k, "n": j}})
            for j in range(BATCH)]


def work(url: str, first: int, stall_at: int) -> None:
    """Ingest batches from ``first`` on; inside batch ``stall_at``'s transaction, wait."""
    from sqlalchemy import event

    from zhili.store import SqlStore, open_store

    store = open_store(url, migrate=False)
    assert isinstance(store, SqlStore)
    current = [first]

    def after_insert(conn, cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO EVENTS"):
            print(f"written {current[0]}", flush=True)
            if current[0] == stall_at:
                sys.stdin.readline()  # never answered: the kill finds the transaction open

    event.listen(store.engine, "after_cursor_execute", after_insert)
    for k in range(first, first + 10_000):
        current[0] = k
        events = batch(k)
        print(f"begin {k}", flush=True)
        store.append(events, pack=PACK)
        print(f"ack {k}", flush=True)


def kill_mid_batch(url: str, first: int, mode: str, rng: random.Random) -> tuple[set[int], int]:
    """Run a worker from batch ``first`` and kill it inside a batch: (acknowledged, in flight)."""
    stall_at = first + ACKS_BEFORE_KILL if mode == "in_transaction" else -1
    worker = subprocess.Popen([sys.executable, __file__, url, str(first), str(stall_at)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert worker.stdout is not None
    acked: set[int] = set()
    began: dict[int, float] = {}
    took: list[float] = []
    try:
        for line in worker.stdout:
            word, k = line.split()[0], int(line.split()[1])
            if word == "ack":
                acked.add(k)
                took.append(time.perf_counter() - began[k])
            elif word == "begin":
                began[k] = time.perf_counter()
                if mode == "random" and len(acked) >= ACKS_BEFORE_KILL:
                    time.sleep(rng.uniform(0.1, 0.9) * min(took))
                    break
            elif word == "written" and k == stall_at:
                break
        else:
            pytest.fail(f"worker ended by itself with status {worker.wait()}")
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
        return acked, k
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'killed.db'}"
        return
    from zhili.store.scratch import PostgresUnavailable, postgres_for_tests, scratch_schema

    try:
        server = postgres_for_tests()
    except PostgresUnavailable as err:  # a skip on a laptop, a failure where CI=true
        (pytest.fail if err.required else pytest.skip)(str(err))
        raise
    with scratch_schema(server, prefix="zhili_kill") as scratch:
        yield scratch


def test_a_killed_ingest_loses_no_acknowledged_batch_and_leaves_no_half_batch(url: str):
    from zhili.store import open_store

    open_store(url).close()  # create the schema before the workers start
    rng = random.Random(6)
    acknowledged: set[int] = set()
    in_flight: dict[int, str] = {}
    first = 0
    for mode in ROUNDS:
        acked, killed_in = kill_mid_batch(url, first, mode, rng)
        acknowledged |= acked
        in_flight[killed_in] = mode
        first = killed_in + 1

    store = open_store(url, migrate=False)
    per_batch = Counter(int(e.id.split("-")[0][1:]) for e in store.events(pack=PACK))
    # The store still takes batches after the kills, including the numbers that died.
    retried = sorted(in_flight)
    assert all(store.append(batch(k), pack=PACK).stored for k in retried if k not in per_batch)
    store.close()

    half = {k: n for k, n in per_batch.items() if n != BATCH}
    assert half == {}, f"batches stored in part: {half}"
    missing = acknowledged - set(per_batch)
    assert missing == set(), f"acknowledged batches lost: {sorted(missing)}"
    assert set(per_batch) <= acknowledged | set(in_flight)
    torn = [k for k, mode in in_flight.items() if mode == "in_transaction" and k in per_batch]
    assert torn == [], f"batches killed before their commit were stored: {torn}"
    committed = sum(k in per_batch for k in in_flight)
    print(f"\n{url.split(':')[0]}: {len(acknowledged)} acknowledged batches all kept; "
          f"{committed} of {len(in_flight)} in-flight batches had committed when killed")


if __name__ == "__main__":
    work(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
