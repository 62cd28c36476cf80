"""The incremental fold, snapshots, and state queries beyond the horizon."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhili.engine import Fold, OutOfOrder, Subject, replay
from zhili.engine.book import SubjectBook
from zhili.engine.checkpoint import dump_component, load_component
from zhili.engine.component import MARKS
from zhili.events import in_time_order, parse_events
from zhili.rules import load_pack
from zhili.timekit import parse_instant

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")

PACK = load_pack("wechat_channels")
SUBJECTS = {"c1": Subject("c1", deposit=Decimal(5000)),
            "m": Subject("m", main=True, licence="L"), "a": Subject("a", licence="L")}
EVENTS = parse_events([
    {"id": "v1", "at": "2026-03-02 10:00", "type": "violation", "subject": "c1",
     "code": "false_health_claim", "item": "sku"},
    {"at": "2026-03-04 10:00", "type": "live_session", "subject": "c1", "minutes": 300,
     "transactions": 1},
    {"id": "v2", "at": "2026-03-05 10:00", "type": "violation", "subject": "a",
     "code": "cs_response_timeout"},
    {"id": "ap", "at": "2026-03-06 10:00", "type": "appeal_filed", "subject": "a",
     "violation": "v2"},
    {"at": "2026-03-07 10:00", "type": "appeal_decided", "subject": "a", "appeal": "ap",
     "outcome": "granted"},
    {"id": "v3", "at": "2026-04-01 10:00", "type": "violation", "subject": "c1",
     "code": "similar_trademark"},
])


def states(ledger, t):
    return {s: ledger.state(s, t).to_dict() for s in ledger.subjects}


def test_incremental_fold_equals_replay() -> None:
    fold = Fold(PACK, SUBJECTS)
    fold.apply_all(in_time_order(EVENTS))
    t = parse_instant("2026-06-01 00:00")
    assert states(fold.ledger(), t) == states(replay(EVENTS, PACK, SUBJECTS), t)


def test_a_snapshot_restores_and_continues_like_the_full_fold() -> None:
    ordered = in_time_order(EVENTS)
    fold = Fold(PACK, SUBJECTS)
    fold.apply_all(ordered[:4])
    restored = Fold.restore(fold.snapshot())
    restored.apply_all(ordered[4:])
    t = parse_instant("2027-02-01 00:00")
    assert states(restored.ledger(), t) == states(replay(EVENTS, PACK, SUBJECTS), t)


def test_events_earlier_than_the_horizon_are_refused() -> None:
    ordered = in_time_order(EVENTS)
    fold = Fold(PACK, SUBJECTS)
    fold.apply_all(ordered[2:])
    with pytest.raises(OutOfOrder):
        fold.apply(ordered[0])


def test_state_past_the_horizon_advances_a_copy_only() -> None:
    ledger = replay(EVENTS[:1], PACK, SUBJECTS)
    late = ledger.state("c1", parse_instant("2027-01-02 00:00"))
    assert late.scores["credit"] == 12
    again = ledger.state("c1", parse_instant("2026-03-03 00:00"))
    assert again.scores["credit"] == 8


def test_decisions_carry_pack_version_rule_and_explanation() -> None:
    ledger = replay(EVENTS, PACK, SUBJECTS)
    decisions = ledger.decisions("c1")
    assert decisions and all(d.pack == "wechat_channels" and d.version == PACK.version
                             for d in decisions)
    deduction = next(d for d in decisions if d.kind == "deduction")
    assert deduction.rule == "false_health_claim"
    assert deduction.explanation.provenance["source"] == "视频号橱窗达人违规管理规则 2025 解析"
    assert deduction.explanation.provenance["date"] == "2025"
    assert "扣除信用分 4 分" in deduction.explanation.provenance["quote"]
    assert deduction.explanation.inputs["score_before"] == 12


def test_a_grant_leaves_an_audit_trail_of_what_it_undid() -> None:
    ledger = replay(EVENTS, PACK, SUBJECTS)
    kinds = [(d.kind, d.subject) for d in ledger.decisions("m")]
    assert ("deduction", "m") in kinds and ("restore", "m") in kinds and ("refund", "m") in kinds
    assert ledger.state("m", parse_instant("2026-03-06 12:00")).scores["credit"] == 8
    assert ledger.state("m", parse_instant("2026-03-07 10:00")).scores["credit"] == 12


def test_an_unknown_subject_is_a_clear_error() -> None:
    from zhili.errors import InputError

    with pytest.raises(InputError, match="no subject"):
        replay(EVENTS, PACK, SUBJECTS).state("ghost", parse_instant("2026-03-03 00:00"))


def test_a_batch_reaching_before_the_horizon_is_refused() -> None:
    ordered = in_time_order(EVENTS)
    fold = Fold(PACK, SUBJECTS)
    fold.apply_all(ordered[2:])
    with pytest.raises(OutOfOrder):
        fold.apply_all(ordered[:2])


def test_a_batch_in_any_order_folds_like_its_events_in_time_order() -> None:
    ordered = in_time_order(EVENTS)
    one_by_one, batch = Fold(PACK, SUBJECTS), Fold(PACK, SUBJECTS)
    for event in ordered:
        one_by_one.apply(event)
    batch.apply_all(reversed(ordered))
    assert batch.horizon == one_by_one.horizon == ordered[-1].at
    t = parse_instant("2026-12-31 00:00")
    assert states(batch.ledger(), t) == states(one_by_one.ledger(), t)


def test_an_event_of_no_subject_reaches_every_component_in_a_batch() -> None:
    everyone = parse_events([{"id": "x", "at": "2026-03-03 00:00", "type": "exemption_declared",
                              "start": "2026-03-03 00:00", "end": "2026-03-06 00:00",
                              "reason": "typhoon"}])
    fold = Fold(PACK, SUBJECTS)
    fold.apply_all([*EVENTS[:1], *everyone])
    components = {id(c): c for c in fold.components.values()}.values()
    assert len(components) == 2  # c1 alone; m and a linked by their licence
    assert all(everyone[0] in c.events for c in components)
    assert fold.horizon == everyone[0].at


def test_apply_all_reports_its_progress_up_to_the_whole_batch() -> None:
    seen: list[tuple[int, int]] = []
    Fold(PACK, SUBJECTS).apply_all(EVENTS, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(EVENTS), len(EVENTS))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_backdated_event_folds_again_only_its_component() -> None:
    """Fifty components of two subjects each: a violation dated before everything folded
    folds again the twelve events of its own component and nothing else."""
    raws, subjects = [], {}
    for g in range(50):
        subjects[f"a{g}"] = Subject(f"a{g}", licence=f"L{g}")
        subjects[f"b{g}"] = Subject(f"b{g}", licence=f"L{g}")
        for k in range(6):
            for who in (f"a{g}", f"b{g}"):
                raws.append({"id": f"{who}-{k}", "type": "live_session", "subject": who,
                             "at": f"2026-03-{10 + k:02d} 10:00", "minutes": 60,
                             "transactions": 1})
    fold = Fold(PACK, subjects)
    assert fold.apply_all(parse_events(raws)) == 600
    late = parse_events([{"id": "late", "type": "violation", "subject": "b7",
                          "code": "false_health_claim", "at": "2026-03-01 10:00"}])
    assert fold.apply_all(late, late=True) == 1 + 12  # the late event, then its component
    assert fold.refolded == 12
    t = parse_instant("2026-04-01 00:00")
    assert states(fold.ledger(), t) == states(replay(parse_events(raws) + late, PACK,
                                                     subjects), t)


def test_a_late_event_folds_again_from_the_last_mark_before_it() -> None:
    """A component of two stores, twelve sessions a day apart, marked every two events: a
    violation between the tenth and eleventh events folds again only the two after the tenth
    (the mark it resumes from); one before every mark folds the whole component again."""
    subjects = {who: Subject(who, licence="L") for who in ("a", "b")}
    raws = [{"id": f"{who}-{k}", "type": "live_session", "subject": who,
             "at": f"2026-03-{10 + k:02d} {10 + i}:00", "minutes": 60, "transactions": 1}
            for k in range(6) for i, who in enumerate(("a", "b"))]
    fold = Fold(PACK, subjects, mark_every=2)
    fold.apply_all(parse_events(raws))
    assert [n for n, _ in fold.components["a"].marks] == [6, 8, 10, 12][-MARKS:]
    late = parse_events([{"id": "late", "type": "violation", "subject": "b",
                          "code": "false_health_claim", "at": "2026-03-15 10:30"}])
    assert fold.apply_all(late, late=True) == 1 + 2  # a-5 and b-5, after the tenth event
    assert [n for n, _ in fold.components["a"].marks] == [6, 8]  # the tenth's was taken
    earliest = parse_events([{"id": "early", "type": "violation", "subject": "a",
                              "code": "false_health_claim", "at": "2026-03-01 10:00"}])
    assert fold.apply_all(earliest, late=True) == 1 + 13  # before every mark: all of it
    t = parse_instant("2026-04-01 00:00")
    assert states(fold.ledger(), t) == states(
        replay(parse_events(raws) + late + earliest, PACK, subjects), t)


def test_marks_are_not_written_to_a_checkpoint() -> None:
    fold = Fold(PACK, mark_every=1)
    fold.apply_all(EVENTS)
    comp = next(iter(fold.components.values()))
    assert comp.marks
    again = load_component(dump_component(comp), PACK, fold.effects)
    assert not again.marks and again.events == comp.events


def test_decision_ids_number_only_the_repeats_of_one_cause_kind_and_rule() -> None:
    # a failed spot check holds the deposit and the item's goods payments: two holds of one
    # rule for one cause; the first keeps the plain id, the second is numbered #2
    events = parse_events([{"id": "v1", "type": "violation", "subject": "c1",
                            "code": "spot_check_failed", "item": "sku-1", "amount": 100,
                            "at": "2026-03-02 10:00"}], PACK.timezone)
    ledger = replay(events, PACK, {"c1": Subject("c1", kind="creator", deposit=Decimal(9000))})
    holds = [d.id for d in ledger.decisions("c1") if d.kind == "hold"]
    assert holds == ["v1/hold/spot_check_failed/c1", "v1/hold/spot_check_failed/c1#2"]
    ids = [d.id for d in ledger.decisions("c1")]
    assert len(ids) == len(set(ids))


def test_a_book_from_a_checkpoint_of_before_counts_equal_decisions_as_a_new_one():
    """Books once pickled their counts of equal decisions by (cause, kind, rule); read back,
    they count from the first decision of each cause as a book folded now does."""
    ledger = replay(EVENTS, PACK, SUBJECTS)
    book = next(b for c in ledger.components.values() for b in c.current.books.values()
                if len(b.decisions) > 2)
    old: dict = {}
    for d in book.decisions:
        key = (d.cause, d.at, d.kind, d.rule) if d.cause is None else (d.cause, d.kind, d.rule)
        old[key] = old.get(key, 0) + 1
    state = {**book.__getstate__(), "decision_counts": old}
    again = SubjectBook.__new__(SubjectBook)
    again.__setstate__(state)
    assert again.decision_counts == book.decision_counts
