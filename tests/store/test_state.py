"""StateService answers exactly what a full replay answers, from snapshots plus later events,
however the history arrives (late events, duplicates, several batches)."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhili.engine import Subject, replay
from zhili.errors import InputError
from zhili.events import Event, parse_event
from zhili.rules import load_pack
from zhili.store import EventStore, MemoryStore, StateService, open_store
from zhili.store import state as state_module
from zhili.store.base import AppendResult

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")

PACK = "wechat_channels"
CST = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 1, 1, tzinfo=CST)
WAIT = 300  # seconds: only a failure waits this long
CODES = ("false_health_claim", "exaggerated_efficacy", "counterfeit", "similar_trademark")


def violation(i: int, minutes: int, subject: str, code: str) -> Event:
    return parse_event({"id": f"v{i}", "type": "violation", "subject": subject, "code": code,
                        "at": START + dt.timedelta(minutes=minutes)})


def history(n: int, subjects: int, seed: int) -> list[Event]:
    rng = random.Random(seed)
    out: list[Event] = []
    for i in range(n):
        subject = f"c{i % subjects}"
        out.append(violation(i, rng.randrange(0, 300 * 24 * 60), subject, rng.choice(CODES)))
        if rng.random() < 0.1:  # an appeal, sometimes granted, against the violation
            at = out[-1].at + dt.timedelta(days=1)
            out.append(parse_event({"id": f"a{i}", "type": "appeal_filed", "subject": subject,
                                    "violation": f"v{i}", "at": at}))
            if rng.random() < 0.5:
                out.append(parse_event({"id": f"g{i}", "type": "appeal_decided",
                                        "subject": subject, "appeal": f"a{i}",
                                        "outcome": "granted", "at": at + dt.timedelta(days=2)}))
    return out


def expected(events: list[Event], subjects: dict[str, Subject], subject: str,
             as_of: dt.datetime) -> tuple[dict, list[dict]]:
    ledger = replay(events, load_pack(PACK), subjects)
    return (ledger.state(subject, as_of).to_dict(),
            [d.to_dict() for d in ledger.decisions(subject, as_of)])


def observed(service: StateService, subject: str, as_of: dt.datetime) -> tuple[dict, list[dict]]:
    return (service.state(subject, as_of).to_dict(),
            [d.to_dict() for d in service.decisions(subject, as_of)])


def test_state_through_the_store_equals_a_full_replay(store: EventStore):
    events = history(120, 4, seed=1)
    subjects = {"c0": Subject("c0", deposit=Decimal(20000))}
    store.put_subject(PACK, subjects["c0"])
    service = StateService(store, snapshot_every=8)
    # In time order, a quarter at a time, asking after each quarter.
    ordered = sorted(events, key=Event.sort_key)
    quarter = len(ordered) // 4 + 1
    for part in range(4):
        service.ingest(ordered[part * quarter:(part + 1) * quarter + 3], pack=PACK)  # dupes
        seen = ordered[:(part + 1) * quarter + 3]
        for as_of in (seen[len(seen) // 2].at, seen[-1].at + dt.timedelta(days=40)):
            assert observed(service, "c0", as_of) == expected(seen, subjects, "c0", as_of)
    assert store.count_events(pack=PACK) == len(events)
    # A fresh service (another process) starts from the stored snapshot.
    later = START + dt.timedelta(days=330)
    assert observed(StateService(store), "c1", later) == expected(events, subjects, "c1", later)


def test_ingesting_a_history_again_changes_nothing(store: EventStore):
    events = history(40, 2, seed=5)
    service = StateService(store)
    first = service.ingest(events, pack=PACK)
    as_of = START + dt.timedelta(days=320)
    before = observed(service, "c0", as_of)
    again = service.ingest(list(reversed(events)), pack=PACK)
    assert again.stored == [] and sorted(again.duplicates) == sorted(first.stored)
    assert observed(service, "c0", as_of) == before == expected(events, {}, "c0", as_of)


def test_a_late_event_invalidates_the_snapshot(store: EventStore):
    events = history(60, 2, seed=2)
    service = StateService(store, snapshot_every=1)
    service.ingest(events, pack=PACK)
    as_of = START + dt.timedelta(days=320)
    service.state("c0", as_of)
    late = violation(999, 0, "c0", "counterfeit")  # at START, before every snapshot horizon
    service.ingest([late], pack=PACK)
    want = expected([*events, late], {}, "c0", as_of)
    assert observed(service, "c0", as_of) == want
    assert observed(StateService(store), "c0", as_of) == want


def test_new_subject_attributes_start_a_new_fold(store: EventStore):
    events = history(40, 2, seed=3)
    service = StateService(store)
    service.ingest(events, pack=PACK)
    as_of = START + dt.timedelta(days=320)
    service.state("c0", as_of)
    richer = {"c0": Subject("c0", deposit=Decimal(500))}
    store.put_subject(PACK, richer["c0"])
    assert observed(service, "c0", as_of) == expected(events, richer, "c0", as_of)


def test_a_batch_the_rules_cannot_fold_is_refused_whole(store: EventStore):
    service = StateService(store)
    service.ingest([violation(1, 0, "c0", "counterfeit")], pack=PACK)
    orphan = parse_event({"id": "a9", "type": "appeal_filed", "subject": "c0",
                          "violation": "v404", "at": START + dt.timedelta(days=1)})
    with pytest.raises(InputError, match=r"events\[1\].*v404"):
        service.ingest([violation(2, 60, "c0", "counterfeit"), orphan], pack=PACK)
    assert [e.id for e in store.events(pack=PACK)] == ["v1"]
    late_orphan = parse_event({"id": "a8", "type": "appeal_filed", "subject": "c0",
                               "violation": "v404", "at": START - dt.timedelta(days=1)})
    # Earlier than what is stored: the whole history folds again, and the refusal still names
    # the event's place in the batch.
    with pytest.raises(InputError, match=r"events\[1\].*v404"):
        service.ingest([violation(3, 1, "c0", "counterfeit"), late_orphan], pack=PACK)
    # The service is not left holding a fold with the refused events in it.
    assert [v.id for v in service.state("c0", START + dt.timedelta(days=2)).violations] == ["v1"]


def test_unknown_subjects_and_packs_are_clear_errors():
    service = StateService(MemoryStore())
    with pytest.raises(InputError, match="no subject 'nobody'"):
        service.state("nobody", START)
    with pytest.raises(InputError, match="unknown pack '../etc'"):
        service.ingest([violation(1, 0, "c0", "counterfeit")], pack="../etc")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), cuts=st.lists(st.integers(0, 50), max_size=4),
       every=st.integers(1, 20))
def test_any_arrival_order_gives_the_replayed_state(seed, cuts, every):
    events = [e for e in history(50, 3, seed=seed) if e.type == "violation"]
    random.Random(seed).shuffle(events)  # late arrivals, and batches out of order
    store = MemoryStore()
    bounds = sorted({0, len(events), *(c for c in cuts if c <= len(events))})
    service = StateService(store, snapshot_every=every)
    as_of = START + dt.timedelta(days=310)
    for a, b in zip(bounds, bounds[1:], strict=False):
        service.ingest(events[a:b], pack=PACK)
        if store.pack_of("c0"):  # leaves snapshots behind for the next batch to outdate
            service.state("c0", as_of)
    assert observed(service, "c1", as_of) == expected(events, {}, "c1", as_of)


def test_state_stays_fast_as_history_grows(tmp_path):
    """A query after new events costs the new events, not the history: compare with replay."""
    store = open_store(f"sqlite:///{tmp_path / 'grow.db'}")
    service = StateService(store)
    events = sorted(history(3000, 100, seed=4), key=Event.sort_key)
    pack = load_pack(PACK)
    as_of = START + dt.timedelta(days=330)
    service.ingest(events[:-20], pack=PACK)
    service.state("c0", as_of)
    service.ingest(events[-20:], pack=PACK)
    t0 = time.perf_counter()
    incremental = service.state("c0", as_of).to_dict()
    t1 = time.perf_counter()
    full = replay(store.events(pack=PACK), pack, {}).state("c0", as_of).to_dict()
    t2 = time.perf_counter()
    store.close()
    assert incremental == full
    print(f"\nstate after 20 new events on {len(events)}: {1000 * (t1 - t0):.1f} ms; "
          f"full replay {1000 * (t2 - t1):.1f} ms")
    assert (t1 - t0) < (t2 - t1) / 5


class GatedStore(MemoryStore):
    """A memory store whose appends wait at a gate once it is closed, and that records the
    ids of every batch it is asked to append."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()
        self.inside = threading.Event()
        self.batches: list[list[str]] = []

    def append(self, events, *, pack, guard=None):  # type: ignore[override]
        self.batches.append([e.id for e in events])
        self.inside.set()
        assert self.gate.wait(WAIT)
        return super().append(events, pack=pack, guard=guard)


def test_batches_that_wait_for_a_commit_are_written_together_each_as_if_alone(monkeypatch):
    monkeypatch.setattr(state_module, "GROUP_EVENTS", 5_000)  # group commit on
    store = GatedStore()
    service = StateService(store)
    service.ingest([violation(1, 0, "c0", "counterfeit")], pack=PACK)
    store.gate.clear()  # the next commit takes as long as the test wants
    outcomes: dict[str, object] = {}

    def post(name: str, events: list[Event]) -> None:
        try:
            outcomes[name] = service.ingest(events, pack=PACK)
        except InputError as err:
            outcomes[name] = err

    orphan = parse_event({"id": "a9", "type": "appeal_filed", "subject": "c1",
                          "violation": "v404", "at": START + dt.timedelta(days=1)})
    posts = {"first": [violation(2, 60, "c0", "counterfeit")],
             "second": [violation(3, 120, "c1", "counterfeit"), violation(1, 0, "c0", "x")],
             "refused": [violation(4, 180, "c2", "counterfeit"), orphan],
             "late": [violation(5, -60, "c0", "exaggerated_efficacy"),
                      violation(3, 120, "c1", "counterfeit")]}
    first = threading.Thread(target=post, args=("first", posts["first"]))
    first.start()
    assert store.inside.wait(WAIT)  # the first batch leads; the others queue behind it
    others = [threading.Thread(target=post, args=(name, posts[name]))
              for name in ("second", "refused", "late")]
    for thread in others:
        thread.start()
        deadline = time.monotonic() + WAIT
        while len(service._writers[PACK].queue) < others.index(thread) + 1:
            assert time.monotonic() < deadline
            time.sleep(0.001)
    store.gate.set()
    for thread in (first, *others):
        thread.join(WAIT)
    # One append for the first batch, one for the three that waited behind it.
    assert store.batches[1:] == [["v2"], ["v3", "v1", "v4", "a9", "v5", "v3"]]
    assert outcomes["first"] == AppendResult(stored=["v2"])
    assert outcomes["second"] == AppendResult(stored=["v3"], duplicates=["v1"])
    assert isinstance(outcomes["refused"], InputError)
    assert "events[1]" in str(outcomes["refused"]) and "v404" in str(outcomes["refused"])
    assert outcomes["late"] == AppendResult(stored=["v5"], duplicates=["v3"])
    kept = [violation(1, 0, "c0", "counterfeit"), *posts["first"], posts["second"][0],
            posts["late"][0]]
    assert sorted(e.id for e in store.events(pack=PACK)) == ["v1", "v2", "v3", "v5"]
    assert store.pack_of("c2") is None  # the refused batch claimed nothing
    as_of = START + dt.timedelta(days=3)
    for subject in ("c0", "c1"):
        assert observed(service, subject, as_of) == expected(kept, {}, subject, as_of)
    assert observed(StateService(store), "c0", as_of) == expected(kept, {}, "c0", as_of)


def test_without_group_commit_each_waiting_batch_has_its_own_transaction():
    store = GatedStore()
    service = StateService(store)
    service.ingest([violation(1, 0, "c0", "counterfeit")], pack=PACK)
    store.gate.clear()
    posts = [[violation(i, 60 * i, f"c{i}", "counterfeit")] for i in (2, 3, 4)]
    threads = [threading.Thread(target=service.ingest, args=(p,), kwargs={"pack": PACK})
               for p in posts]
    threads[0].start()
    assert store.inside.wait(WAIT)
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + WAIT
    while len(service._writers[PACK].queue) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.001)
    store.gate.set()
    for thread in threads:
        thread.join(WAIT)
    assert sorted(store.batches[1:]) == [["v2"], ["v3"], ["v4"]]
