"""Reference implementations for the fast-path tests: the normalisation and the number detector
as they were before the shortcuts (every view built eagerly; every digit run and every clause
looked at, character by character). Slow and plain on purpose, and independent of the scanner's
tables: each character is folded here from the Unicode data (NFKC, categories, names), OpenCC's
``t2s`` conversion and the lists below, written out from the normalisation's description
(docs/content.md, "Normalisation (evasion)")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache

import opencc

from zhili.detect.content.detectors import Detectors, Hit

SOFT, CLAUSE = "\x00", "\x01"       # the folded view's separator sentinels
# Punctuation that ends a clause; punctuation kept for URLs and WeChat IDs.
CLAUSE_MARKS = set("，。！？；、,;!?\n\r…")
URL_MARKS = set("./:-_")
NUMERALS = dict(zip("〇零一壹幺二贰三叁四肆五伍六陆七柒八捌九玖",
                    "001112233445566778899", strict=True))
SIGNS = {"+": "加", "ー": "一"}                  # 加V is written +V; ー looks like 一
DIGIT_NAMES = ["ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE"]
NAMED_LETTER = re.compile(r"(?:LATIN (?:CAPITAL|SMALL) LETTER|REGIONAL INDICATOR SYMBOL LETTER)"
                          r" ([A-Z])$")
NAMED_DIGIT = re.compile(r"DIGIT (" + "|".join(DIGIT_NAMES) + ")$")
MOBILE = re.compile(r"(?:86)?(1[3-9][0-9]{9})")
DIGIT_RUN = re.compile(r"[0-9]{5,}")
_T2S = opencc.OpenCC("t2s")
# Where product copy's characters and their look-alikes live: the whole Basic Multilingual Plane,
# mathematical letters and digits (𝐯), enclosed letters, emoji and segmented digits (🅥, 🯱),
# the CJK compatibility ideographs supplement, tags and variation selectors. Characters of other
# supplementary planes (historic scripts, rare CJK extensions) are kept as they are.
FOLDED = ((0x0000, 0x10000), (0x1D400, 0x1D800), (0x1F000, 0x1FC00), (0x2F800, 0x2FA20),
          (0xE0000, 0xE01F0))


@cache
def fold(ch: str) -> str:
    """The folded form of one character: itself, the one character it reads as, or a
    separator sentinel."""
    if ch == "🐧" or not any(lo <= ord(ch) < hi for lo, hi in FOLDED):  # 🐧: QQ's mascot
        return ch
    nfkc = unicodedata.normalize("NFKC", ch)
    if nfkc in URL_MARKS:
        return nfkc
    if ch in CLAUSE_MARKS:
        return CLAUSE
    nfkc = SIGNS.get(nfkc, nfkc)
    inner = nfkc.strip("().")
    if len(nfkc) > 1 and len(inner) == 1 and inner.isalnum():
        nfkc = inner                             # ⒱ "(v)", ⑴ "(1)", ⒈ "1."
    if len(nfkc) == 1 and unicodedata.category(nfkc) in ("No", "So", "Sm", "Sk", "Po"):
        name = unicodedata.name(nfkc, "")
        if (m := NAMED_LETTER.search(name)) is not None:
            nfkc = m[1]
        elif (m := NAMED_DIGIT.search(name)) is not None:
            nfkc = str(DIGIT_NAMES.index(m[1]))
    out = nfkc if len(nfkc) == 1 else ch        # ⑩, ㎏: kept as they are
    if len(out.lower()) == 1:
        out = out.lower()
    if ord(out) < 0x10000:                       # t2s for the ideographs of the BMP
        simplified = _T2S.convert(out)
        out = simplified if len(simplified) == 1 else out
    out = NUMERALS.get(out, out)
    return SOFT if unicodedata.category(out)[0] in "ZPSCM" else out


def _is_han(ch: str) -> bool:
    cp = ord(ch)
    return (0x3400 <= cp < 0x4DC0 or 0x4E00 <= cp < 0xA000 or 0xF900 <= cp < 0xFB00
            or 0x20000 <= cp < 0x323B0)


def views(text: str) -> tuple[str, str, list[int]]:
    """(folded, squeezed, origin) of ``text``, character by character: separators and URL
    marks dropped from the squeezed view, a repeated Chinese character dropped one at a time."""
    folded = "".join(fold(ch) for ch in text)
    squeezed: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(folded):
        if ch in (SOFT, CLAUSE) or ch in URL_MARKS:
            continue
        if squeezed and squeezed[-1] == ch and _is_han(ch):
            continue
        squeezed.append(ch)
        origin.append(i)
    return folded, "".join(squeezed), origin


def numbers(det: Detectors, text: str) -> Iterator[Hit]:
    """Mobile and QQ numbers as the detector found them before its shortcuts."""
    folded, squeezed, origin = views(text)
    words = [str(w).lower() for w in det.config.get("mobile_number", {}).get("not_after") or ()]

    def span(s: int, e: int) -> tuple[int, int]:
        return origin[s], origin[e - 1] + 1

    def introduced(s: int) -> bool:
        window = squeezed[max(0, s - 3 - max((len(c) for c in det.qq_cues), default=0)):s]
        for cue in det.qq_cues:
            at = window.rfind(cue)
            if at >= 0 and len(window) - (at + len(cue)) <= 3:
                return True
        return False

    def segments(s: int, e: int) -> list[tuple[int, int]]:
        def han(i: int) -> bool:
            return ord(text[origin[i]]) >= 0x3400

        out, start = [], s
        for i in range(s + 1, e):
            if han(i) != han(i - 1):
                out.append((start, i))
                start = i
        if start != s:
            out.append((start, e))
        return out

    def number(s: int, e: int) -> Hit | None:
        if e - s < 5 or any(cue in squeezed[max(0, s - 6):s] for cue in words):
            return None
        for a, b in [(s, e), *segments(s, e)]:
            m = MOBILE.fullmatch(squeezed, a, b)
            if m:
                return Hit("mobile_number", *span(m.start(1), m.end(1)))
        if e - s <= 11 and introduced(s) and not any(cue in squeezed[e:e + 6] for cue in words):
            return Hit("qq_number", *span(s, e))
        return None

    def clauses(s: int, e: int) -> list[tuple[int, int]]:
        out, start = [], s
        for i in range(s + 1, e):
            a, b = origin[i - 1], origin[i]
            if b - a > 1 and CLAUSE in folded[a + 1:b]:
                out.append((start, i))
                start = i
        out.append((start, e))
        return out

    for run in DIGIT_RUN.finditer(squeezed):
        whole = number(*run.span())
        if whole is not None:
            yield whole
            continue
        pieces = clauses(*run.span())
        for s, e in pieces if len(pieces) > 1 else ():
            hit = number(s, e)
            if hit is not None:
                yield hit


def glued(text: str, start: int, end: int, latin: tuple[bool, bool]) -> bool:
    """Whether a term found at ``text[start:end]`` that begins (``latin[0]``) or ends
    (``latin[1]``) with a Latin letter or digit is part of a longer word, number or code: a
    letter or digit touches it there, or after it a hyphen and then a letter or digit (第12名
    does not hold 第一; TV信号, WX-3000A)."""
    def alnum(i: int) -> bool:
        return 0 <= i < len(text) and fold(text[i]).isascii() and fold(text[i]).isalnum()

    before = latin[0] and alnum(start - 1)
    after = latin[1] and (alnum(end) or (end < len(text) and fold(text[end]) == "-"
                                         and alnum(end + 1)))
    return bool(before or after)


def term_findings(norm, comp, ctx, matches):
    """The term findings as the scanner found them with nested loops: a match is dropped when
    any allowed-phrase match contains it (quadratic in the matches)."""
    from zhili.detect.content.scanner import Finding

    out, gate = [], 0
    for i, s, e in matches:
        gate |= comp.bits[i]
        if not ctx.reports[i]:
            continue
        if any(a <= s and e <= b and j in ctx.allowed for j, a, b in matches):
            continue
        start, end = norm.span(s, e)
        if glued(norm.original, start, end, comp.latin[i]):
            continue
        out += [Finding(finding, start, end, norm.original[start:end], term, prov)
                for finding, term, prov in ctx.reports[i]]
    return out, gate


def dedupe(findings):
    """Per kind, drop a finding inside a longer kept one, comparing with every kept one."""
    kept = []
    for f in sorted(findings, key=lambda f: (f.start, -(f.end - f.start), f.finding,
                                        f.term.startswith("<"), f.term)):
        if any(k.finding == f.finding and k.start <= f.start and f.end <= k.end
               and (k.start, k.end) != (0, 0) for k in kept):
            continue
        kept.append(f)
    return sorted(kept, key=lambda f: (f.start, f.end, f.finding, f.term))
