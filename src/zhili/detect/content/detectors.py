"""Pattern detectors: mainland mobile numbers, QQ numbers, WeChat IDs, URLs, efficacy promises.

Each runs on the view of :mod:`.normalize` that suits it. Numbers run on the squeezed view, where
``1 3 8-①②③④-五六七八`` reads ``13812345678``; URLs, WeChat IDs and efficacy promises run on
the folded view, which keeps ``. / : - _`` and clause punctuation (so that "保质期12个月，美白"
is two clauses, not a promise), and whose offsets are the original's. The words they use
(cues, units, verbs) come from the lexicon's ``detectors`` section.

Most product copy holds no phone number, URL, WeChat ID or efficacy wording, so each detector
has a necessary condition on the squeezed view: a hint word (``Detectors.hints``, which the
scanner adds to its automaton, so they cost no extra pass) or a mobile-number shape
(``Detectors.gates``, one regex pass per batch of texts). A detector runs on a text, and builds
the views it needs, only when its condition holds there. A condition is necessary, not a
guess: whatever the detector finds holds what the condition looks for, and the squeezed view
holds it too (see each condition below).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .normalize import CLAUSE_PUNCT, SOFT, Normalized, read_as, squeeze

# The detectors, as bits of a text's gate. NUMBERS: a mobile number may stand in the text;
# QQ_CUE: a QQ cue may (both run the number detector, see Detectors.numbers).
# LABELS: a label of a WeChat ID may (an ID after a label and a colon).
NUMBERS, URLS, WXIDS, EFFICACY, QQ_CUE, LABELS = 1, 2, 4, 8, 16, 32
EVERY = NUMBERS | URLS | WXIDS | EFFICACY | QQ_CUE | LABELS

MOBILE = re.compile(r"(?:86)?(1[3-9]\d{9})")
DIGIT_RUN = re.compile(r"\d{5,}")
TLDS = ("com", "cn", "net", "org", "top", "cc", "me", "io", "xyz", "shop", "vip", "club", "co",
        "info", "site", "online", "link", "ly", "tk", "hk", "tv", "app", "ink", "wang")
URL = re.compile(
    r"(?:https?:/+|www\.)[a-z0-9./:_-]*[a-z0-9/]"
    r"|(?<![a-z0-9._-])(?:[a-z0-9-]+\.)+(?:" + "|".join(TLDS) + r")(?![a-z0-9])(?:/[a-z0-9./_-]*)?"
)
# A mobile number, wherever it stands.
MOBILE_SHAPE = re.compile(r"1[3-9]\d{9}")
# A clause mark in the original text: exactly the characters that fold to CLAUSE.
CLAUSE_MARK = re.compile("[" + re.escape(CLAUSE_PUNCT) + "]")
WECHAT_ID_AFTER = re.compile(r"(?:号码|号|id)?[\x00:]*([a-z][a-z0-9_-]{5,19})(?![a-z0-9_-])")
WXID = re.compile(r"(?<![a-z0-9])wxid_[a-z0-9_-]{4,}")
# Every efficacy pattern holds a number: one of these characters (kept in the squeezed view).
NUMERAL = re.compile(r"[\d十百千半两几]")
# A number starts where a run of digits (or of 十百千半两几) starts: tried inside a run, the
# regex would try every suffix of it, which is quadratic in the run's length.
NUMBER = r"(?:(?<![\d十百千半两几])(?:\d+(?:\.\d+)?|[\d十百千半两几]+))"


@dataclass(frozen=True, slots=True)
class Hit:
    """A detector's match, in original offsets."""
    detector: str
    start: int
    end: int


def _never(text: str, s: int) -> bool:
    return False


def _alternation(words: Sequence[str]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


def _words(spec: Mapping[str, Any], key: str) -> list[str]:
    return [str(w).lower() for w in spec.get(key) or ()]


class Detectors:
    """The compiled pattern detectors of one lexicon."""

    def __init__(self, config: Mapping[str, Mapping[str, Any]]):
        self.config = config
        # Cues and not_after words are looked for in the squeezed view: stored as it holds them.
        not_after = [squeeze(w) for w in _words(config.get("mobile_number", {}), "not_after")]
        self.not_after = re.compile(_alternation(not_after)) if not_after else None
        self.qq_cues = [squeeze(w) for w in _words(config.get("qq_number", {}), "cues")]
        # A cue without digits cannot end inside a digit run (see `numbers`).
        self.cues_without_digits = not any(re.search(r"\d", c) for c in self.qq_cues)
        # A cue that ends at most 3 characters before the end of the searched window.
        self.cue_rx = (re.compile(_alternation(self.qq_cues) + r"(?=(?s:.){0,3}\Z)")
                       if self.qq_cues else None)
        self.cue_reach = 3 + max((len(c) for c in self.qq_cues), default=0)
        self.allowed_domains = tuple(_words(config.get("url", {}), "allowed_domains"))
        wx = config.get("wechat_id", {})
        labels = _words(wx, "labels")
        self.id_labels = labels
        # An ID after a label and a colon: "薇：shop8899", "V：meimei_1990".
        self.labelled_id = re.compile(
            f"(?<![a-z0-9]){_alternation(labels)}\\x00*:[\\x00:]*([a-z][a-z0-9_-]{{4,19}})"
            f"(?![a-z0-9_-])") if labels else None
        eff = config.get("efficacy_pattern", {})
        gap = f"{re.escape(SOFT)}*"
        units, effects = _words(eff, "time_units"), _words(eff, "effects")
        adverbs, qty_units = _words(eff, "adverbs"), _words(eff, "quantity_units")
        qty_effects = _words(eff, "quantity_effects")
        self.efficacy: list[tuple[str, re.Pattern[str]]] = []
        quantity = (f"{gap}[了掉下去]?{gap}{NUMBER}{gap}{_alternation(qty_units)}"
                    if qty_units else None)
        # 显瘦, 显白: how clothes look, not a result; 瘦不了: no promise.
        look, denied = "(?<!显)", f"(?!{gap}不)"
        if units and effects:
            adverb = f"(?:{_alternation(adverbs)}{gap}){{0,3}}" if adverbs else ""
            tail = f"(?:{quantity})?" if quantity else ""
            self.efficacy.append(("<efficacy:time+effect>", re.compile(
                f"{NUMBER}{gap}{_alternation(units)}{gap}{adverb}{look}{_alternation(effects)}"
                f"{denied}{tail}")))
        if (effects or qty_effects) and quantity:
            self.efficacy.append(("<efficacy:effect+quantity>", re.compile(
                f"{look}{_alternation(effects + qty_effects)}{quantity}")))
        # Both patterns hold an effect word as it is written: a hint word (see below). A word
        # that is an effect only with a quantity (白 in 白三个度) is followed, in the squeezed
        # view, by an optional 了掉下去 and a numeral: those pairs are its hint words.
        self.effect_words = effects + [
            f"{w}{link}{n}" for w in qty_effects if w not in effects
            for link in ("", "了", "掉", "下", "去") for n in "0123456789十百千半两几"]
        self._build_conditions()

    # --- necessary conditions ------------------------------------------------------------------
    def _build_conditions(self) -> None:
        """Per detector, what the squeezed view of every text it finds something in holds:
        a hint word (``hints``: word → bits), or (numbers) a mobile number (``gates``). A
        detector without such a condition runs on every text (``always``)."""
        self.hints: dict[str, int] = {}
        self.always = 0

        def hint(bit: int, words: Sequence[str] | None) -> None:
            if words is None:
                self.always |= bit
            for w in words or ():
                if squeeze(w) != w:          # not as the squeezed view would hold it
                    self.always |= bit
                self.hints[w] = self.hints.get(w, 0) | bit

        # numbers: a mobile number inside a digit run, or a QQ cue (no digit in it) ending at
        # most 3 characters before a digit run (see _may_be_introduced).
        hint(QQ_CUE, self.qq_cues if self.cues_without_digits else None)
        hint(URLS, ("http", "www", *TLDS))     # every URL match holds one of them
        hint(WXIDS, ("wxid",))                 # after a contact term: the scanner's
        # a label stands in the folded view, without separators inside: squeezed, in the
        # squeezed view
        hint(LABELS, sorted({squeeze(w) for w in self.id_labels}) if self.id_labels else ())
        if self.efficacy:
            hint(EFFICACY, self.effect_words)

    def confirm(self, gate: int, norm: Normalized) -> int:
        """``gate`` without the detectors that a second necessary condition rules out: numbers
        and QQ cues need a run of 5 digits, efficacy patterns a numeral, URLs a character read
        as "." and labelled IDs one read as ":" (each detector's regex needs them)."""
        if gate & (NUMBERS | QQ_CUE) and not DIGIT_RUN.search(norm.squeezed):
            gate &= ~(NUMBERS | QQ_CUE)
        if gate & EFFICACY and not NUMERAL.search(norm.squeezed):
            gate &= ~EFFICACY
        if gate & URLS and not read_as(".").search(norm.original):
            gate &= ~URLS
        if gate & LABELS and not read_as(":").search(norm.original):
            gate &= ~LABELS
        return gate

    def gates(self, joined: str, starts: Sequence[int]) -> list[int]:
        """For squeezed views joined by ``JOIN`` (view ``i`` begins at ``starts[i]``), the
        detectors that run whatever the hint words: ``always``, and NUMBERS where a digit run
        may hold a mobile number: it holds a mobile-number shape, and a ``not_after`` word
        does not block it or a shape starts after its first digit (the test of ``numbers``
        for a text without QQ cue; a text with one runs the number detector anyway). No run,
        shape or word spans ``JOIN``; the look-back for a word stops at the text's start."""
        out = [self.always] * len(starts)
        for s, e in self._mobile_runs(joined):
            i = bisect.bisect_right(starts, s) - 1 if len(starts) > 1 else 0
            if not self._blocked(joined, s, starts[i]) or MOBILE.search(joined, s + 1, e):
                out[i] |= NUMBERS
        return out

    # --- numbers -------------------------------------------------------------------------------
    def numbers(self, norm: Normalized, cues: bool = True) -> Iterator[Hit]:
        """Mobile numbers anywhere; QQ numbers only when introduced as a contact. ``cues=False``
        says that the text holds no QQ cue: then only the digit runs that hold a mobile number
        can hold a hit (see _may_be_introduced), and only they are looked at."""
        text = norm.squeezed
        may_be_introduced = self._may_be_introduced if cues else _never
        for s, e in (self._runs(text) if cues else self._mobile_runs(text)):
            if self._blocked(text, s):
                # No number in the whole run (nor in its first clause, which starts at s too);
                # a later clause starts after s: it needs a mobile number starting after s or,
                # as in _may_be_introduced, a QQ cue before s.
                if not (MOBILE.search(text, s + 1, e) or may_be_introduced(text, s)):
                    continue
            else:
                if not (MOBILE.search(text, s, e) or may_be_introduced(text, s)):
                    continue                  # see _may_be_introduced
                # The whole run first (evasion puts commas inside a number), then its clauses.
                whole = self._number(norm, s, e)
                if whole is not None:
                    yield whole
                    continue
            pieces = self._clauses(norm, s, e)
            for s, e in pieces if len(pieces) > 1 else ():
                hit = self._number(norm, s, e)
                if hit is not None:
                    yield hit

    @staticmethod
    def _runs(text: str) -> Iterator[tuple[int, int]]:
        return (m.span() for m in DIGIT_RUN.finditer(text))

    @staticmethod
    def _mobile_runs(text: str) -> Iterator[tuple[int, int]]:
        """The digit runs holding a mobile number, in order (``\\d`` is ``str.isdecimal``)."""
        end = -1
        for m in MOBILE_SHAPE.finditer(text):
            if m.start() < end:
                continue                      # in the run already given
            start = m.start()
            while start > 0 and text[start - 1].isdecimal():
                start -= 1
            run = DIGIT_RUN.match(text, start)
            assert run is not None
            end = run.end()
            yield start, end

    def _may_be_introduced(self, text: str, s: int) -> bool:
        """Necessary for a QQ number in a digit run starting at ``s`` or in a clause of it
        starting at ``p >= s``: a cue ends at most 3 characters before ``p``; a cue holds no
        digit, so it ends at or before ``s``, hence at most 3 characters before ``s``. With
        ``MOBILE.search`` over the run, this is the condition under which a run may hold a
        number at all."""
        return not self.cues_without_digits or self._introduced(text, s)

    def _blocked(self, text: str, s: int, lo: int = 0) -> bool:
        """A ``not_after`` word (订单, 单号 …) stands in the 6 characters before ``s`` (and
        after ``lo``)."""
        return bool(self.not_after and self.not_after.search(text, max(lo, s - 6), s))

    def _named_after(self, text: str, e: int) -> bool:
        """A ``not_after`` word in the 6 characters after a digit run ending at ``e`` says what
        it is ("174208675是我的订单编号"): a number of that kind, not a QQ number."""
        return bool(self.not_after and self.not_after.search(text, e, e + 6))

    def _number(self, norm: Normalized, s: int, e: int) -> Hit | None:
        text = norm.squeezed
        if e - s < 5 or self._blocked(text, s):
            return None
        mobile = self._mobile(norm, s, e)
        if mobile is not None:
            return Hit("mobile_number", *norm.span(*mobile))
        if e - s <= 11 and self._introduced(text, s) and not self._named_after(text, e):
            return Hit("qq_number", *norm.span(s, e))
        return None

    @staticmethod
    def _clauses(norm: Normalized, s: int, e: int) -> list[tuple[int, int]]:
        """A squeezed digit run cut where clause punctuation stood between two digits: "售价
        138，12345678" holds two numbers, not one. A clause mark of the original between the
        run's first and last digit cuts the run before the first digit after it."""
        origin = norm.origin
        cuts = sorted({bisect.bisect_right(origin, m.start(), s, e) for m in
                       CLAUSE_MARK.finditer(norm.original, origin[s], origin[e - 1])})
        bounds = [s, *cuts, e]
        return list(zip(bounds, bounds[1:], strict=False))

    def _mobile(self, norm: Normalized, s: int, e: int) -> tuple[int, int] | None:
        """The span of a mobile number that is the whole digit run, or the whole of one of its
        segments written in one script (so that 买一送一13812345678 still finds the number)."""
        if e - s < 11:                        # a mobile number has 11 digits, 13 with 86
            return None
        # A segment is shorter than its run: only a run of 12 or more holds an 11-digit one.
        for a, b in [(s, e), *(self._segments(norm, s, e) if e - s > 11 else ())]:
            m = MOBILE.fullmatch(norm.squeezed, a, b)
            if m:
                return m.start(1), m.end(1)
        return None

    @staticmethod
    def _segments(norm: Normalized, s: int, e: int) -> list[tuple[int, int]]:
        origin, original = norm.origin, norm.original
        if max(original[origin[s]:origin[e - 1] + 1]) < "\u3400":
            return []                         # no Han digit at all: one script

        def han(i: int) -> bool:
            return ord(original[origin[i]]) >= 0x3400

        out, start = [], s
        for i in range(s + 1, e):
            if han(i) != han(i - 1):
                out.append((start, i))
                start = i
        if start != s:
            out.append((start, e))
        return out

    def _introduced(self, text: str, s: int) -> bool:
        """A QQ cue ends at most 3 characters before ``s``."""
        return self.cue_rx is not None and self.cue_rx.search(
            text, max(0, s - self.cue_reach), s) is not None

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

    def labelled_ids(self, norm: Normalized) -> Iterator[Hit]:
        """A WeChat ID after a label and a colon ("薇：shop8899"). Needs a colon in the text."""
        if self.labelled_id is not None:
            for m in self.labelled_id.finditer(norm.folded):
                yield Hit("wechat_id", *m.span(1))

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
