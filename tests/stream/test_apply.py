"""The consumer's work without the network: shards, batches, redelivery and refusals."""

from __future__ import annotations

import json
from collections import defaultdict
from itertools import zip_longest

import pytest

from zhili.api.service import Governance
from zhili.engine import replay
from zhili.errors import InputError
from zhili.rules import load_pack
from zhili.store import MemoryStore, StateService
from zhili.stream.apply import Applier
from zhili.stream.layout import read_message, shard_subjects, shards_of
from zhili.stream.publish import messages, partition_keys

from .history import PACK, events_of, expected_decisions, generate

STREAM = "t"


def applier(store, default_pack: str | None = None) -> Applier:
    return Applier(Governance(store, StateService(store)), default_pack)


def by_shard(creators: int, shards: int):
    subjects, raws = generate(creators)
    events = events_of(raws)
    out: dict[str, list[bytes]] = defaultdict(list)
    for subject, body, _mid in messages(STREAM, load_pack(PACK), subjects, events, shards):
        out[subject].append(body)
    return subjects, events, out


def test_subjects_that_may_affect_one_another_share_a_shard():
    subjects, events, shards = by_shard(40, 8)
    keys = partition_keys(load_pack(PACK), subjects, events)
    shard_of = {}
    for subject, bodies in shards.items():
        for body in bodies:
            item = read_message(body)
            sid = item.subject[0] if item.subject else item.event.subject
            if sid is not None:
                assert shard_of.setdefault(sid, subject) == subject
    assert shard_of["c1"] == shard_of["c2"]  # one licence
    assert shard_of["c5"] == shard_of["c12"]  # a link observed late
    assert keys["c12"] == keys["c5"] == "c12"  # (their component's first id, as text)
    for bodies in shards.values():
        items = [read_message(b) for b in bodies]
        kinds = ["subject" if i.subject else "event" for i in items]
        assert kinds == sorted(kinds, key=lambda k: k == "event")  # subjects first
        folded = [i.event for i in items if i.event is not None]
        assert folded == sorted(folded, key=lambda e: e.sort_key())
        assert any(e.id == "exempt-1" for e in folded)  # no subject: on every shard


@pytest.mark.parametrize("size", [7, 25])
def test_consumers_taking_shards_in_turns_log_what_a_replay_decides(size):
    subjects, events, shards = by_shard(40, 6)
    store = MemoryStore()
    workers = [applier(store), applier(store)]  # two processes' services over one store
    batches = [[b[i:i + size] for i in range(0, len(b), size)] for b in shards.values()]
    for turn, round_ in enumerate(zip_longest(*batches)):
        for k, batch in enumerate(round_):
            if batch:
                worker = workers[(turn + k) % 2]
                done = worker.apply([read_message(b) for b in batch])
                assert not done.refused
                worker.log(done.fresh)
    assert sorted(e.id for e in store.events(pack=PACK)) == sorted(e.id for e in events)
    logged = {d["id"]: d for d in store.decisions(pack=PACK)}
    assert logged == expected_decisions(subjects, events)
    ledger = replay(events, load_pack(PACK), subjects)
    at = max(e.at for e in events)
    states = workers[0].gov.states
    assert {s: st.to_dict() for s, st in states.states(list(subjects), at).items()} == {
        s: ledger.state(s, at).to_dict() for s in subjects}
    assert [d.to_dict() for d in states.decisions("c27")] == [  # what the REST API answers
        d.to_dict() for d in ledger.decisions("c27")]


def test_a_batch_delivered_again_is_applied_once():
    _subjects, _events, shards = by_shard(12, 2)
    store = MemoryStore()
    batch = [read_message(b) for b in shards[shard_subjects(STREAM, 2)[0]]]
    first = applier(store).apply(batch)
    applier(store).log(first.fresh)
    again = applier(store).apply(batch)  # another consumer, after a kill before the ack
    assert first.stored > 0 and first.fresh
    assert (again.stored, again.duplicates, again.fresh) == (0, first.stored, [])
    assert len(store.events(pack=PACK)) == first.stored


def test_decisions_published_but_not_logged_are_published_again():
    _subjects, _events, shards = by_shard(12, 1)
    store = MemoryStore()
    batch = [read_message(b) for b in next(iter(shards.values()))]
    first = applier(store).apply(batch)  # killed after publishing, before logging
    again = applier(store).apply(batch)
    assert [d.id for d in again.fresh] == [d.id for d in first.fresh]


def test_a_refused_message_holds_up_no_other():
    store = MemoryStore()
    bodies = [
        {"pack": PACK, "subject": {"id": "s1", "attributes": {"licence": "L1"}}},
        {"pack": PACK, "event": {"id": "v1", "type": "violation", "subject": "s1",
                                 "code": "counterfeit", "at": "2026-03-01 10:00"}},
        {"pack": PACK, "event": {"id": "a9", "type": "appeal_filed", "subject": "s1",
                                 "violation": "never-recorded", "at": "2026-03-02 10:00"}},
        {"event": {"id": "v2", "type": "violation", "subject": "s2", "code": "counterfeit",
                   "at": "2026-03-03 10:00"}},
        {"pack": PACK, "subject": {"id": "s3", "attributes": {"colour": "red"}}},
    ]
    items = [read_message(json.dumps(b).encode()) for b in bodies]
    done = applier(store).apply(items)
    assert sorted(done.refused) == [2, 3, 4]
    assert "never-recorded" in done.refused[2]
    assert "--pack" in done.refused[3]
    assert [e.id for e in store.events(pack=PACK)] == ["v1"]
    assert {d.subject for d in done.fresh} == {"s1"}
    with_pack = applier(store, PACK).apply(items[3:4])  # the consumer's --pack
    assert (with_pack.stored, with_pack.refused) == (1, {})


def test_a_message_that_is_no_event_is_refused_with_why():
    with pytest.raises(InputError, match="JSON"):
        read_message(b"\xff not json")
    with pytest.raises(InputError, match="type"):
        read_message(b'{"event": {"id": "x", "at": "2026-03-01"}}')
    bare = read_message(b'{"id": "x", "type": "live_session", "subject": "s", '
                        b'"at": "2026-03-01 10:00", "minutes": 5}')
    assert bare.pack is None and bare.event is not None and bare.event.id == "x"


def test_the_shard_count_is_read_from_the_stream_itself():
    assert shards_of("s", shard_subjects("s", 5)) == 5
    with pytest.raises(InputError, match=r"s\.events\.2"):
        shards_of("s", ["s.events.0", "s.events.2"])


def test_a_refused_message_in_a_large_round_costs_a_few_commits_not_one_per_message():
    store = MemoryStore()
    worker = applier(store, PACK)
    calls: list[int] = []
    ingest = worker.gov.ingest

    def counted(who, raws, pack):
        calls.append(len(raws))
        return ingest(who, raws, pack)

    worker.gov.ingest = counted  # type: ignore[method-assign]
    bodies = [{"event": {"id": f"l{i}", "type": "live_session", "subject": f"s{i % 5}",
                         "at": f"2026-03-01 {10 + i // 60}:{i % 60:02d}", "minutes": 30}}
              for i in range(64)]
    bodies[41] = {"event": {"id": "a9", "type": "appeal_filed", "subject": "s1",
                            "violation": "never-recorded", "at": "2026-03-01 10:41"}}
    done = worker.apply([read_message(json.dumps(b).encode()) for b in bodies])
    assert list(done.refused) == [41] and done.stored == 63
    assert len(calls) <= 2 * 6 + 1  # halving 64 down to the one: two calls a level, at most
    assert sorted(e.id for e in store.events(pack=PACK)) == sorted(
        b["event"]["id"] for i, b in enumerate(bodies) if i != 41)
