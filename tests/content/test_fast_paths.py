"""The shortcuts of the scanner give the findings of the plain path: lazy views equal the eager
ones, batches equal single texts, detector conditions are necessary, the number detector equals
its reference (tests/content/reference.py) — on random texts full of evasions."""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from zhili.detect.content import scan, scan_many
from zhili.detect.content.detectors import NUMBERS, QQ_CUE
from zhili.detect.content.lexicon import default_lexicon
from zhili.detect.content.normalize import (
    CLAUSE,
    CLAUSE_PUNCT,
    JOIN,
    _tables,
    batches,
    normalize,
    normalize_many,
)
from zhili.detect.content.scanner import _compile, _scan, scan_exhaustive

from . import reference

# Pieces of product copy, evasions and near misses; random texts are made of them.
FRAGMENTS = [
    "微信", "薇❤信", "V信", "vx", "ＷＸ", "weixin", "Wei Xin", "加", "加我", "QQ", "扣扣", "企鹅",
    "联系", "电话", "号码", "订单号", "单号", "批准文号", "①③⑧", "一三八", "壹叁捌", "138", "139",
    "1234", "5678", "12345", "８６", "+86", "二", "㊄", "五六七八", "〇", "，", "。", "、", " ",
    "-", "_", ".", ":", "/", "💬", "\u200b", "\n", "…", "！", "www.", "abc", ".com", ".cn",
    "http://", "taobao.com", "wxid_", "abc_123", "id", "3天", "三天", "一周", "瘦", "十斤", "美白",
    "了", "掉", "5", "斤", "内", "轻松", "个月", "最佳", "最优质", "第一", "第一次", "最近", "治疗",
    "根治", "免税", "非免税", "國家級", "號碼", "TV", "信号", "二维码", "防伪二维码", "支付",
    "支持微信支付", "本品不能替代药物", "益智", "宝宝", "增强免疫力", "原价199.00", "2025-11-22",
    "规格150ml", "买一送一", "售价", JOIN, "\x00", "\x01",
]
CATEGORIES = [None, "food", "health_supplement", "health_food", "infant_food",
              "infant_formula", "medicine"]
texts = st.lists(st.sampled_from(FRAGMENTS), max_size=24).map("".join)
# Digit-heavy pieces: phone numbers, QQ numbers and near misses in every script.
DIGITS = ["1", "3", "8", "9", "0", "5", "13812345678", "①", "③", "⑧", "一", "三", "八", "幺",
          "壹", "叁", "１", "８", "㊀", "，", "。", "-", " ", "❤", "订单号", "单号", "QQ", "扣扣",
          "联系", "电话", "买一送一", "86", "号", "a", "第"]
numbers = st.lists(st.sampled_from(DIGITS), max_size=30).map("".join)
contexts = st.tuples(st.sampled_from(CATEGORIES),
                     st.sampled_from([{}, {"allow_wechat_pay": True}]))


@settings(max_examples=400, deadline=None)
@given(st.one_of(texts, numbers), contexts)
def test_scan_with_shortcuts_equals_exhaustive_scan(text, context):
    category, options = context
    assert scan(text, category=category, options=options) == scan_exhaustive(
        text, category=category, options=options)


@settings(max_examples=100, deadline=None)
@given(st.lists(texts, max_size=12), contexts)
def test_scan_many_equals_scan_one_by_one(many, context):
    category, options = context
    assert scan_many(many, category=category, options=options) == [
        scan(t, category=category, options=options) for t in many]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(texts, st.sampled_from(CATEGORIES)), max_size=8))
def test_scan_many_with_a_category_per_text(pairs):
    got = scan_many([t for t, _ in pairs], categories=[c for _, c in pairs])
    assert got == [scan(t, category=c) for t, c in pairs]


def test_scan_many_needs_one_category_per_text():
    with pytest.raises(ValueError, match="2 categories for 1 texts"):
        scan_many(["x"], categories=["food", "food"])


@settings(max_examples=600, deadline=None)
@given(st.one_of(numbers, texts))
@example("5513812345678")                      # a mobile shape inside a longer run
@example("电话55，13812345678")                # a clause inside the run
@example("售价138，13812345678，99")
@example("订单号13812345678，13912345678")      # blocked run, number in a later clause
@example("订单号：1381234567890113912345678")
@example("QQ：12345，67890")
@example("买一送一13812345678")                # one script per segment
@example("138，1234，5678")
def test_number_detector_equals_its_reference(text):
    det = _compile(default_lexicon()).detectors
    expected = list(reference.numbers(det, text))
    norm = normalize(text)
    assert list(det.numbers(norm)) == expected
    gate = det.gates(norm.squeezed, (0,))[0]
    has_cue = any(cue in norm.squeezed for cue in det.qq_cues)
    if expected:                              # the gate is a necessary condition
        assert gate & NUMBERS or has_cue
    if not has_cue:                           # without a cue, only runs with a mobile number
        assert list(det.numbers(normalize(text), cues=False)) == expected
    assert not QQ_CUE & det.always


@settings(max_examples=300, deadline=None)
@given(st.one_of(texts, st.text(max_size=80)))
def test_lazy_views_equal_the_eager_ones(text):
    folded, squeezed, origin = reference.views(text)
    norm = normalize(text)
    assert norm.squeezed == squeezed
    assert norm.origin == origin
    assert norm.folded == folded
    assert all(normalize(text).folded_char(i) == folded[i] for i in range(len(text)))
    assert "".join(folded[i] for i in origin) == squeezed


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(texts, st.text(max_size=30)), max_size=10),
       st.sampled_from([1, 8, 64, 1 << 20]))
def test_batches_equal_single_texts(many, size):
    views = [batch.view(i) for batch in batches(many, size) for i in range(len(batch.texts))]
    assert [(v.original, v.squeezed) for v in views] == [
        (t, normalize(t).squeezed) for t in many]
    assert [v.origin for v in views] == [normalize(t).origin for t in many]
    for batch in batches(many, size):
        assert batch.joined == JOIN.join(batch.squeezed)
        assert [batch.joined.startswith(v, s) for v, s in
                zip(batch.squeezed, batch.starts, strict=True)] == [True] * len(batch.texts)
    assert [n.squeezed for n in normalize_many(many)] == [normalize(t).squeezed for t in many]


def test_clause_marks_are_exactly_the_characters_folded_to_clause():
    fold = _tables().fold
    clause = {chr(c) for c in np.flatnonzero(fold == ord(CLAUSE))}
    assert clause == set(CLAUSE_PUNCT)


def test_no_squeezed_view_holds_the_batch_joiner():
    keep = _tables().keep
    assert not keep[ord(JOIN)]


def test_regex_digit_is_str_isdecimal():
    digit = re.compile(r"\d")
    assert all((digit.match(chr(c)) is not None) == chr(c).isdecimal()
               for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)


def test_shortcuts_skip_the_views_that_ordinary_copy_does_not_need():
    comp = _compile(default_lexicon())
    norm = normalize("纯棉面料，亲肤透气，四季可穿。原价199.00，现价139.00")
    gate = comp.detectors.gates(norm.squeezed, (0,))[0]
    matches = comp.automaton.find_matches_as_indexes(norm.squeezed, overlapping=True)
    assert gate == 0 and matches == []
    assert _scan(norm, comp, comp.context(None, {}), gate, matches) == []
    assert norm._folded is None and norm._origin is None


def test_a_word_at_the_end_of_one_text_does_not_block_a_number_in_the_next():
    many = ["订单号", "13812345678", "加QQ", "12345", "订单号13812345678", "13912345678"]
    got = [[f.term for f in found] for found in scan_many(many)]
    assert got == [[], ["<mobile_number>"], ["加qq"], [], [], ["<mobile_number>"]]
    assert scan_many(many) == [scan(t) for t in many]
