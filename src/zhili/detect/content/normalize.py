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
  so that 微 信, 微-信 and 微💬信 all read 微信. ``origin[i]`` is the index in the original text of
  squeezed character ``i``.

Characters whose NFKC form is longer than one character (⑩, ㎏) are kept as they are: they
would break the one-to-one folded view and do not occur inside the words we look for.
"""

from __future__ import annotations

import unicodedata
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
# Code point ranges whose NFKC or category can matter; CJK ideographs are only converted.
_COMPAT_RANGES = (
    (0x0000, 0x3400), (0xA000, 0x10000), (0x1D400, 0x1D800), (0x1F000, 0x1FB00),
    (0xE0000, 0xE0080),
)
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))
_SIZE = 0x110000


@dataclass(frozen=True, slots=True)
class Normalized:
    original: str
    folded: str
    squeezed: str
    origin: npt.NDArray[np.int64]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of squeezed span ``[start, end)``."""
        return int(self.origin[start]), int(self.origin[end - 1]) + 1


@dataclass(frozen=True, slots=True)
class _Tables:
    fold: npt.NDArray[np.uint32]
    keep: npt.NDArray[np.bool_]


def _fold_char(ch: str, t2s: dict[str, str]) -> str:
    """The folded form of one character: a single character, or itself."""
    nfkc = unicodedata.normalize("NFKC", ch)
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
            if ch in URL_PUNCT:
                keep[cp] = False
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
    fold.setflags(write=False)
    keep.setflags(write=False)
    return _Tables(fold, keep)


def warm_up() -> None:
    """Build the lookup tables now (they are built once, on first use, otherwise)."""
    _tables()


def normalize(text: str) -> Normalized:
    tables = _tables()
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    folded = tables.fold[codes]
    keep = tables.keep[codes]
    squeezed = folded[keep]
    return Normalized(
        original=text,
        folded=folded.tobytes().decode("utf-32-le"),
        squeezed=squeezed.tobytes().decode("utf-32-le"),
        origin=np.flatnonzero(keep),
    )


def squeeze(text: str) -> str:
    """The squeezed form alone: how lexicon terms and phrases are stored."""
    tables = _tables()
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return tables.fold[codes][tables.keep[codes]].tobytes().decode("utf-32-le")
