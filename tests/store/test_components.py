"""The component is the unit of state in the service: a late event folds again only its own
component, a long fold of one component holds up no query on another, and a cold start reads
only the checkpoint of the component a query needs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhili.engine import Subject, replay
from zhili.engine.component import Component
from zhili.errors import InputError
from zhili.events import Event, parse_events
from zhili.rules import load_pack
from zhili.store import EventStore, MemoryStore, StateService
from zhili.store.base import Tail

from ..engine.strategies import SUBJECTS, arrival_order, entangled_history, instants, subjects

PACK = "wechat_channels"
CST = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 3, 1, tzinfo=CST)
GROUPS = 20
WAIT = 300  # seconds: only a query that waits for the fold (a failure) takes this long


def groups_history() -> tuple[dict[str, Subject], list[Event]]:
    """Twenty groups of two stores sharing a licence, six live sessions each a day apart."""
    subjects, raws = {}, []
    for g in range(GROUPS):
        for who in (f"a{g}", f"b{g}"):
            subjects[who] = Subject(who, licence=f"L{g}", deposit=Decimal(2000))
            raws += [{"id": f"{who}-{k}", "type": "live_session", "subject": who,
                      "at": START + dt.timedelta(days=k + 1), "minutes": 60,
                      "transactions": 1} for k in range(6)]
    return subjects, parse_events(raws)


def service_over(store: EventStore, **kwargs) -> tuple[StateService, list[Event]]:
    subjects, events = groups_history()
    for s in subjects.values():
        store.put_subject(PACK, s)
    service = StateService(store, **kwargs)
    service.ingest(events, pack=PACK)
    return service, events


def late_violation(subject: str, i: int = 0) -> Event:
    return parse_events([{"id": f"late{i}", "type": "violation", "subject": subject,
                          "code": "false_health_claim", "at": START}])[0]


def test_a_late_event_folds_again_only_its_component(store: EventStore):
    service, events = service_over(store)
    warm = service._warm_pack(service.pack(PACK))
    before = warm.fold.refolded
    late = late_violation("b3")
    service.ingest([late], pack=PACK)
    assert warm.fold.refolded - before == 12  # the group's twelve sessions, not the 240
    as_of = START + dt.timedelta(days=30)
    subjects, _ = groups_history()
    want = replay([*events, late], load_pack(PACK), subjects).state("a3", as_of).to_dict()
    assert service.state("a3", as_of).to_dict() == want  # the licence carries it to a3


def test_new_attributes_fold_again_only_the_components_they_reach(store: EventStore):
    """b3 takes group 4's licence: groups 3 and 4 fold again (24 of the 240 events), in the
    same warm fold, and a cold start after the next checkpoint round answers the same."""
    service, events = service_over(store)
    warm = service._warm_pack(service.pack(PACK))
    as_of = START + dt.timedelta(days=30)
    service.state("a4", as_of)
    applied = warm.applied
    moved = Subject("b3", licence="L4", deposit=Decimal(2000))
    store.put_subject(PACK, moved)
    subjects, _ = groups_history()
    want = replay(events, load_pack(PACK), {**subjects, "b3": moved})
    assert service.state("b3", as_of).to_dict() == want.state("b3", as_of).to_dict()
    assert service._warm_pack(service.pack(PACK)) is warm  # not a new fold of the pack
    assert warm.applied - applied == 24
    assert warm.fold.component_of("b3") is warm.fold.component_of("a4")
    assert warm.fold.component_of("a3") is not warm.fold.component_of("b3")
    warm.checkpoint()  # the new scope's first round writes every component
    cold = StateService(store)
    for sid in ("a3", "b3", "a4", "b4", "a5"):
        want_state = want.state(sid, as_of).to_dict()
        assert service.state(sid, as_of).to_dict() == want_state
        assert cold.state(sid, as_of).to_dict() == want_state
    again = cold._warm_pack(cold.pack(PACK))
    assert again.scope == warm.scope and again.cursor == store.head(PACK).events
    assert again.fold.refolded == 0 and not again.pending  # read from checkpoints


def test_new_attributes_after_an_event_of_every_component_fold_the_pack_anew():
    """An event of no subject belongs to every component: new attributes then start a new
    fold of the pack, which answers the replay too."""
    store = MemoryStore()
    service, events = service_over(store)
    everyone = parse_events([{"id": "exempt-1", "type": "exemption_declared",
                              "at": START + dt.timedelta(days=2),
                              "start": START + dt.timedelta(days=2),
                              "end": START + dt.timedelta(days=4), "scope": "all",
                              "reason": "system outage"}])
    service.ingest(everyone, pack=PACK)
    warm = service._warm_pack(service.pack(PACK))
    moved = Subject("b3", licence="L4", deposit=Decimal(2000))
    store.put_subject(PACK, moved)
    subjects, _ = groups_history()
    want = replay([*events, *everyone], load_pack(PACK), {**subjects, "b3": moved})
    as_of = START + dt.timedelta(days=30)
    for sid in ("a3", "b3", "a4"):
        assert service.state(sid, as_of).to_dict() == want.state(sid, as_of).to_dict()
    assert service._warm_pack(service.pack(PACK)) is not warm


def test_a_long_fold_of_one_component_holds_up_no_query_on_another():
    service, _ = service_over(MemoryStore())
    inside, release = threading.Event(), threading.Event()
    original = Component.apply_many

    def slow(self, events, **options):  # the late event's component takes as long as wanted
        if "a1" in self.subjects:
            inside.set()
            assert release.wait(2 * WAIT)  # longer than the query may take
        return original(self, events, **options)

    as_of = START + dt.timedelta(days=30)
    Component.apply_many = slow  # type: ignore[method-assign]
    try:
        folding = threading.Thread(target=service.ingest, args=([late_violation("a1")],),
                                   kwargs={"pack": PACK})
        folding.start()
        assert inside.wait(WAIT)
        answered: list = []
        query = threading.Thread(target=lambda: answered.append(service.state("a2", as_of)))
        query.start()
        # The fold of a1 is released only after the query ends (or after 2 × WAIT): an answer
        # while the fold is still alive shows the query did not wait for it, however slowly
        # a loaded machine runs the query.
        query.join(WAIT)
        assert answered and answered[0].subject == "a2"  # answered while a1's fold waits
        assert folding.is_alive()
    finally:
        release.set()
        Component.apply_many = original  # type: ignore[method-assign]
    folding.join(WAIT)
    assert [v.id for v in service.state("b1", as_of).violations] == []
    assert [v.id for v in service.state("a1", as_of).violations] == ["late0"]


class CountingStore(MemoryStore):
    """A memory store that counts what a cold start reads."""

    def __init__(self) -> None:
        super().__init__()
        self.checkpoints_read: list[str] = []
        self.events_read = 0

    def checkpoints_of(self, scope: str, subjects) -> dict[str, bytes]:
        self.checkpoints_read.extend(subjects)
        return super().checkpoints_of(scope, subjects)

    def tail(self, pack: str, after: int, known=()) -> Tail:
        found = super().tail(pack, after, known)
        self.events_read += len(found.events)
        return found

    def events(self, **kwargs) -> list[Event]:  # type: ignore[override]
        raise AssertionError("a state query must not read the pack's events")


def test_a_cold_start_reads_only_the_checkpoint_of_the_component_it_needs():
    store = CountingStore()
    service, events = service_over(store, snapshot_every=1)
    newer = parse_events([{"id": "after", "type": "violation", "subject": "b5",
                           "code": "false_health_claim", "at": START + dt.timedelta(days=9)}])
    service.ingest(newer, pack=PACK)
    store.events_read, store.checkpoints_read = 0, []
    cold = StateService(store)
    as_of = START + dt.timedelta(days=30)
    state = cold.state("a5", as_of)
    assert store.checkpoints_read == ["a5"]  # one component's checkpoint, found by its member
    assert store.events_read <= len(newer)  # and only what came after the checkpoints
    subjects, _ = groups_history()
    want = replay([*events, *newer], load_pack(PACK), subjects)
    assert state.to_dict() == want.state("a5", as_of).to_dict()
    assert cold.state("a9", as_of).to_dict() == want.state("a9", as_of).to_dict()
    # A late event after the cold start folds again the component from its checkpoint.
    late = late_violation("a9", 1)
    cold.ingest([late], pack=PACK)
    again = replay([*events, *newer, late], load_pack(PACK), subjects)
    assert cold.state("b9", as_of).to_dict() == again.state("b9", as_of).to_dict()
    assert cold.state("b5", as_of).to_dict() == again.state("b5", as_of).to_dict()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entangled_history(), subjects(), st.randoms(use_true_random=False),
       st.lists(st.integers(0, 40), max_size=5), st.sets(st.integers(0, 5), max_size=3),
       st.integers(1, 12), st.lists(instants, min_size=1, max_size=3))
def test_the_service_answers_the_replay_through_late_batches_and_cold_starts(
        events, subs, rnd, cuts, restarts, every, times):
    """Late batches, links merging components late, appeals granted and denied, with
    checkpoints written often and cold starts between batches: every answer is the replay's."""
    store = MemoryStore()
    for s in subs.values():
        store.put_subject(PACK, s)
    arrival = arrival_order(events, rnd)
    bounds = sorted({0, len(arrival), *(c for c in cuts if c < len(arrival))})
    service = StateService(store, snapshot_every=every)
    for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
        service.ingest(arrival[a:b], pack=PACK)
        if i in restarts:
            service = StateService(store, snapshot_every=every)
    whole = replay(events, load_pack(PACK), subs)
    for sid in sorted({e.subject for e in events if e.subject}):
        for t in times:
            assert service.state(sid, t).to_dict() == whole.state(sid, t).to_dict()
        assert [d.to_dict() for d in service.decisions(sid)] == [
            d.to_dict() for d in whole.decisions(sid)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entangled_history(), subjects(), st.randoms(use_true_random=False), st.integers(0, 40),
       st.sampled_from([*SUBJECTS, "c4"]), st.sampled_from([None, "L-1", "L-2"]),
       st.booleans(), st.lists(instants, min_size=1, max_size=3))
def test_new_attributes_between_batches_answer_the_replay(events, subs, rnd, cut, who,
                                                          licence, restart, times):
    """A subject's licence changes between two batches (joining or leaving a group, or a
    subject registered late), with a checkpoint round and a cold start after it or not:
    every answer is the replay's under the new attributes."""
    store = MemoryStore()
    for s in subs.values():
        store.put_subject(PACK, s)
    arrival = arrival_order(events, rnd)
    service = StateService(store, snapshot_every=1)
    if arrival[:cut]:
        service.ingest(arrival[:cut], pack=PACK)
    changed = dataclasses.replace(subs.get(who) or Subject(who), licence=licence)
    store.put_subject(PACK, changed)
    if restart:
        service.checkpoint(PACK)
        service._warm_pack(service.pack(PACK)).checkpoint()
        service = StateService(store, snapshot_every=1)
    if arrival[cut:]:
        service.ingest(arrival[cut:], pack=PACK)
    whole = replay(events, load_pack(PACK), {**subs, who: changed})
    for sid in sorted({e.subject for e in events if e.subject}):
        for t in times:
            assert service.state(sid, t).to_dict() == whole.state(sid, t).to_dict()
        assert [d.to_dict() for d in service.decisions(sid)] == [
            d.to_dict() for d in whole.decisions(sid)]


def test_a_refused_batch_leaves_the_other_components_warm_and_undoes_its_links():
    service, events = service_over(MemoryStore())
    warm = service._warm_pack(service.pack(PACK))
    as_of = START + dt.timedelta(days=30)
    before = {s: service.state(s, as_of).to_dict() for s in ("a1", "a2", "b2")}
    refused = parse_events([
        {"id": "join", "type": "link_observed", "subject": "a1", "other": "a2",
         "via": "device", "at": START + dt.timedelta(days=2)},
        {"id": "v-late", "type": "violation", "subject": "a1", "code": "false_health_claim",
         "at": START + dt.timedelta(days=3)},
        {"id": "orphan", "type": "appeal_filed", "subject": "a2", "violation": "v404",
         "at": START + dt.timedelta(days=4)}])
    with pytest.raises(InputError, match=r"events\[2\].*v404"):
        service.ingest(refused, pack=PACK)
    assert service._warm_pack(service.pack(PACK)) is warm  # not folded again from the store
    assert warm.fold.component_of("a1") is not warm.fold.component_of("a2")  # link undone
    assert {s: service.state(s, as_of).to_dict() for s in ("a1", "a2", "b2")} == before
    # The refused ids were never stored: the same ids may come again, foldable this time.
    service.ingest(refused[:2], pack=PACK)
    subjects, _ = groups_history()
    want = replay([*events, *refused[:2]], load_pack(PACK), subjects)
    for s in ("a1", "a2", "b1", "b2"):
        assert service.state(s, as_of).to_dict() == want.state(s, as_of).to_dict()
