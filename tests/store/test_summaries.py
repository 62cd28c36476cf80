"""The subjects list's summaries agree with the fold: after ingestion, at instants where only
time changes things (sanctions ending, documents expiring), after a late event, after a link
merges components, after a restart, and when another writer stored events behind the service's
back. The oracle replays the whole history from scratch and reads documents from the events."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhili.demo.crowd import load_crowd
from zhili.documents import documents_as_of
from zhili.engine import replay
from zhili.events import parse_events
from zhili.rules import load_pack
from zhili.store import EventStore, StateService, open_store
from zhili.store.summaries import summary_of
from zhili.timekit import parse_instant

END = parse_instant("2026-06-30 12:00")
# From before the last events to past every document's expiry and every timed sanction.
INSTANTS = [END + dt.timedelta(days=d) for d in (-20, 0, 31, 200, 370)]


def oracle(store: EventStore, at: dt.datetime) -> dict[str, dict]:
    """Every subject with a history, summarised from a full replay of its pack."""
    out: dict[str, dict] = {}
    registry = store.subjects()
    for code in sorted({pack for pack, _ in registry.values()}):
        pack = load_pack(code)
        events = store.events(pack=code)
        subjects = {sid: s for sid, (p, s) in registry.items() if p == code and s is not None}
        ledger = replay(events, pack, subjects)
        cats = {sid: tuple(getattr(subjects.get(sid), "categories", ()) or ())
                for sid in ledger.subjects}
        docs = documents_as_of([e for e in events if e.at <= at], code, cats, at,
                               tz=pack.timezone)
        for sid in ledger.subjects:
            if any(e.subject == sid for e in events):
                out[sid] = summary_of(ledger.state(sid, at), docs.get(sid, ()))
    return out


@pytest.fixture
def crowd(store_url: str):
    store = open_store(store_url)
    # Checkpoint rounds (and so the summaries written in them) after every batch.
    states = StateService(store, snapshot_every=1)
    load_crowd(store, states, 15, END)
    yield store, states
    store.close()


def agree(store: EventStore, states: StateService, at: dt.datetime) -> None:
    found = states.summaries(list(store.subjects()), at)
    assert found == oracle(store, at), at


def test_summaries_are_written_as_events_are_ingested_and_read_back(crowd):
    store, states = crowd
    subjects = store.subjects()
    kept = {sid for code in {p for p, _ in subjects.values()}
            for sid in store.summaries(states._warm_pack(states.pack(code)).scope)}
    assert kept == set(subjects)  # every subject of the crowd has a history
    for at in INSTANTS:
        agree(store, states, at)


def test_after_a_restart_the_list_is_read_from_the_store(crowd):
    store, states = crowd
    for at in INSTANTS:
        agree(store, StateService(store), at)
    # What a list folded (time alone changed it since ingestion) is stored for the next one:
    # after another restart nothing is folded; no pack's fold is even started.
    StateService(store).summaries(list(store.subjects()), END)
    restarted = StateService(store)
    assert restarted.summaries(list(store.subjects()), END) == oracle(store, END)
    assert restarted._warm == {}


def test_a_late_event_a_link_and_another_writer_are_seen(crowd):
    store, states = crowd
    agree(store, states, END)
    before = states.summaries(["wc-00003"], END)["wc-00003"]
    late = parse_events([
        # Earlier than what the component has folded: the component is folded again.
        {"id": "late-1", "type": "violation", "subject": "wc-00003",
         "at": "2026-06-01 09:00", "code": "false_health_claim", "item": "sku-late"},
        # Two components become one: a sanction may now reach across.
        {"id": "link-1", "type": "link_observed", "subject": "wc-00003", "other": "wc-00006",
         "via": "device", "at": "2026-06-02 09:00"},
    ])
    states.ingest(late, pack="wechat_channels")
    after = states.summaries(["wc-00003"], END)["wc-00003"]
    assert after["violations"] == before["violations"] + 1
    for at in INSTANTS[1:4]:
        agree(store, states, at)
        agree(store, StateService(store), at)
    # Stored without this service: its summaries must not hide the event.
    store.append(parse_events([{"id": "behind-1", "type": "violation", "subject": "wc-00009",
                                "at": "2026-06-29 10:00", "code": "false_health_claim",
                                "item": "sku-x"}]), pack="wechat_channels")
    assert states.summaries(["wc-00009"], END)["wc-00009"]["violations"] >= 1
    for at in INSTANTS[1:3]:
        agree(store, StateService(store), at)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.lists(st.integers(min_value=-60, max_value=420), min_size=1, max_size=4))
def test_any_sequence_of_instants_agrees_with_a_replay(tmp_path_factory, days):
    store = open_store("memory://")
    states = StateService(store, snapshot_every=1)
    load_crowd(store, states, 6, END)
    for d in days:
        agree(store, states, END + dt.timedelta(days=d, hours=d % 7))
