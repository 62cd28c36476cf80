"""Invariants of the fold, checked on generated histories."""

from __future__ import annotations

import datetime as dt
import random
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhili.engine import ComponentFold, Fold, Ledger, replay
from zhili.events import in_time_order, parse_event
from zhili.rules import load_pack

from .strategies import SUBJECTS, arrival_order, entangled_history, history, instants, subjects

PACK = load_pack("wechat_channels")
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def snapshot(ledger: Ledger, t: dt.datetime) -> dict:
    """What a subject's standing is, without the appeal records themselves."""
    out = {}
    for sid in ledger.subjects:
        d = ledger.state(sid, t).to_dict()
        d.pop("appeals")
        d.pop("as_of")
        out[sid] = d
    return out


def decisions(ledger: Ledger) -> list[dict]:
    return [d.to_dict() for sid in ledger.subjects for d in ledger.decisions(sid)]


@SETTINGS
@given(history(), subjects(), instants)
def test_replay_is_deterministic(events, subs, t) -> None:
    a, b = replay(events, PACK, subs), replay(list(events), PACK, dict(subs))
    assert decisions(a) == decisions(b)
    assert snapshot(a, t) == snapshot(b, t)


@SETTINGS
@given(history(), subjects(), st.data())
def test_applying_the_same_event_twice_changes_nothing(events, subs, data) -> None:
    again = data.draw(st.lists(st.sampled_from(events), min_size=1, max_size=5))
    t = data.draw(instants)
    assert snapshot(replay(events + again, PACK, subs), t) == snapshot(
        replay(events, PACK, subs), t)


@SETTINGS
@given(history(), subjects(), st.randoms(use_true_random=False), instants)
def test_events_out_of_order_fold_in_time_order(events, subs, rnd: random.Random, t) -> None:
    shuffled = list(events)
    rnd.shuffle(shuffled)
    a, b = replay(events, PACK, subs), replay(shuffled, PACK, subs)
    assert snapshot(a, t) == snapshot(b, t)
    assert decisions(a) == decisions(b)


@SETTINGS
@given(entangled_history(), subjects(), st.lists(instants, min_size=1, max_size=4))
def test_folding_component_by_component_equals_folding_event_by_event(events, subs,
                                                                       times) -> None:
    """``replay`` folds each component's events in one run; ``Fold.apply`` interleaves them in
    time order, merging components when a link arrives and refolding after a grant."""
    incremental = Fold(PACK, subs)
    for event in in_time_order(events):
        incremental.apply(event)
    a, b = replay(events, PACK, subs), incremental.ledger()
    assert a.subjects == b.subjects
    assert decisions(a) == decisions(b)
    for t in times:
        assert snapshot(a, t) == snapshot(b, t)


@SETTINGS
@given(entangled_history(), subjects(), st.randoms(use_true_random=False),
       st.lists(st.integers(0, 40), max_size=5), st.lists(instants, min_size=1, max_size=4),
       st.sampled_from((0, 1, 2, 3)), st.booleans())
def test_late_arrivals_in_any_order_fold_like_the_replay(events, subs, rnd: random.Random,
                                                         cuts, times, mark_every, kept) -> None:
    """Batches that reach before the horizon (late violations, late appeals granted or
    denied, late links that merge components) leave the fold where a replay of everything
    would be: each late batch folds again only the components it reaches, from the last
    mark inside the component before it when marks are kept; and a fold that keeps no
    decisions reads the same ones, folded again when asked."""
    shuffled = arrival_order(events, rnd)
    bounds = sorted({0, len(shuffled), *(c for c in cuts if c < len(shuffled))})
    incremental = Fold(PACK, subs, mark_every=mark_every, decisions=kept)
    for a, b in zip(bounds, bounds[1:], strict=False):
        incremental.apply_all(shuffled[a:b], late=True)
    whole, parts = replay(events, PACK, subs), incremental.ledger()
    assert whole.subjects == parts.subjects
    assert decisions(whole) == decisions(parts)
    for t in times:
        assert snapshot(whole, t) == snapshot(parts, t)


@SETTINGS
@given(entangled_history(), subjects(), st.lists(instants, min_size=1, max_size=4))
def test_a_ledger_without_its_decisions_reads_the_same_decisions_and_states(events, subs,
                                                                           times) -> None:
    """Decisions are a function of a component's events: a fold that does not keep them
    answers every state the same, and folds the component again for its decisions, as of any
    instant (past the horizon too)."""
    kept, light = replay(events, PACK, subs), replay(events, PACK, subs, decisions=False)
    assert decisions(kept) == decisions(light)
    for t in times:
        assert snapshot(kept, t) == snapshot(light, t)
        for sid in kept.subjects:
            assert [d.to_dict() for d in kept.decisions(sid, t)] == [
                d.to_dict() for d in light.decisions(sid, t)]


@SETTINGS
@given(entangled_history(), subjects(), st.integers(0, 400 * 24 * 60))
def test_state_past_the_horizon_read_in_place_equals_the_advanced_copy(events, subs,
                                                                      minutes) -> None:
    """Past the horizon a query reads the books in place when no tick or timer is due;
    that must equal advancing a copy of the fold to the instant."""
    ledger = replay(events, PACK, subs)
    t = max(e.at for e in events) + dt.timedelta(minutes=minutes)
    in_place = snapshot(ledger, t)
    with patch.object(ComponentFold, "quiet_until", lambda *args: False):
        assert snapshot(replay(events, PACK, subs), t) == in_place


@SETTINGS
@given(history(max_size=40), subjects(), st.lists(instants, min_size=1, max_size=8))
def test_scores_stay_within_floor_and_start(events, subs, times) -> None:
    ledger = replay(events, PACK, subs)
    for sid in ledger.subjects:
        for t in times:
            state = ledger.state(sid, t)
            for name, definition in PACK.scores.items():
                floor = definition.floor.value if definition.floor else 0
                assert floor <= state.scores[name] <= definition.start.value


@SETTINGS
@given(history(subject="c2"), subjects(), st.data())
def test_a_granted_appeal_equals_the_replay_without_the_violation(events, subs, data) -> None:
    violations = [e for e in events if e.type == "violation"]
    if not violations:
        return
    voided = data.draw(st.sampled_from(violations))
    filed = voided.at + dt.timedelta(hours=data.draw(st.integers(1, 7 * 24 - 1)))
    granted = filed + dt.timedelta(hours=data.draw(st.integers(1, 200)))
    appeal = [
        parse_event({"id": "ap", "type": "appeal_filed", "at": filed, "subject": "c2",
                     "violation": voided.id}),
        parse_event({"id": "ad", "type": "appeal_decided", "at": granted, "subject": "c2",
                     "appeal": "ap", "outcome": "granted"}),
    ]
    with_grant = replay(events + appeal, PACK, subs)
    without = replay([e for e in events if e.id != voided.id], PACK, subs)
    later = granted + dt.timedelta(minutes=data.draw(st.integers(0, 400 * 24 * 60)))
    assert snapshot(with_grant, later) == snapshot(without, later)
    # before the grant, the violation stood
    before = granted - dt.timedelta(seconds=1)
    if before >= voided.at:
        assert voided.id in {v.id for v in with_grant.state("c2", before).violations}


def test_subjects_strategy_covers_association() -> None:
    assert SUBJECTS[0] == "c1"
