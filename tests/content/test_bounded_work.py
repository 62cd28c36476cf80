"""Scanning is linear in the text plus its findings: repeated trigger words, long digit runs
and texts where every match lies inside an allowed phrase cost no more than ordinary copy.

The sweeps that replaced nested loops (allowed phrases, dedupe) are checked against the plain
quadratic definitions of tests/content/reference.py on texts of repeated trigger words."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhili.detect.content import Finding, scan
from zhili.detect.content import scanner as scanner_module

from . import reference

# Words that trigger a term, a detector, an allowed phrase or a dedupe; and glue between them.
TRIGGERS = ["最佳", "最优质", "最优", "第一", "第一次", "微信", "薇信", "微信支付", "vx", "QQ", "联系",
            "12345", "13812345678", "治疗", "代替药物治疗", "3天瘦10斤", "瘦", "免税", "非免税",
            "国家级", "www.a.com", "wxid_abc123", "加薇信abc_123", "防伪二维码", "二维码", "益智"]
GLUE = ["", "", "，", " ", "a", "1", "。"]
repeated = st.lists(st.tuples(st.sampled_from(TRIGGERS), st.sampled_from(GLUE),
                              st.integers(1, 12)), min_size=1, max_size=6).map(
    lambda parts: "".join((word + glue) * n for word, glue, n in parts))
CONTEXTS = st.tuples(st.sampled_from([None, "health_supplement", "infant_food", "food"]),
                     st.sampled_from([{}, {"allow_wechat_pay": True}]))


@settings(max_examples=300, deadline=None)
@given(repeated, CONTEXTS)
def test_sweeps_equal_the_nested_loops_they_replaced(text, context):
    category, options = context
    fast = scan(text, category=category, options=options)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(scanner_module, "_term_findings", reference.term_findings)
        mp.setattr(scanner_module, "_dedupe", reference.dedupe)
        plain = scan(text, category=category, options=options)
    assert fast == plain


LONG = 200_000


@pytest.mark.parametrize("word", ["最佳", "微信", "第一次", "代替药物治疗", "联系12345，", "瘦",
                                  "加薇信abc_123 ", "3天瘦10斤", "1", "www.a.", "最优质最优"])
def test_200k_characters_of_one_trigger_scan_in_well_under_a_second(word):
    text = (word * (LONG // len(word) + 1))[:LONG]
    if word in ("1", "www.a."):
        text = "瘦联系" + text              # gates open: the efficacy and number detectors run
    scan(text[:100])                        # the tables and automaton are built outside the clock
    spent, found = _cpu(text)
    spent_tenth, _ = _cpu(text[:LONG // 10])
    assert all(text[f.start:f.end] == f.text for f in found[:1000])
    assert spent < 1.0, f"{word!r}: {spent:.2f} s of CPU for {len(found)} findings"
    # Linear: ten times the text (and the findings) costs about ten times as much; the quadratic
    # sweeps this replaced cost a hundred times as much.
    assert spent < 20 * spent_tenth + 0.01, f"{word!r}: {spent:.3f} s vs {spent_tenth:.3f} s"


def _cpu(text: str, runs: int = 3) -> tuple[float, list[Finding]]:
    """The scan's CPU time on this thread, the least of a few runs: the scan runs on this
    thread, so threads other tests left running add nothing (process_time would add them),
    and the least of three discards a run slowed by the machine rather than by the scan."""
    best, found = float("inf"), []
    for _ in range(runs):
        started = time.thread_time()
        found = scan(text, category="health_supplement")
        best = min(best, time.thread_time() - started)
    return best, found
