"""The diff of two folds: nothing for an identical rule set, exactly the replay's decisions for
a changed parameter, and the parameter named as the cause."""

from __future__ import annotations

import datetime as dt

import pytest

from zhili.cli import history
from zhili.engine import replay
from zhili.impact import Summary, diff_subject, rule_changes
from zhili.rules import load_pack
from zhili.timekit import zone

AS_OF = dt.datetime(2026, 12, 31, 23, 0, tzinfo=zone("Asia/Shanghai"))


@pytest.fixture(scope="module")
def example():
    pack = load_pack("wechat_channels")
    subjects, events = history.load(history.example_path(pack), pack, None)
    return subjects, events


def diffs(example, params):
    subjects, events = example
    base, cand = load_pack("wechat_channels"), load_pack("wechat_channels", params)
    changes = rule_changes(base, cand)
    lb, lc = replay(events, base, subjects), replay(events, cand, subjects)
    out = [diff_subject(s, lb.decisions(s, AS_OF), lb.state(s, AS_OF), lc.decisions(s, AS_OF),
                        lc.state(s, AS_OF), changes) for s in lb.subjects]
    return changes, out, lc


def test_identical_rule_sets_differ_in_nothing(example):
    changes, out, _ = diffs(example, {})
    assert changes == []
    assert not any(d.changed for d in out)
    summary = Summary()
    for d in out:
        summary.add(d)
    assert summary.changed == 0 and summary.subjects == len(out)
    assert summary.base.to_dict() == summary.candidate.to_dict()


def test_a_parameter_change_is_named_with_both_values(example):
    name = "rules.false_health_claim.deduct.credit"
    changes, out, cand = diffs(example, {name: 6})
    assert [c.name for c in changes] == [name]
    assert changes[0].value("base") == 4 and changes[0].value("candidate") == 6
    assert changes[0].provenance("base").quote and changes[0].provenance("candidate").override
    changed = [d for d in out if d.changed]
    assert changed, "the example has a false health claim"
    for d in changed:
        direct = [x for x in d.decisions if x.direct]
        assert direct and all(x.rule == "false_health_claim" for x in direct)
        assert all(c.name == name for x in d.decisions for c in x.causes)
        # what the candidate decides is exactly what a replay under the parameter decides
        ids = {x.candidate.id for x in d.decisions if x.candidate is not None}
        replayed = {x.id: x for x in cand.decisions(d.subject, AS_OF)}
        assert ids <= set(replayed)
        for x in d.decisions:
            if x.candidate is not None:
                assert replayed[x.candidate.id] == x.candidate
        deduction = next(x for x in direct if x.kind == "deduction")
        assert deduction.change == "changed"
        assert deduction.base.detail["points"] == 4 and deduction.candidate.detail["points"] == 6
        assert d.score_deltas["credit"] == d.candidate.scores["credit"] - d.base.scores["credit"]


def test_band_decisions_follow_from_the_deduction(example):
    name = "rules.false_health_claim.deduct.credit"
    _, out, _ = diffs(example, {name: 8})
    indirect = [x for d in out for x in d.decisions if not x.direct]
    assert indirect and all(x.rule.startswith("bands") or x.rule != "false_health_claim"
                            for x in indirect)
    assert all([c.name for c in x.causes] == [name] for x in indirect)


def test_band_thresholds_are_their_own_cause(example):
    name = "bands.levels.band_8.upto"
    changes, out, _ = diffs(example, {name: 10})
    moved = [x for d in out for x in d.decisions if x.rule == "bands.band_8"]
    assert moved and all(x.direct and [c.name for c in x.causes] == [name] for x in moved)
    summary = Summary()
    for d in out:
        summary.add(d)
    assert summary.changed == sum(d.changed for d in out)
    assert summary.to_dict()["band_moves"]
