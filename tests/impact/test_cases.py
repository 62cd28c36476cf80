"""Scenario cases with a candidate rule set: they can fail, and a malformed one is refused."""

from __future__ import annotations

import pytest

from zhili.errors import InputError
from zhili.scenario import load_cases, run_case

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")

CASE = """
- name: candidate
  pack: wechat_channels
  candidate: {params: {rules.false_health_claim.deduct.credit: 8}}
  events:
    - {id: v1, at: 2026-03-02 10:00, type: violation, subject: c1, code: false_health_claim}
  expect: []
  expect_candidate:
    - {at: 2026-03-02 10:01, subject: c1, score: {credit: %s}}
  impact:
    - {at: 2026-03-02 10:01, subject: c1, changed: %s, causes: [%s]}
"""


def run(tmp_path, *values):
    path = tmp_path / "cases.yaml"
    path.write_text(CASE % values, encoding="utf-8")
    return [run_case(c) for c in load_cases(path)]


def test_a_true_candidate_case_passes_and_a_false_one_fails(tmp_path):
    (ok,) = run(tmp_path, 4, "true", "rules.false_health_claim.deduct.credit")
    assert ok.passed, [f.describe() for f in ok.failures]
    (bad,) = run(tmp_path, 8, "false", "bands.fee_mode")
    assert {f.key for f in bad.failures} == {"candidate: score.credit", "impact.changed",
                                             "impact.causes"}


@pytest.mark.parametrize("change, message", [
    ("candidate: {params: {rules.false_health_claim.deduct.credit: 8}}",
     None),
    ("candidate: {bogus: 1}", "unknown key"),
    ("candidate: {version: '1999.1'}", "has no version"),
    ("candidate: {pack: missing/pack.yaml}", "unknown pack"),
])
def test_malformed_candidates_are_refused(tmp_path, change, message):
    text = (CASE % (4, "true", "rules.false_health_claim.deduct.credit")).replace(
        "candidate: {params: {rules.false_health_claim.deduct.credit: 8}}", change)
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    if message is None:
        assert load_cases(path)
        return
    with pytest.raises(InputError, match=message) as err:
        load_cases(path)
    assert str(path) in str(err.value) and "candidate" in str(err.value)


def test_impact_without_a_candidate_is_refused(tmp_path):
    text = (CASE % (4, "true", "x")).replace(
        "  candidate: {params: {rules.false_health_claim.deduct.credit: 8}}\n", "")
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="need a `candidate`"):
        load_cases(path)
