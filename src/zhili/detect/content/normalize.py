"""Text normalisation that defeats evasion and still points back into the original text.

Two views of a text are built with table lookups over its code points (numpy, so the cost is a
few vectorised passes, never a Python loop per character):

- ``folded`` — one character per original character (offsets are the original's): NFKC
  (full-width → half-width, ① → 1, ㊄ → 五, 𝐯 → v), lower case, traditional → simplified
  (OpenCC ``t2s``, character by character), Chinese numerals → ASCII digits (二 → 2, 〇 → 0),
  so that 138 written as 一三八 or ①③⑧ reads as 138. Separators (spaces, punctuation,
  symbols, emoji, zero-width and combining marks) become sentinels: ``CLAUSE`` for punctuation
  that ends a clause (，。！？ …), ``SOFT`` for everything else; ``. / : - _`` stay themselves
  because URLs and WeChat IDs need them.
- ``squeezed`` — the folded view without any separator (sentinels and ``. / : - _`` removed),
  so that 微 信, 微-信 and 微💬信 all read 微信, and with a run of one repeated Chinese character
  read once, so that 最低低价 reads 最低价 and 降血血压 降血压 (digits and letters are never
  collapsed: 一一 is 11). ``origin[i]`` is the index in the original text of squeezed character
  ``i``.

Letter and sign forms are read for what they stand for: ⒱ and ⑴ (whose NFKC form is "(v)",
"(1)") read v and 1; symbols named after a Latin letter or a digit (🅥, 🅅, 🇻, ❶) read that letter
or digit; ー (the katakana prolonged mark, a look-alike of 一) reads 一; ＋ and + read 加 (加V is
written +V); 🐧 (QQ's mascot) is kept as a word character so that the lexicon can name it.

Only ``squeezed`` is built up front (one table lookup, one decode, one ``str.replace``): the
automaton and the number detector need it for every text. ``folded`` and ``origin`` are built
on first use, which for most product copy (no finding, no URL, no efficacy wording) is never.
:func:`normalize_many` builds the squeezed views of many texts with one pass over all of them.

Characters whose NFKC form is longer than one character (⑩, ㎏) are kept as they are: they
would break the one-to-one folded view and do not occur inside the words we look for.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

SOFT = "\x00"
CLAUSE = "\x01"
# Kept in the folded view for URLs and WeChat IDs; removed in the squeezed view.
URL_PUNCT = "./:-_"
CLAUSE_PUNCT = "，。！？；、,;!?\n\r…"
CHINESE_DIGITS = {
    "〇": "0", "零": "0", "一": "1", "壹": "1", "幺": "1", "二": "2", "贰": "2", "三": "3",
    "叁": "3", "四": "4", "肆": "4", "五": "5", "伍": "5", "六": "6", "陆": "6", "七": "7",
    "柒": "7", "八": "8", "捌": "8", "九": "9", "玖": "9",
}
_SEPARATOR_CATEGORIES = ("Z", "P", "S", "C", "M")
# Signs and look-alikes read as the word character they stand for; symbols kept as themselves.
READ_AS = {"+": "加", "ー": "一"}
KEPT_SYMBOLS = "🐧"
_NAMED = re.compile(r"(?:LATIN (?:CAPITAL|SMALL) LETTER|REGIONAL INDICATOR SYMBOL LETTER) ([A-Z])$"
                    r"|DIGIT (ZERO|ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE)$")
_DIGIT_NAMES = ("ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE")
# Chinese characters: a run of one of them is read once in the squeezed view.
_HAN_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x323B0))
# Code point ranges whose NFKC or category can matter; CJK ideographs are only converted.
# With the Yijing symbols (䷀), the segmented digits (🯱), the CJK compatibility ideographs
# supplement and the ideographic variation selectors (微\U000E0100信 reads 微信).
_COMPAT_RANGES = (
    (0x0000, 0x3400), (0x4DC0, 0x4E00), (0xA000, 0x10000), (0x1D400, 0x1D800),
    (0x1F000, 0x1FC00), (0x2F800, 0x2FA20), (0xE0000, 0xE01F0),
)
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))
_SIZE = 0x110000
# Joins the texts of a batch; never in a squeezed view (it is a control character, a separator).
JOIN = "\x02"
_BATCH_CHARS = 1 << 20


@dataclass(frozen=True, slots=True)
class _Tables:
    fold: npt.NDArray[np.uint32]         # code point → folded code point (or a sentinel)
    keep: npt.NDArray[np.bool_]          # code point → kept in the squeezed view
    squeeze: npt.NDArray[np.uint32]      # like fold, but every separator → SOFT
    han: npt.NDArray[np.bool_]           # folded code point → a Chinese character


class Normalized:
    """The views of one text. ``folded`` and ``origin`` are computed when first read."""

    __slots__ = ("_codes", "_folded", "_origin", "original", "squeezed")

    def __init__(self, original: str, squeezed: str,
                 codes: npt.NDArray[np.uint32] | None = None):
        self.original = original
        self.squeezed = squeezed
        self._codes = codes                 # the code points of original, if already at hand
        self._folded: str | None = None
        self._origin: list[int] | None = None

    @property
    def codes(self) -> npt.NDArray[np.uint32]:
        if self._codes is None:
            self._codes = _codes(self.original)
        return self._codes

    @property
    def folded(self) -> str:
        if self._folded is None:
            self._folded = _tables().fold[self.codes].tobytes().decode("utf-32-le")
        return self._folded

    @property
    def origin(self) -> list[int]:
        if self._origin is None:
            if len(self.squeezed) == len(self.original):
                self._origin = list(range(len(self.original)))
            else:
                tables = _tables()
                kept = tables.keep[self.codes].nonzero()[0]
                if len(kept) != len(self.squeezed):       # a run of repeats was read once
                    kept = kept[_first_of_runs(tables.fold[self.codes[kept]])]
                self._origin = kept.tolist()
        return self._origin

    def build_all(self) -> None:
        """Build the lazy views now."""
        _ = self.folded, self.origin

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of squeezed span ``[start, end)``."""
        origin = self.origin
        return origin[start], origin[end - 1] + 1

    def folded_char(self, i: int) -> str:
        """``folded[i]`` without building the whole folded view."""
        if self._folded is not None:
            return self._folded[i]
        return chr(_tables().fold[ord(self.original[i])])


def _codes(text: str) -> npt.NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _fold_char(ch: str, t2s: dict[str, str]) -> str:
    """The folded form of one character: a single character, or itself."""
    if ch in KEPT_SYMBOLS:
        return ch
    nfkc = unicodedata.normalize("NFKC", ch)
    nfkc = READ_AS.get(nfkc, nfkc)
    if len(nfkc) > 1 and len(nfkc.strip("().")) == 1 and nfkc.strip("().").isalnum():
        nfkc = nfkc.strip("().")              # ⒱ "(v)", ⑴ "(1)", ⒈ "1."
    if len(nfkc) == 1 and unicodedata.category(nfkc) in ("No", "So", "Sm", "Sk", "Po"):
        named = _NAMED.search(unicodedata.name(nfkc, ""))
        if named:                             # 🅅 NEGATIVE SQUARED LATIN CAPITAL LETTER V
            nfkc = named[1] or str(_DIGIT_NAMES.index(named[2]))
    out = nfkc if len(nfkc) == 1 else ch
    low = out.lower()
    out = low if len(low) == 1 else out
    out = t2s.get(out, out)
    return CHINESE_DIGITS.get(out, out)


def _traditional_to_simplified() -> dict[str, str]:
    import opencc

    chars = [chr(cp) for lo, hi in _CJK_RANGES for cp in range(lo, hi)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # never seen; a char-by-char fallback keeps us correct
        conv = opencc.OpenCC("t2s")
        converted = [conv.convert(c) for c in chars]
    return {c: s for c, s in zip(chars, converted, strict=True) if len(s) == 1 and s != c}


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    t2s = _traditional_to_simplified()
    fold = np.arange(_SIZE, dtype=np.uint32)
    keep = np.ones(_SIZE, dtype=np.bool_)
    for lo, hi in _COMPAT_RANGES:
        for cp in range(lo, hi):
            ch = chr(cp)
            nfkc = unicodedata.normalize("NFKC", ch)
            if nfkc in URL_PUNCT:             # ：．／ read as : . / (full-width URLs, IDs)
                fold[cp], keep[cp] = ord(nfkc), False
                continue
            if ch in KEPT_SYMBOLS:
                continue
            if ch in CLAUSE_PUNCT:
                fold[cp], keep[cp] = ord(CLAUSE), False
                continue
            folded = _fold_char(ch, t2s)
            if unicodedata.category(folded)[0] in _SEPARATOR_CATEGORIES:
                fold[cp], keep[cp] = ord(SOFT), False
            else:
                fold[cp] = ord(folded)
    for src, dst in t2s.items():
        fold[ord(src)] = ord(CHINESE_DIGITS.get(dst, dst))
    for src, dst in CHINESE_DIGITS.items():
        fold[ord(src)] = ord(dst)
    squeeze_ = np.where(keep, fold, np.uint32(ord(SOFT))).astype(np.uint32)
    han = np.zeros(_SIZE, dtype=np.bool_)
    for lo, hi in _HAN_RANGES:
        han[lo:hi] = True
    for table in (fold, keep, squeeze_, han):
        table.setflags(write=False)
    return _Tables(fold, keep, squeeze_, han)


def _first_of_runs(kept: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """Over the kept (squeezed) code points: False where a Chinese character repeats the one
    before it."""
    first = np.ones(len(kept), dtype=np.bool_)
    if len(kept) > 1:
        first[1:] = (kept[1:] != kept[:-1]) | ~_tables().han[kept[1:]]
    return first


def _decode_squeezed(squeezed: npt.NDArray[np.uint32]) -> str:
    """The squeezed view from the squeeze table's code points: separators dropped, runs of a
    repeated Chinese character read once."""
    kept = squeezed[squeezed != ord(SOFT)]
    return kept[_first_of_runs(kept)].tobytes().decode("utf-32-le")


@lru_cache(maxsize=8)
def read_as(ch: str) -> re.Pattern[str]:
    """The characters that the folded view reads as ``ch`` (":" for ：, "." for ．)."""
    chars = "".join(chr(int(cp)) for cp in np.nonzero(_tables().fold == ord(ch))[0])
    return re.compile("[" + re.escape(chars) + "]")


def warm_up() -> None:
    """Build the lookup tables now (they are built once, on first use, otherwise)."""
    _tables()


# A run of one repeated Chinese character (the ranges of _HAN_RANGES), for one text at a time:
# a regex over the decoded string costs less than the array passes of _first_of_runs.
_REPEATED = re.compile("([" + "".join(f"{chr(lo)}-{chr(hi - 1)}" for lo, hi in _HAN_RANGES)
                       + r"])\1+")


def _squeeze(codes: npt.NDArray[np.uint32]) -> str:
    squeezed = _tables().squeeze[codes].tobytes().decode("utf-32-le").replace(SOFT, "")
    return _REPEATED.sub(r"\1", squeezed) if _REPEATED.search(squeezed) else squeezed


def squeeze(text: str) -> str:
    """The squeezed view alone: how lexicon terms and phrases are stored."""
    return _squeeze(_codes(text))


def squeeze_many(texts: Sequence[str]) -> list[str]:
    """``[squeeze(t) for t in texts]`` in one pass per batch of about a million characters."""
    return [s for batch in batches(texts) for s in batch.squeezed]


def normalize(text: str) -> Normalized:
    codes = _codes(text)
    return Normalized(text, _squeeze(codes), codes)


def normalize_many(texts: Sequence[str]) -> list[Normalized]:
    """``[normalize(t) for t in texts]``, with one table lookup per batch of about a million
    characters instead of one per text."""
    return [batch.view(i) for batch in batches(texts) for i in range(len(batch.texts))]


@dataclass(frozen=True, slots=True)
class Batch:
    """Consecutive texts and their squeezed views, also joined by ``JOIN`` (which no squeezed
    view holds): ``joined[starts[i]:]`` begins the squeezed view of text ``i``. ``view(i)``
    is ``normalize(texts[i])``, built on demand."""
    texts: Sequence[str]
    squeezed: list[str]
    joined: str
    starts: list[int]
    codes: npt.NDArray[np.uint32]           # the code points of the texts joined by JOIN
    bounds: list[int]                        # text i is codes[bounds[i]:bounds[i + 1] - 1]

    def view(self, i: int) -> Normalized:
        text, at = self.texts[i], self.bounds[i]
        return Normalized(text, self.squeezed[i], self.codes[at:at + len(text)])


def batches(texts: Sequence[str], size: int = _BATCH_CHARS) -> Iterator[Batch]:
    """The texts in batches of about ``size`` characters, normalised one batch at a time."""
    table = _tables().squeeze
    start = 0
    while start < len(texts):
        end, chars = start, 0
        while end < len(texts) and (chars < size or end == start):
            chars += len(texts[end]) + 1
            end += 1
        batch = texts[start:end]
        codes = _codes(JOIN.join(batch))
        squeezed = table[codes]
        bounds = np.cumsum([0] + [len(t) + 1 for t in batch]).tolist()
        squeezed[np.array(bounds[1:-1], dtype=np.int64) - 1] = ord(JOIN)
        joined = _decode_squeezed(squeezed)
        views = joined.split(JOIN)
        starts = np.cumsum([0] + [len(v) + 1 for v in views[:-1]]).tolist()
        yield Batch(batch, views, joined, starts, codes, bounds)
        start = end
