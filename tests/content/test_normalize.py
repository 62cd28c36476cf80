"""The normalisation's views, one text and a batch at a time, against the reference's reading
(tests/content/reference.py: its own folding, character by character). Fast: the mutation
check runs this file for every mutant of ``normalize.py``."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhili.detect.content.normalize import (
    JOIN,
    _tables,
    batches,
    normalize,
    normalize_many,
    read_as,
    squeeze,
    squeeze_many,
)

from . import reference

# Evasions, repeats, separators and plain copy; texts are made of them.
PIECES = ["微信", "微 信", "薇❤信", "加V", "+V", "ＷＸ", "①③⑧", "一三八", "壹叁捌", "13812345678",
          "最低低价", "降血血压", "一一", "宝宝", "國家級", "www．abc：com", "wxid_", "，", "。", " ",
          "\u200b", "💬", "🐧", "⒱", "⑴", "🅅", "🯱", "第ー", "⑩", "㎏", "微\U000E0100信", "ABC", "",
          JOIN, "\x00", "\x01", "a", "瘦瘦瘦"]
texts = st.lists(st.sampled_from(PIECES), max_size=10).map("".join)
CASES = ["", "a", "宝宝", "宝 宝", "微信", "微 信", "最低低价", "降血血压血压", "一一三八", "加 薇❤信：abc_123",
         "電話①③⑧-㊀㊁３４ 5678", "Ｗｅｉ Ｘｉｎ。宝宝", "微\U000E0100信", "🯱🯳🯸", "🐧🐧号",
         "⒱⒳ 🅥🅅🇻❶", "＋Ｖ", "第ー", "⑩㎏", "瘦瘦瘦 瘦", "\u200b\u200b"]


def views(text: str) -> tuple[str, str, list[int]]:
    norm = normalize(text)
    return norm.folded, norm.squeezed, norm.origin


@pytest.mark.parametrize("text", CASES)
def test_views_are_the_references(text):
    folded, squeezed, origin = reference.views(text)
    norm = normalize(text)
    assert norm.squeezed == squeezed == squeeze(text)
    assert [norm.folded_char(i) for i in range(len(text))] == list(folded)
    assert norm.origin == origin
    assert norm.folded == folded
    assert [normalize(text).folded_char(i) for i in range(len(text))] == list(folded)


@settings(max_examples=60, deadline=None)
@given(texts)
def test_views_of_random_copy_are_the_references(text):
    assert views(text) == reference.views(text)


def test_spans_point_back_into_the_original():
    text = "限时！加 薇❤信：abc，最低低价"
    norm = normalize(text)
    at = norm.squeezed.index("薇信")
    assert text[slice(*norm.span(at, at + 2))] == "薇❤信"
    at = norm.squeezed.index("最低价")
    assert norm.span(at, at + 3) == (len(text) - 4, len(text))
    assert norm.span(0, 1) == (0, 1)
    assert norm.span(at + 1, at + 2) == (len(text) - 3, len(text) - 2)   # the first 低


def test_repeated_chinese_characters_read_once_digits_and_letters_never():
    assert squeeze("最低低价降血血压") == "最低价降血压"
    assert squeeze("一一") == "11" and squeeze("aa") == "aa" and squeeze("宝宝") == "宝"
    assert normalize("最 低低 价").origin == [0, 2, 5]


@pytest.mark.parametrize(("size", "groups"), [
    (1, [["ab"], ["cd"], [""], ["ef"]]),     # each text alone: a batch holds at least one
    (3, [["ab"], ["cd"], ["", "ef"]]),       # "ab" and its joiner make 3: the batch is full
    (4, [["ab", "cd"], ["", "ef"]]),
    (6, [["ab", "cd"], ["", "ef"]]),
    (7, [["ab", "cd", ""], ["ef"]]),
    (1 << 20, [["ab", "cd", "", "ef"]]),
])
def test_batches_hold_texts_until_they_reach_their_size(size, groups):
    """A text counts its characters and one joiner; a batch takes texts while it holds fewer
    characters than its size."""
    many = ["ab", "cd", "", "ef"]
    assert [list(b.texts) for b in batches(many, size)] == groups


@settings(max_examples=40, deadline=None)
@given(st.lists(texts, max_size=8), st.sampled_from([1, 5, 12, 1 << 20]))
def test_a_batch_gives_each_text_its_own_views(many, size):
    expected = [reference.views(t) for t in many]
    got = [b.view(i) for b in batches(many, size) for i in range(len(b.texts))]
    assert [v.original for v in got] == many
    assert [(v.folded, v.squeezed, v.origin) for v in got] == expected
    for b in batches(many, size):
        assert b.joined == JOIN.join(b.squeezed)
        assert [b.joined[s:s + len(v)] for s, v in zip(b.starts, b.squeezed, strict=True)] \
            == b.squeezed
    assert [views(n.original) for n in normalize_many(many)] == expected
    assert squeeze_many(many) == [s for _, s, _ in expected]


@pytest.mark.parametrize(("many", "expected"), [
    (["宝宝"], [("宝", [0])]),
    (["宝宝", "宝宝宝"], [("宝", [0]), ("宝", [0])]),
    (["a", "宝宝"], [("a", [0]), ("宝", [0])]),
])
def test_a_text_of_one_repeated_character_reads_it_once_alone_or_in_a_batch(many, expected):
    got = [b.view(i) for b in batches(many) for i in range(len(b.texts))]
    assert [(v.squeezed, v.origin) for v in got] == expected
    assert [(normalize(t).squeezed, normalize(t).origin) for t in many] == expected
    assert squeeze_many(many) == [s for s, _ in expected]


def test_read_as_finds_every_character_read_as_a_url_mark():
    assert read_as(":").findall("a:b：c") == [":", "："]
    assert read_as(".").findall("x.y．z。") == [".", "．"]
    assert read_as("/").fullmatch("／") and not read_as("/").search("abc")


def test_every_character_folds_as_written_out_in_the_reference():
    """The fold and keep tables, code point by code point, against the reference's reading of
    the Unicode data, OpenCC and the normalisation's lists (surrogates are never in a str);
    characters outside the folded blocks, sampled, stay as they are."""
    tables = _tables()
    points = [cp for lo, hi in reference.FOLDED for cp in range(lo, hi)
              if not 0xD800 <= cp < 0xE000]
    points += range(0x10000, 0x110000, 97)
    expected = [reference.fold(chr(cp)) for cp in points]
    got = tables.fold[points].tobytes().decode("utf-32-le")
    wrong = [(hex(cp), e, g) for cp, e, g in zip(points, expected, got, strict=True) if e != g]
    assert wrong == []
    kept = [e not in (reference.SOFT, reference.CLAUSE) and e not in reference.URL_MARKS
            for e in expected]
    assert tables.keep[points].tolist() == kept


def test_the_tables_are_shared_and_read_only():
    """Every scan reads the same tables: none can be changed by accident."""
    tables = _tables()
    for table in (tables.fold, tables.keep, tables.squeeze, tables.han):
        with pytest.raises(ValueError, match="read-only"):
            table[0] = table[1]
    assert tables.han[ord("微")] and tables.han[0x20000] and not tables.han[ord("a")]
    assert not tables.han[0x4DC0] and not tables.han[0xA000]
