"""Invariants of ingestion, checked on every backend with generated batches.

Each example writes to its own pack, so one store serves all examples of a test.
"""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhili.events import Event, in_time_order, parse_event
from zhili.store import EventStore

_packs = itertools.count()

event_dicts = st.fixed_dictionaries({
    "id": st.sampled_from([f"e{i}" for i in range(12)]),
    "at": st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 12, 31)),
    "subject": st.sampled_from(["c1", "c2", "c3"]),
    "kind": st.sampled_from(["violation", "deposit_paid", "live_session"]),
})


def as_event(raw: dict, pack: str) -> Event:
    fields = {"violation": {"code": "false_health_claim"}, "deposit_paid": {"amount": "99.5"},
              "live_session": {"minutes": 30}}[raw["kind"]]
    return parse_event({"id": f"{pack}:{raw['id']}", "at": raw["at"], "type": raw["kind"],
                        "subject": f"{pack}:{raw['subject']}", **fields})


def fresh_pack() -> str:
    return f"p{next(_packs)}"


hypothesis_settings = settings(max_examples=25, deadline=None,
                               suppress_health_check=[HealthCheck.function_scoped_fixture])


@hypothesis_settings
@given(raws=st.lists(event_dicts, max_size=20))
def test_ingesting_the_same_batch_twice_changes_nothing(store: EventStore, raws):
    pack = fresh_pack()
    batch = [as_event(r, pack) for r in raws]
    first = store.append(batch, pack=pack)
    after_once = store.events(pack=pack)
    second = store.append(batch, pack=pack)
    assert second.stored == []
    assert sorted(second.duplicates) == sorted(e.id for e in batch)
    assert store.events(pack=pack) == after_once
    assert after_once == in_time_order(batch)
    assert sorted(first.stored + first.duplicates) == sorted(e.id for e in batch)


@hypothesis_settings
@given(raws=st.lists(event_dicts, max_size=20), cuts=st.lists(st.integers(0, 20), max_size=4),
       order=st.randoms(use_true_random=False))
def test_how_a_history_is_split_into_batches_does_not_matter(store: EventStore, raws, cuts,
                                                             order):
    pack = fresh_pack()
    batch = [as_event(r, pack) for r in raws]
    bounds = sorted({0, len(batch), *(c for c in cuts if c <= len(batch))})
    chunks = [batch[a:b] for a, b in itertools.pairwise(bounds)]
    order.shuffle(chunks)
    stored = [i for chunk in chunks for i in store.append(chunk, pack=pack).stored]
    assert sorted(stored) == sorted({e.id for e in batch})
    # The first event given under an id wins, as in_time_order has it for one list.
    assert store.events(pack=pack) == in_time_order(e for chunk in chunks for e in chunk)
