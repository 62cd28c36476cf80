"""The storage contract: every backend passes every test here (see conftest.BACKENDS)."""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import contextmanager
from decimal import Decimal

import pytest

from zhili.errors import InputError
from zhili.events import Event, parse_event
from zhili.store import AppendResult, EventStore, Head, open_store

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")

UTC = dt.UTC
PACK = "wechat_channels"


def ev(id: str, at: str, subject: str | None = "c1", type: str = "violation", **fields):
    raw = {"id": id, "at": at, "type": type, **fields}
    if subject is not None:
        raw["subject"] = subject
    if type == "violation":
        raw.setdefault("code", "false_health_claim")
    return parse_event(raw)


def test_append_stores_a_batch_and_reads_it_back_in_fold_order(store: EventStore):
    batch = [
        ev("v2", "2026-03-02 10:00", code="false_health_claim", amount="199.99",
           evidence={"命中": ["包治百病"], "rate": 0.25}),
        ev("d1", "2026-03-02 10:00", type="deposit_paid", amount="20000.10"),
        ev("a1", "2026-03-01 09:00", type="content_published", channel="title",
           text="纯天然 包治百病"),
    ]
    result = store.append(batch, pack=PACK)
    assert result == AppendResult(stored=["v2", "d1", "a1"], duplicates=[])
    back = store.events(pack=PACK)
    # Same instant: the deposit (rank 10) folds before the violation (rank 40).
    assert [e.id for e in back] == ["a1", "d1", "v2"]
    assert back == sorted(batch, key=Event.sort_key)
    assert back[2].amount == Decimal("199.99") and back[1].amount == Decimal("20000.10")
    assert back[0].text == "纯天然 包治百病"


def test_ingesting_the_same_batch_again_stores_nothing(store: EventStore):
    batch = [ev("v1", "2026-03-02 10:00"), ev("v2", "2026-03-03 10:00")]
    store.append(batch, pack=PACK)
    again = store.append([*batch, ev("v3", "2026-03-04 10:00")], pack=PACK)
    assert again.stored == ["v3"]
    assert sorted(again.duplicates) == ["v1", "v2"]
    assert [e.id for e in store.events(pack=PACK)] == ["v1", "v2", "v3"]


def test_a_stored_id_wins_over_a_later_event_reusing_it(store: EventStore):
    store.append([ev("v1", "2026-03-02 10:00", code="false_health_claim")], pack=PACK)
    result = store.append([ev("v1", "2026-05-01 10:00", code="other_code")], pack=PACK)
    assert result.duplicates == ["v1"]
    (kept,) = store.events(pack=PACK)
    assert kept.code == "false_health_claim"


def test_an_id_repeated_inside_a_batch_is_stored_once(store: EventStore):
    result = store.append([ev("v1", "2026-03-02 10:00"), ev("v1", "2026-03-02 11:00")],
                          pack=PACK)
    assert result == AppendResult(stored=["v1"], duplicates=["v1"])
    assert store.count_events(pack=PACK) == 1


def test_an_append_names_the_seqs_between_which_its_events_are_the_packs_only_ones(
        store: EventStore):
    """What a reader that saw the head before a batch needs to see the head after it, with
    other packs' batches in between and a batch of duplicates alone."""
    first = store.append([ev("v1", "2026-03-02 10:00")], pack=PACK)
    store.append([ev("s1", "2026-03-02 10:00", subject="s1")], pack="wechat_store")
    second = store.append([ev("v2", "2026-03-03 10:00"), ev("v3", "2026-03-03 11:00"),
                           ev("v1", "2026-03-02 10:00")], pack=PACK)
    again = store.append([ev("v2", "2026-03-03 10:00")], pack=PACK)
    assert first.moved is not None and second.moved is not None
    assert first.moved[0] == 0 and first.moved[1] == second.moved[0]
    assert again.moved == (second.moved[1], second.moved[1])
    assert store.head(PACK).events == second.moved[1]
    between = store.tail(PACK, second.moved[0])
    assert between.last == second.moved[1]
    assert sorted(e.id for e in between.events) == ["v2", "v3"]


def test_an_empty_batch_is_a_no_op(store: EventStore):
    assert store.append([], pack=PACK) == AppendResult(stored=[], duplicates=[])
    assert store.events(pack=PACK) == []


def test_a_batch_naming_a_subject_of_another_pack_stores_nothing(store: EventStore):
    store.append([ev("v1", "2026-03-02 10:00", subject="s1")], pack="wechat_store")
    mixed = [ev("v2", "2026-03-02 10:00", subject="c9"),
             ev("v3", "2026-03-02 11:00", subject="s1")]
    with pytest.raises(InputError, match="belongs to pack 'wechat_store'"):
        store.append(mixed, pack=PACK)
    assert store.events(pack=PACK) == []
    assert store.pack_of("c9") is None


def test_a_batch_with_something_not_an_event_stores_nothing(store: EventStore):
    with pytest.raises(InputError, match="expected an event"):
        store.append([ev("v1", "2026-03-02 10:00"), {"id": "v2"}], pack=PACK)  # type: ignore[list-item]
    assert store.count_events(pack=PACK) == 0


def test_a_blank_pack_is_refused(store: EventStore):
    with pytest.raises(InputError, match="pack code"):
        store.append([ev("v1", "2026-03-02 10:00")], pack=" ")


def test_events_filter_by_pack_subject_and_time(store: EventStore):
    store.append([ev("v1", "2026-03-01 10:00", subject="c1"),
                  ev("v2", "2026-03-02 10:00", subject="c2"),
                  ev("v3", "2026-03-03 10:00", subject="c1"),
                  ev("x1", "2026-01-01 00:00", subject=None, type="exemption_declared",
                     start="2026-01-01", end="2026-01-08")], pack=PACK)
    store.append([ev("w1", "2026-03-01 10:00", subject="s1")], pack="wechat_store")
    assert [e.id for e in store.events(pack=PACK, subjects=["c1"])] == ["v1", "v3"]
    assert [e.id for e in store.events(pack=PACK, subjects=[])] == []
    # until is inclusive and after exclusive; instants compare across zones.
    until = dt.datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    assert [e.id for e in store.events(pack=PACK, until=until)] == ["x1", "v1", "v2"]
    assert [e.id for e in store.events(pack=PACK, after=until)] == ["v3"]
    assert store.count_events(pack=PACK, until=until) == 3
    assert store.count_events(pack=PACK) == 4
    assert [e.id for e in store.events(pack="wechat_store")] == ["w1"]
    assert store.events(pack="tmall_global") == []


def test_subjects_belong_to_one_pack(store: EventStore):
    store.append([ev("v1", "2026-03-01 10:00", subject="c1")], pack=PACK)
    store.put_subject(PACK, {"id": "c2", "kind": "creator", "deposit": Decimal("20000")})
    store.put_subject("wechat_store", {"id": "s1", "kind": "store", "devices": ["d1", "d2"]})
    assert store.pack_of("c1") == PACK and store.pack_of("nobody") is None
    assert store.packs_of(["s1", "nobody", "c1", "c1"]) == {"c1": PACK, "s1": "wechat_store"}
    assert store.packs_of([f"x{i}" for i in range(1200)] + ["c2"]) == {"c2": PACK}  # IN chunks
    listed = store.subjects()
    assert list(listed) == ["c1", "c2", "s1"]
    assert listed["c1"] == (PACK, None)  # known only from its events
    pack, c2 = listed["c2"]
    assert pack == PACK and _attr(c2, "kind") == "creator"
    assert Decimal(str(_attr(c2, "deposit"))) == Decimal(20000)
    assert list(store.subjects("wechat_store")) == ["s1"]
    with pytest.raises(InputError, match="belongs to pack"):
        store.put_subject("wechat_store", {"id": "c1", "kind": "store"})
    with pytest.raises(InputError, match="belongs to pack"):
        store.append([ev("v9", "2026-03-01 10:00", subject="s1")], pack=PACK)


def test_put_subject_replaces_the_attributes(store: EventStore):
    store.put_subject(PACK, {"id": "c1", "kind": "creator", "deposit": 1000})
    store.put_subject(PACK, {"id": "c1", "kind": "creator", "deposit": 5000})
    _, c1 = store.subjects()["c1"]
    assert Decimal(str(_attr(c1, "deposit"))) == Decimal(5000)


def test_a_subject_without_an_id_is_refused(store: EventStore):
    with pytest.raises(InputError, match="subject with an id"):
        store.put_subject(PACK, {"kind": "creator"})


def _attr(subject: object, name: str) -> object:
    return subject[name] if isinstance(subject, dict) else getattr(subject, name)


def decision(id: str, at: str, subject: str = "c1", kind: str = "deduction") -> dict:
    return {"id": id, "at": at, "subject": subject, "kind": kind, "rule": "R1",
            "explanation": {"text": "扣 4 分"}}


def test_the_decision_log_is_append_only_and_idempotent(store: EventStore):
    store.append_decisions(PACK, [decision("d2", "2026-03-02T10:00:00+08:00"),
                                  decision("d1", "2026-03-01T10:00:00+08:00")])
    store.append_decisions(PACK, [decision("d1", "2026-03-01T10:00:00+08:00"),
                                  decision("d3", "2026-03-03T10:00:00+08:00", subject="c2")])
    store.append_decisions("wechat_store", [decision("e1", "2026-03-01T10:00:00+08:00",
                                                     subject="s1")])
    assert [d["id"] for d in store.decisions(pack=PACK)] == ["d1", "d2", "d3"]
    assert [d["id"] for d in store.decisions(subject="c1")] == ["d1", "d2"]
    assert len(store.decisions()) == 4
    assert store.decisions(subject="c1")[0]["explanation"] == {"text": "扣 4 分"}


def test_the_decision_log_says_which_ids_it_holds(store: EventStore):
    store.append_decisions(PACK, [decision("v1/deduction/R1/c1", "2026-03-01T10:00:00+08:00"),
                                  decision("v1/notice/R1/林", "2026-03-01T10:00:00+08:00")])
    asked = {"v1/deduction/R1/c1", "v1/notice/R1/林", "v2/deduction/R1/c1", "bad\x00id"}
    assert store.decision_ids(asked) == {"v1/deduction/R1/c1", "v1/notice/R1/林"}
    assert store.decision_ids([]) == set()
    assert store.stored_ids(["v1/deduction/R1/c1"]) == set()  # events and decisions apart


def test_a_decision_without_id_or_time_is_refused(store: EventStore):
    with pytest.raises(InputError, match="`id`"):
        store.append_decisions(PACK, [{"at": "2026-03-01T10:00:00+08:00"}])
    with pytest.raises(InputError, match="`at`"):
        store.append_decisions(PACK, [{"id": "d1"}])
    assert store.decisions() == []


def test_snapshots_are_kept_by_key_and_replaced(store: EventStore):
    assert store.get_snapshot(f"{PACK}/v1") is None
    horizon = dt.datetime(2026, 3, 2, 10, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    store.put_snapshot(f"{PACK}/v1", horizon, b"\x00fold-state\xff")
    got = store.get_snapshot(f"{PACK}/v1")
    assert got is not None and got == (horizon, b"\x00fold-state\xff")
    assert got[0].tzinfo is not None
    later = horizon + dt.timedelta(days=3)
    store.put_snapshot(f"{PACK}/v1", later, b"newer")
    assert store.get_snapshot(f"{PACK}/v1") == (later, b"newer")


def test_the_head_and_tail_follow_each_pack_in_the_order_it_was_stored(store: EventStore):
    assert store.head(PACK) == Head(0, 0) and store.tail(PACK, 0).events == []
    store.append([ev("v2", "2026-03-02 10:00"), ev("v1", "2026-03-01 10:00")], pack=PACK)
    store.append([ev("x1", "2026-03-01 10:00", subject="s1")], pack="aliexpress")
    first = store.head(PACK)
    assert first.events > 0 and first.subjects == 0
    whole = store.tail(PACK, 0)
    assert [e.id for e in whole.events] == ["v2", "v1"]  # stored order, not time order
    assert whole.last == first.events and whole.met == set()
    store.append([ev("v1", "2026-03-01 10:00"), ev("v0", "2026-02-01 10:00")], pack=PACK)
    later = store.tail(PACK, first.events)
    assert [e.id for e in later.events] == ["v0"]  # the duplicate did not move the head
    assert store.head(PACK).events == later.last > first.events
    store.append([ev("v0", "2026-02-01 10:00")], pack=PACK)
    assert store.head(PACK).events == later.last
    # A reader skips the ids it knows, and learns which of them it met.
    mine = store.tail(PACK, 0, known={"v1", "v0", "nowhere"})
    assert [e.id for e in mine.events] == ["v2"] and mine.met == {"v1", "v0"}
    store.put_subject(PACK, {"id": "c1", "deposit": 100})
    assert store.head(PACK) == Head(later.last, 1)
    assert [e.id for e in store.tail("aliexpress", 0).events] == ["x1"]


def test_a_guard_runs_inside_the_append_and_can_refuse_it(store: EventStore):
    seen = []

    @contextmanager
    def guard():
        seen.append(store.head(PACK).events)  # the store can be read inside
        yield
        seen.append("left")

    store.append([ev("v1", "2026-03-01 10:00")], pack=PACK, guard=guard())
    assert seen == [0, "left"]

    @contextmanager
    def refuse():
        raise InputError("refused by the fold")
        yield

    with pytest.raises(InputError, match="refused by the fold"):
        store.append([ev("v2", "2026-03-02 10:00")], pack=PACK, guard=refuse())
    assert [e.id for e in store.events(pack=PACK)] == ["v1"]


def test_a_guard_can_leave_events_out_of_the_batch(store: EventStore):
    @contextmanager
    def leave_out():
        yield {"v2"}  # a request of a group commit that the fold refused

    batch = [ev("v1", "2026-03-01 10:00"), ev("v2", "2026-03-02 10:00", subject="c9")]
    result = store.append(batch, pack=PACK, guard=leave_out())
    assert result.stored == ["v1"] and result.duplicates == []
    assert [e.id for e in store.events(pack=PACK)] == ["v1"]
    assert store.pack_of("c9") is None  # nor is its subject claimed
    assert store.append([ev("v3", "2026-03-03 10:00", subject="c9")], pack=PACK,
                        guard=leave_out()).stored == ["v3"]  # naming no event of it is fine


def test_component_checkpoints_are_found_by_any_member(store: EventStore):
    scope = f"{PACK}/v1/1"
    assert store.generation(scope) == 0 and store.checkpoint_of(scope, "c1") is None
    store.put_checkpoints(scope, 7, {"c1": (["c1", "c2"], b"\x00one"), "c3": (["c3"], b"3")})
    assert store.checkpoint_of(scope, "c2") == b"\x00one" and store.generation(scope) == 7
    # c3 joins c1's component: the members move with it; an older generation keeps the newer.
    store.put_checkpoints(scope, 5, {"c1": (["c1", "c2", "c3"], b"merged")})
    assert store.checkpoint_of(scope, "c3") == b"merged" and store.generation(scope) == 7
    store.put_checkpoints(scope, 9, {})
    assert store.generation(scope) == 9
    assert store.checkpoint_of(f"{PACK}/v2/1", "c1") is None  # scopes are apart
    store.put_checkpoints(scope, 9, {"c7": (["c7"], b"seven")})
    assert store.checkpoints_of(scope, ["c3", "c7", "c8", "c2"]) == {  # many at once
        "c2": b"merged", "c3": b"merged", "c7": b"seven"}
    assert store.checkpoints_of(f"{PACK}/v2/1", ["c1", "c7"]) == {}


def test_a_scope_of_checkpoints_is_dropped_whole(store: EventStore):
    kept, dropped = f"{PACK}/v1/1", f"{PACK}/v1/1/shadow-0123"
    for scope in (kept, dropped):
        store.put_checkpoints(scope, 4, {"c1": (["c1", "c2"], scope.encode())})
    assert store.checkpoint_scopes() == [kept, dropped]
    store.drop_checkpoints(dropped)
    assert store.checkpoint_scopes() == [kept]
    assert store.generation(dropped) == 0 and store.checkpoint_of(dropped, "c2") is None
    assert store.checkpoint_of(kept, "c2") == kept.encode() and store.generation(kept) == 4


def test_summaries_are_kept_per_subject_under_their_scope(store: EventStore):
    from zhili.store.base import Summary

    scope = f"{PACK}/v1/abc/3"
    since = dt.datetime(2026, 3, 2, 10, tzinfo=UTC)
    one = Summary("c1", 7, since, since + dt.timedelta(days=7), '{"band": "band_8"}')
    two = Summary("c1", 7, since, None, '{"band": null, "名": "星河"}')
    assert store.summaries(scope) == {}
    store.put_summaries(scope, {"c1": one, "c2": two})
    assert store.summaries(scope) == {"c1": one, "c2": two}
    # A subject has one summary: the last one stored, under whichever scope.
    later = Summary("c2", 9, since + dt.timedelta(days=1), None, "{}")
    store.put_summaries(f"{PACK}/v1/abc/4", {"c2": later})
    store.put_summaries(scope, {})
    assert store.summaries(scope) == {"c1": one}
    assert store.summaries(f"{PACK}/v1/abc/4") == {"c2": later}


def test_api_keys_are_found_by_hash(store: EventStore):
    admin = store.create_key("admin", None, "h-admin")
    merchant = store.create_key("merchant", "c1", "h-merchant")
    assert admin != merchant
    found = store.find_key("h-admin")
    assert (found.id, found.role, found.subject) == (admin, "admin", None)
    assert found.created is not None and found.expires is None and found.revoked is None
    found = store.find_key("h-merchant")
    assert (found.id, found.role, found.subject) == (merchant, "merchant", "c1")
    assert store.find_key("h-unknown") is None
    assert [k.id for k in store.list_keys()] == [admin, merchant]


def test_keys_expire_are_revoked_and_end_their_sessions(store: EventStore):
    now = dt.datetime(2026, 3, 10, 10, tzinfo=UTC)
    kid = store.create_key("reviewer", None, "h-r", expires=now + dt.timedelta(days=1))
    other = store.create_key("admin", None, "h-a")
    key = store.find_key("h-r")
    assert key.expires == now + dt.timedelta(days=1)
    assert key.usable(now) and not key.usable(now + dt.timedelta(days=1))
    store.key_used(kid, now)
    assert store.find_key("h-r").last_used == now
    store.open_session("s-r", kid, now + dt.timedelta(hours=12))
    store.open_session("s-a", other, now + dt.timedelta(hours=12))
    session = store.session_key("s-r")
    assert session is not None and session[0].id == kid
    assert session[1] == now + dt.timedelta(hours=12)
    assert store.revoke_key(kid, now) is True
    assert store.find_key("h-r").revoked == now and not store.find_key("h-r").usable(now)
    assert store.session_key("s-r") is None  # revoking ends the key's sessions
    assert store.session_key("s-a") is not None
    assert store.revoke_key(kid, now) is True  # revoking again: still known
    assert store.revoke_key("key_nothing", now) is False
    store.end_session("s-a")
    assert store.session_key("s-a") is None


@pytest.mark.parametrize(("role", "subject", "message"), [
    ("owner", None, "expected a role"),
    ("merchant", None, "needs the subject"),
    ("reviewer", "c1", "give no subject"),
])
def test_bad_keys_are_refused(store: EventStore, role, subject, message):
    with pytest.raises(InputError, match=message):
        store.create_key(role, subject, "h")
    assert store.find_key("h") is None


def test_a_key_hash_is_stored_once(store: EventStore):
    store.create_key("reviewer", None, "h")
    with pytest.raises(InputError, match="already stored"):
        store.create_key("admin", None, "h")
    assert store.find_key("h").role == "reviewer"


def test_concurrent_writers_store_each_event_exactly_once(store_url: str):
    stores = [open_store(store_url) for _ in range(2)] if store_url != "memory://" else \
        [open_store(store_url)] * 2
    batches = [[ev(f"v{i}", f"2026-03-01 10:{i % 60:02d}", subject=f"c{i % 7}")
                for i in range(start, start + 120)] for start in (0, 60)]
    results: list[AppendResult] = []
    errors: list[BaseException] = []

    def write(target: EventStore, batch: list[Event]) -> None:
        try:
            for i in range(0, len(batch), 20):
                results.append(target.append(batch[i:i + 20], pack=PACK))
        except BaseException as err:  # surfaced below, not swallowed
            errors.append(err)

    threads = [threading.Thread(target=write, args=pair) for pair in zip(stores, batches, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    stored = [i for r in results for i in r.stored]
    assert sorted(stored) == sorted(f"v{i}" for i in range(180))
    assert stores[0].count_events(pack=PACK) == 180
    for s in set(stores):
        s.close()


def test_data_outlives_the_process_handle(store_url: str):
    if store_url == "memory://":
        pytest.skip("the memory store lives only as long as its object")
    first = open_store(store_url)
    first.append([ev("v1", "2026-03-01 10:00")], pack=PACK)
    first.put_snapshot(f"{PACK}/k", dt.datetime(2026, 3, 1, tzinfo=UTC), b"s")
    first.close()
    second = open_store(store_url)
    assert [e.id for e in second.events(pack=PACK)] == ["v1"]
    assert second.get_snapshot(f"{PACK}/k") == (dt.datetime(2026, 3, 1, tzinfo=UTC), b"s")
    second.close()


UNSTORABLE = ["c\x00nul", "c\ud800", "x" * 201]


@pytest.mark.parametrize("name", UNSTORABLE, ids=["nul", "lone-surrogate", "too-long"])
def test_names_no_backend_can_hold_are_refused_alike(store: EventStore, name: str):
    # PostgreSQL refuses NUL in text and lone surrogates in UTF-8; SQLite would keep them.
    # Every backend refuses them up front, and lookups of them find nothing instead of failing.
    forged = Event(id=name, at=dt.datetime(2026, 3, 2, tzinfo=UTC), subject="c1")
    with pytest.raises(InputError):
        store.append([forged], pack=PACK)
    on_subject = Event(id="ok", at=dt.datetime(2026, 3, 2, tzinfo=UTC), subject=name)
    with pytest.raises(InputError) as err:
        store.append([on_subject], pack=PACK)
    assert err.value.path == "subject"
    with pytest.raises(InputError):
        store.put_subject(PACK, {"id": name})
    with pytest.raises(InputError):
        store.put_subject(PACK, {"id": "c1", "licence": "L\ud800"})
    with pytest.raises(InputError):
        store.create_key("merchant", name, "hash-of-" + name[:3])
    assert store.pack_of(name) is None
    assert store.packs_of([name, "c1"]) == {}
    assert store.stored_ids([name]) == set()
    assert store.events(pack=PACK, subjects=[name]) == []
    assert store.decisions(subject=name) == []
    assert store.events(pack=PACK) == [] and store.subjects() == {}
