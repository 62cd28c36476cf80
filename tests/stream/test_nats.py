"""Against the real NATS server (127.0.0.1:4222, or $ZHILI_TEST_NATS) and PostgreSQL: three
consumer processes share a stream's shards; one is killed with SIGKILL mid-stream and started
again; the store ends with every event once and the decisions of a plain replay, and every one
of them was published.

Where CI=true an unreachable server fails the run; elsewhere the test skips and says why."""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from zhili.cli import history
from zhili.engine import replay
from zhili.i18n import use_language
from zhili.rules import load_pack
from zhili.store import StateService, open_store
from zhili.store.scratch import PostgresUnavailable, postgres_for_tests, scratch_schema
from zhili.stream.publish import publish
from zhili.stream.streams import drop_streams

from .history import PACK, expected_decisions, write

NATS = os.environ.get("ZHILI_TEST_NATS", "nats://127.0.0.1:4222")
SRC = str(Path(__file__).resolve().parents[2] / "src")


def run(coroutine):
    """Run a coroutine to its end in a thread of its own: a test run before this one may have
    left an event loop running in this thread (the browser tests do)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def nats_or_skip() -> None:
    async def ping() -> None:
        import nats

        nc = await nats.connect(NATS, connect_timeout=2, max_reconnect_attempts=0)
        await nc.jetstream().account_info()
        await nc.close()

    try:
        run(ping())
    except Exception as err:  # noqa: BLE001 - whatever the client raises, say it
        why = f"no NATS JetStream at {NATS}: {err!r}"
        (pytest.fail if os.environ.get("CI") == "true" else pytest.skip)(why)


@pytest.fixture
def stream():
    nats_or_skip()
    name = f"zhili_test_{uuid.uuid4().hex[:10]}"
    yield name
    run(drop_streams(NATS, name))


@pytest.fixture
def db():
    try:
        url = postgres_for_tests()
    except PostgresUnavailable as err:
        (pytest.fail if err.required else pytest.skip)(str(err))
    with scratch_schema(url, prefix="zhili_stream") as scratch:
        open_store(scratch).close()  # the schema, before three processes race to make it
        yield scratch


class Consumer:
    """A `zhili consume` process; what it says on standard error goes to a file, read as it
    grows."""

    def __init__(self, stream: str, db: str, name: str, folder: Path):
        self.said = folder / f"{name}.err"
        env = {**os.environ, "PYTHONPATH": SRC, "ZHILI_LANG": "en"}
        with open(self.said, "w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "zhili", "consume", "--nats", NATS, "--stream", stream,
                 "--db", db, "--pack", PACK, "--batch", "15", "--lease", "3",
                 "--until-idle", "2", "--name", name],
                env=env, stdout=subprocess.PIPE, stderr=err, text=True)

    def text(self) -> str:
        return self.said.read_text()

    def finish(self) -> str:
        out, _ = self.proc.communicate(timeout=150)
        assert self.proc.returncode == 0, self.text()
        assert "Traceback" not in self.text()
        return out


def stored(db: str) -> int:
    store = open_store(db, migrate=False)
    try:
        return store.count_events(pack=PACK)
    finally:
        store.close()


def wait_for(check, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


async def published(stream: str) -> list[dict]:
    """Every decision the stream's output holds, read back from its start (up to the last one
    stored when the reading began: every consumer has stopped by then)."""
    import nats

    nc = await nats.connect(NATS)
    sub = await nc.jetstream().subscribe(f"{stream}.decisions.>", ordered_consumer=True)
    out: list[dict] = []
    try:
        while True:
            msg = await sub.next_msg(timeout=10)
            out.append(json.loads(msg.data))
            if msg.metadata.num_pending == 0:
                return out
    except TimeoutError:
        return out  # none at all
    finally:
        await nc.close()


def test_consumers_killed_mid_stream_leave_every_event_once_and_the_replay_decisions(
        stream, db, tmp_path):
    events_file, subjects_file = write(tmp_path, 30)
    pack = load_pack(PACK)
    subjects, events = history.load(events_file, pack, subjects_file)
    done = run(publish(NATS, stream, pack, subjects, events, shards=6))
    assert done.repeated == 0 and done.shards == 6
    assert done.messages == len(subjects) + len(events) + 5  # exemption on every shard

    procs = {name: Consumer(stream, db, name, tmp_path) for name in ("a", "b", "c")}
    wait_for(lambda: all("took shard" in p.text() for p in procs.values())
             and stored(db) >= len(events) // 5, 120)
    procs.pop("a").proc.send_signal(signal.SIGKILL)  # mid-stream, holding shards
    assert stored(db) < len(events)
    procs["a2"] = Consumer(stream, db, "a2", tmp_path)  # and started again
    summaries = [p.finish() for p in procs.values()]
    assert all("events stored" in s for s in summaries)

    store = open_store(db, migrate=False)
    try:
        kept = store.events(pack=PACK)
        assert sorted(e.id for e in kept) == sorted(e.id for e in events)  # each once
        want = expected_decisions(subjects, events)
        assert {d["id"]: d for d in store.decisions(pack=PACK)} == want
        ledger = replay(events, pack, subjects)
        at = max(e.at for e in events)
        states = StateService(store)  # what the REST API serves, from the same store
        assert {s: x.to_dict() for s, x in states.states(list(subjects), at).items()} == {
            s: ledger.state(s, at).to_dict() for s in subjects}
        for s in subjects:
            assert [d.to_dict() for d in states.decisions(s)] == [
                d.to_dict() for d in ledger.decisions(s)]
    finally:
        store.close()
    sent = run(published(stream))
    assert {d["id"] for d in sent} == set(want)  # every decision published (some twice)
    assert all(d["sentence"] for d in sent)


def test_a_batch_its_holder_stored_but_never_acknowledged_comes_again_and_counts_once(
        stream, tmp_path):
    from zhili.api.service import Governance
    from zhili.store import MemoryStore
    from zhili.stream.apply import Applier
    from zhili.stream.consume import Options, run_consumer
    from zhili.stream.layout import consumer_name, events_subject, read_message

    events_file, subjects_file = write(tmp_path, 6)
    pack = load_pack(PACK)
    subjects, events = history.load(events_file, pack, subjects_file)
    run(publish(NATS, stream, pack, subjects, events, shards=1))
    store = MemoryStore()

    async def die_holding_a_batch() -> None:
        """A holder takes 20 messages, stores them, and dies before it acknowledges."""
        import nats
        from nats.js.api import AckPolicy, ConsumerConfig

        nc = await nats.connect(NATS)
        js = nc.jetstream()
        await js.add_consumer(stream, ConsumerConfig(
            durable_name=consumer_name(0), filter_subject=events_subject(stream, 0),
            ack_policy=AckPolicy.EXPLICIT, ack_wait=60))
        sub = await js.pull_subscribe_bind(durable=consumer_name(0), stream=stream)
        msgs = await sub.fetch(20, timeout=5)
        done = Applier(Governance(store, StateService(store))).apply(
            [read_message(m.data) for m in msgs])
        assert done.stored == 20 - len(subjects)
        await nc.close()

    run(die_holding_a_batch())
    said: list[str] = []
    options = Options(url=NATS, stream=stream, lease=1, until_idle=1.5)
    applier = Applier(Governance(store, StateService(store)))
    with use_language("en"), ThreadPoolExecutor(1) as pool:  # a thread: see run()
        tally = pool.submit(contextvars.copy_context().run, run_consumer, options, applier,
                            said.append).result()
    assert "shard 0: 20 messages its last holder left unacknowledged come again" in said
    assert tally.messages == len(subjects) + len(events)  # the twenty again, then the rest
    assert (tally.duplicates, tally.stored) == (20 - len(subjects), len(events) - 20 + len(subjects))
    assert sorted(e.id for e in store.events(pack=PACK)) == sorted(e.id for e in events)
    assert {d["id"] for d in store.decisions(pack=PACK)} == set(expected_decisions(subjects,
                                                                                  events))
