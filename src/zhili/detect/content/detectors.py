"""Pattern detectors: mainland mobile numbers, QQ numbers, WeChat IDs, URLs, efficacy promises.

Each runs on the view of :mod:`.normalize` that suits it. Numbers run on the squeezed view, where
``1 3 8-①②③④-五六七八`` reads ``13812345678``; URLs, WeChat IDs and efficacy promises run on
the folded view, which keeps ``. / : - _`` and clause punctuation (so that "保质期12个月，美白"
is two clauses, not a promise), and whose offsets are the original's. The words they use
(cues, units, verbs) come from the lexicon's ``detectors`` section.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .normalize import CLAUSE, SOFT, Normalized

MOBILE = re.compile(r"(?:86)?(1[3-9]\d{9})")
DIGIT_RUN = re.compile(r"\d{5,}")
TLDS = ("com", "cn", "net", "org", "top", "cc", "me", "io", "xyz", "shop", "vip", "club", "co",
        "info", "site", "online", "link", "ly", "tk", "hk", "tv", "app", "ink", "wang")
URL = re.compile(
    r"(?:https?:/+|www\.)[a-z0-9./:_-]*[a-z0-9/]"
    r"|(?<![a-z0-9._-])(?:[a-z0-9-]+\.)+(?:" + "|".join(TLDS) + r")(?![a-z0-9])(?:/[a-z0-9./_-]*)?"
)
WECHAT_ID_AFTER = re.compile(r"(?:号码|号|id)?[\x00:]*([a-z][a-z0-9_-]{5,19})(?![a-z0-9_-])")
WXID = re.compile(r"(?<![a-z0-9])wxid_[a-z0-9_-]{4,}")
NUMBER = r"(?:\d+(?:\.\d+)?|[十百千半两几]+\d*)"


@dataclass(frozen=True, slots=True)
class Hit:
    """A detector's match, in original offsets."""
    detector: str
    start: int
    end: int


def _alternation(words: Sequence[str]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


def _words(spec: Mapping[str, Any], key: str) -> list[str]:
    return [str(w).lower() for w in spec.get(key) or ()]


class Detectors:
    """The compiled pattern detectors of one lexicon."""

    def __init__(self, config: Mapping[str, Mapping[str, Any]]):
        self.config = config
        self.not_after = _words(config.get("mobile_number", {}), "not_after")
        self.qq_cues = _words(config.get("qq_number", {}), "cues")
        self.allowed_domains = tuple(_words(config.get("url", {}), "allowed_domains"))
        eff = config.get("efficacy_pattern", {})
        gap = f"{re.escape(SOFT)}*"
        units, effects = _words(eff, "time_units"), _words(eff, "effects")
        adverbs, qty_units = _words(eff, "adverbs"), _words(eff, "quantity_units")
        self.efficacy: list[tuple[str, re.Pattern[str]]] = []
        quantity = (f"{gap}[了掉下去]?{gap}{NUMBER}{gap}{_alternation(qty_units)}"
                    if qty_units else None)
        if units and effects:
            adverb = f"(?:{_alternation(adverbs)}{gap}){{0,3}}" if adverbs else ""
            tail = f"(?:{quantity})?" if quantity else ""
            self.efficacy.append(("<efficacy:time+effect>", re.compile(
                f"{NUMBER}{gap}{_alternation(units)}{gap}{adverb}{_alternation(effects)}{tail}")))
        if effects and quantity:
            self.efficacy.append(("<efficacy:effect+quantity>", re.compile(
                f"{_alternation(effects)}{quantity}")))

    # --- numbers -------------------------------------------------------------------------------
    def numbers(self, norm: Normalized) -> Iterator[Hit]:
        """Mobile numbers anywhere; QQ numbers only when introduced as a contact."""
        text = norm.squeezed
        for run in DIGIT_RUN.finditer(text):
            # The whole run first (evasion puts commas inside a number), then its clauses.
            whole = self._number(norm, *run.span())
            if whole is not None:
                yield whole
                continue
            pieces = self._clauses(norm, *run.span())
            for s, e in pieces if len(pieces) > 1 else ():
                hit = self._number(norm, s, e)
                if hit is not None:
                    yield hit

    def _number(self, norm: Normalized, s: int, e: int) -> Hit | None:
        text = norm.squeezed
        if e - s < 5 or any(cue in text[max(0, s - 6):s] for cue in self.not_after):
            return None
        mobile = self._mobile(norm, s, e)
        if mobile is not None:
            return Hit("mobile_number", *norm.span(*mobile))
        if e - s <= 11 and self._introduced(text, s):
            return Hit("qq_number", *norm.span(s, e))
        return None

    @staticmethod
    def _clauses(norm: Normalized, s: int, e: int) -> list[tuple[int, int]]:
        """A squeezed digit run cut where clause punctuation stood between two digits: "售价
        138，12345678" holds two numbers, not one."""
        out, start, origin, folded = [], s, norm.origin, norm.folded
        for i in range(s + 1, e):
            a, b = int(origin[i - 1]), int(origin[i])
            if b - a > 1 and CLAUSE in folded[a + 1:b]:
                out.append((start, i))
                start = i
        out.append((start, e))
        return out

    def _mobile(self, norm: Normalized, s: int, e: int) -> tuple[int, int] | None:
        """The span of a mobile number that is the whole digit run, or the whole of one of its
        segments written in one script (so that 买一送一13812345678 still finds the number)."""
        for a, b in [(s, e), *self._segments(norm, s, e)]:
            m = MOBILE.fullmatch(norm.squeezed, a, b)
            if m:
                return m.start(1), m.end(1)
        return None

    @staticmethod
    def _segments(norm: Normalized, s: int, e: int) -> list[tuple[int, int]]:
        def han(i: int) -> bool:
            return ord(norm.original[int(norm.origin[i])]) >= 0x3400

        out, start = [], s
        for i in range(s + 1, e):
            if han(i) != han(i - 1):
                out.append((start, i))
                start = i
        if start != s:
            out.append((start, e))
        return out

    def _introduced(self, text: str, s: int) -> bool:
        window = text[max(0, s - 3 - max((len(c) for c in self.qq_cues), default=0)):s]
        for cue in self.qq_cues:
            at = window.rfind(cue)
            if at >= 0 and len(window) - (at + len(cue)) <= 3:
                return True
        return False

    # --- links and IDs -------------------------------------------------------------------------
    def urls(self, norm: Normalized) -> Iterator[Hit]:
        folded = norm.folded
        if "." not in folded:
            return
        for m in URL.finditer(folded):
            host = re.sub(r"^(?:https?:/+)", "", m.group()).split("/")[0].split(":")[0]
            if any(host == d or host.endswith("." + d) for d in self.allowed_domains):
                continue
            yield Hit("url", *m.span())

    def wechat_ids(self, norm: Normalized, term_ends: Sequence[int]) -> Iterator[Hit]:
        """A WeChat ID right after a contact term (its original end offsets), or any wxid_…."""
        folded = norm.folded
        for end in term_ends:
            m = WECHAT_ID_AFTER.match(folded, end)
            if m:
                yield Hit("wechat_id", *m.span(1))
        if "wxid_" in folded:
            for m in WXID.finditer(folded):
                yield Hit("wechat_id", *m.span())

    # --- efficacy ------------------------------------------------------------------------------
    def efficacy_promises(self, norm: Normalized) -> Iterator[tuple[str, Hit]]:
        for term, rx in self.efficacy:
            for m in rx.finditer(norm.folded):
                yield term, Hit("efficacy_pattern", *m.span())
