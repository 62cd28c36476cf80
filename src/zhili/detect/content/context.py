"""Context rules: where the words around a match, not its letters, decide whether it is a finding.

A match of the lexicon or a detector becomes a finding unless one of these rules says that, here,
it means something else. Per text, what the rules look for (clause and sentence marks,
titles and quotations, cue words) is found by one pass each, the first time a finding needs
it; each finding then looks it up by bisection (``cues.py``), so the rules keep the scan linear
in the text plus its findings (up to a logarithm), however many findings there are. Their words come from the lexicon's ``context``
section, each rule with its provenance:

- ``ordinal`` — 第一 followed by a measure word (第一次, 第一本, 第一页, 第一位) or by punctuation
  ("第一，面料柔软") counts or lists; it is not a rank. Only the bare term: 销量第一 stays a rank.
- ``titles`` — inside 《》 a word is part of a title (《最好的我们》); inside quotation marks
  (“”「」『』) a word that is only part of what is quoted is part of a name (“最佳拍档”), while a
  quoted claim that is the whole quotation (“全网第一”) stays a claim.
- ``negation`` — a negation before the word in the same clause (不能治疗疾病, 非平行进口, 请勿私下
  交易). Contact terms have their own, narrower cue list: "不满意加微信" still is a contact.
- ``meta`` — the sentence speaks about the words, not with them: it quotes the law or denies a
  rumour (广告法规定不能说最好, 网传喝茶能治癌，不要相信).
- ``advice`` — 最好用 followed by what to use (最好用温水, 分区最好用diskgen) advises how to use
  the goods ("had better use"); followed by 的, 了 or the end of a clause it ranks them.
- ``feature_pick`` — a superlative that picks the best of the goods' own points (最赞的是大床房,
  最好的一点是位置) compares the goods with themselves.
- ``aspiration`` and ``self_comparison`` — SAMR's guideline on absolute terms (2023): an absolute
  term describing the seller's own goal (力争第一) or comparing the seller's own goods with one
  another (本店其他款) is not a violation.
- ``subject`` — a superlative about something other than the goods (最好的皮肤病医院, 最繁华的小吃
  一条街, 酒店最好的一栋楼) rates no goods; see ``subject.py``.
- ``question`` — a claim inside a question that doubts it (排名榜第一是怎么排的？) is not made.
- ``topic`` — medical words in a text about a book or a story (此书…治病过程神乎其神) or naming
  a way of thinking (诊病治病的思路) are its subject matter, not a claim that the goods treat.
- ``source: review`` — the Advertising Law binds the seller's own copy, not buyers' reviews: in
  reviews only off-platform contact (and spam) is a finding.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from . import cues
from .cues import Cue, cue, words
from .normalize import CLAUSE_PUNCT, Normalized, squeeze
from .subject import Subjects

CONTACT = "off_platform_contact"
SOURCES = ("seller", "review")
RULES = ("ordinal", "titles", "negation", "meta", "advice", "feature_pick", "aspiration",
         "self_comparison", "subject", "question", "topic", "award")
SENTENCE = re.compile("[。！!；;\n\r]")
CLAUSE = re.compile("[" + re.escape(CLAUSE_PUNCT) + "]")
# 第一 followed by one of these (or by the end of the text) lists or counts.
ORDINAL_END = frozenset(CLAUSE_PUNCT) | frozenset("。！!；;：:）)】 \n\r")
CLAUSE_MARKS = frozenset(CLAUSE_PUNCT)
# A title, or a quotation, of at most 40 characters on one line: what it holds is a name.
# Reviews and plain-text copy write titles in ASCII angle brackets too (<父母是孩子最好的医生>).
TITLES = re.compile("《[^《》\n]{1,40}》|〈[^〈〉\n]{1,40}〉|<[^<>\n]{1,40}>")
OPENERS = "《〈<“「『\""                           # what TITLES and QUOTES begin with
QUOTES = re.compile("“[^“”\n]{1,40}”|「[^「」\n]{1,40}」|『[^『』\n]{1,40}』|\"[^\"\n]{1,40}\"")
ASPIRATION_REACH = 8
AWARD_REACH = 6
FEATURE_REACH = 4            # 最值得称赞的是: the 的 that closes the superlative's phrase


def _alternation(words: Sequence[str], prefix: str = "") -> re.Pattern[str] | None:
    return (re.compile(prefix + "(?:" + "|".join(re.escape(w) for w in words) + ")")
            if words else None)


@dataclass(frozen=True)
class ContextRules:
    """The context rules of a lexicon's ``context`` section, compiled. Word lists are regexes
    over the squeezed view: cues searched once per text, words after a match matched there."""
    ordinal_terms: frozenset[str]
    measure_words: re.Pattern[str] | None
    first_time: re.Pattern[str] | None
    title_findings: frozenset[str]
    named_after: re.Pattern[str] | None
    negation: Cue | None
    contact_negation: Cue | None
    denied_after: re.Pattern[str] | None
    reach: int
    meta: Cue | None
    advice_terms: frozenset[str]
    ranks_after: re.Pattern[str] | None
    feature_pick: re.Pattern[str] | None
    aspiration: Cue | None
    award: Cue | None
    self_comparison: Cue | None
    subjects: Subjects | None
    question: Cue | None
    topic: Cue | None
    topic_after: re.Pattern[str] | None
    gate: cues.Gate
    cue_lists: Mapping[str, Cue | None]      # _Around's attribute name → its list

    @classmethod
    def from_config(cls, config: Mapping[str, Mapping[str, Any]]) -> ContextRules:
        get = config.get
        ordinal, titles, negation = get("ordinal", {}), get("titles", {}), get("negation", {})
        denials = cue(words(negation, "cues"), words(negation, "unlike"))
        contact_denials = cue(words(negation, "contact_cues"), words(negation, "unlike"))
        meta = cue(words(get("meta", {}), "cues"))
        aspiration = cue(words(get("aspiration", {}), "cues"))
        award = cue(words(get("award", {}), "cues"))
        self_comparison = cue(words(get("self_comparison", {}), "cues"))
        subjects = Subjects(get("subject", {})) if get("subject") else None
        question = cue(words(get("question", {}), "cues"))
        topic = cue(words(get("topic", {}), "cues"))
        gate = cues.Gate([denials, contact_denials, meta, aspiration, award, self_comparison,
                          question, topic, *(() if subjects is None
                                             else (subjects.cue, subjects.located))])
        return cls(
            frozenset(str(t) for t in ordinal.get("terms") or ()),
            _alternation(words(ordinal, "measure_words")),
            _alternation(words(ordinal, "first_time")),
            frozenset(str(f) for f in titles.get("findings") or ()),
            _alternation(words(titles, "after")),
            denials, contact_denials, _alternation(words(negation, "after_cues"), "的?"),
            int(negation.get("reach", 4)), meta,
            frozenset(str(t) for t in get("advice", {}).get("terms") or ()),
            _alternation(words(get("advice", {}), "ranks_after")),
            _alternation(words(get("feature_pick", {}), "after")),
            aspiration, award, self_comparison, subjects, question, topic,
            _alternation(words(get("topic", {}), "after"), "的?"), gate,
            {"denials": denials, "contact_denials": contact_denials, "aspiration": aspiration,
             "award": award, "meta": meta, "self_comparison": self_comparison,
             "nouns": subjects.cue if subjects else None,
             "located": subjects.located if subjects else None, "question": question,
             "topic": topic})

    def keep(self, norm: Normalized, found: Sequence[Any], source: str = "seller") -> list[Any]:
        """The findings that stay findings in their context (``source`` is ``seller`` or
        ``review``)."""
        if source == "review":
            found = [f for f in found if f.finding == CONTACT]
        if not found:
            return []
        at = _Around(norm, self)
        kept: list[Any] = []
        last = None
        for f in found:
            # A finding strictly inside the last kept one of its kind (最佳 in 全网最佳, reported
            # right after it) is dropped by the scanner's dedupe whatever its context says: it
            # is not read. Only the last kept finding is compared, so nothing is sorted.
            if (last is not None and f.finding == last.finding and last.start <= f.start
                    and f.end <= last.end and f.end - f.start < last.end - last.start):
                kept.append(f)
            elif self._stays(at, f):
                kept.append(f)
                last = f
        return kept

    def _stays(self, at: _Around, f: Any) -> bool:
        contact = f.finding == CONTACT
        if f.end == 0 or f.term[0] == "<":           # a missing label, or a detector's match
            return True
        e = at.squeezed_index(f.end)
        if f.term in self.ordinal_terms and self.ordinal_at(at.norm, f.end, e):
            return False
        if f.term.endswith("第一") and self._first_time(at, f, e):
            return False
        if f.finding in self.title_findings and (at.in_title(f.start, f.end)
                                                 or at.followed_by(e, self.named_after)):
            return False
        # Each cue list is found once per text, when a finding first needs it; None where the
        # text holds no cue, so that most findings skip most rules at the cost of a comparison.
        denials = at.contact_denials if contact else at.denials
        aspiration = None if contact else at.aspiration
        award = None if contact else at.award
        if denials is not None or aspiration is not None or award is not None:
            s = at.squeezed_index(f.start)
            clause = at.squeezed_index(at.clause_start(f.start))
            if cues.before(denials, clause, s, self.reach):
                return False
            if cues.before(aspiration, clause, s, ASPIRATION_REACH):
                return False
            if cues.before(award, clause, s, AWARD_REACH):
                return False
        if contact:
            return True
        meta = at.meta
        self_comparison = at.self_comparison if f.finding == "extreme_word" else None
        sentence = at.sentence(f.start, f.end) if meta or self_comparison else (0, 0)
        if cues.within(meta, *sentence):
            return False
        if f.finding == "medical_claim":
            return at.topic is None and not at.followed_by(e, self.topic_after)
        if f.finding != "extreme_word":
            return True
        if f.term in self.advice_terms and self._advises(at, f.end, e):
            return False
        if f.term[0] == "最" and (self._picks_a_feature(at, e)
                                  or at.followed_by(e, self.denied_after)):
            return False
        if at.question is not None and cues.within(at.question,
                                                   *(at.asked(f.start, f.end) or (0, 0))):
            return False
        if at.nouns is not None and self._about_something_else(at, f, e):
            return False
        return not cues.within(self_comparison, *sentence)

    def _about_something_else(self, at: _Around, f: Any, e: int) -> bool:
        assert self.subjects is not None          # at.nouns is None without the rule
        clause = at.squeezed_index(at.clause_start(f.start))
        s = at.squeezed_index(f.start)
        return (self.subjects.elsewhere(at.norm.squeezed, at.nouns, clause, s, e,
                                        at.clause_end(f.end))
                and not cues.within(at.located, clause, s))

    def _first_time(self, at: _Around, f: Any, e: int) -> bool:
        """A term ending in 第一 whose 第一 says "for the first time": followed by 次, 碰到 …
        (国内第一碰到), or standing after a clause mark inside the match, where the squeezed view
        joined two clauses (服务，第一次听说)."""
        if at.followed_by(e, self.first_time):
            return True
        text = at.norm.original
        return (any(c in CLAUSE_MARKS for c in text[f.start:f.end])
                and self.ordinal_at(at.norm, f.end, e))

    def _picks_a_feature(self, at: _Around, e: int) -> bool:
        """The superlative's phrase, closed by 的 (its own, or one at most FEATURE_REACH
        characters on: 最值得称赞的), is followed by 是, 就是, 一点 …."""
        squeezed = at.norm.squeezed
        if self.feature_pick is None:
            return False
        if squeezed[e - 1:e] != "的":
            k = squeezed.find("的", e, e + FEATURE_REACH)
            if k < 0:
                return False
            e = k + 1
        return self.feature_pick.match(squeezed, e) is not None

    def _advises(self, at: _Around, end: int, e: int) -> bool:
        """最好用 followed by what to use, not by 的 / 了 … or the end of a clause."""
        text = at.norm.original
        if end >= len(text) or text[end] in ORDINAL_END:
            return False
        return e < len(at.norm.squeezed) and not at.followed_by(e, self.ranks_after)

    def ordinal_at(self, norm: Normalized, end: int, e: int) -> bool:
        """An ordinal term ending at original offset ``end`` (squeezed ``e``) counts or lists:
        the text ends, or punctuation or a measure word follows."""
        text = norm.original
        if end >= len(text) or text[end] in ORDINAL_END:
            return True
        return self.measure_words is not None and self.measure_words.match(norm.squeezed,
                                                                           e) is not None


class _Around:
    """What the rules look up in one text, each found once, on first use. Positions are
    squeezed-view indices unless named original."""

    def __init__(self, norm: Normalized, rules: ContextRules):
        self.norm = norm
        self.rules = rules
        self._origin = norm.origin

    def squeezed_index(self, original: int) -> int:
        """The index in the squeezed view of the first kept character at or after original
        offset ``original``."""
        return bisect.bisect_left(self._origin, original)

    @cached_property
    def _clauses(self) -> list[int]:
        return [m.start() for m in CLAUSE.finditer(self.norm.original)]

    @cached_property
    def _sentences(self) -> list[int]:
        return [m.start() for m in SENTENCE.finditer(self.norm.original)]

    @cached_property
    def _titles(self) -> list[tuple[int, int, bool]]:
        text = self.norm.original
        if not any(mark in text for mark in OPENERS):
            return []                               # most texts: no title, no quotation
        spans = [(m.start(), m.end(), True) for m in TITLES.finditer(text)]
        spans += [(m.start(), m.end(), False) for m in QUOTES.finditer(text)]
        return sorted(spans)

    def clause_start(self, start: int) -> int:
        """The original offset where the clause holding original offset ``start`` begins."""
        i = bisect.bisect_left(self._clauses, start)
        return self._clauses[i - 1] + 1 if i else 0

    def clause_end(self, end: int) -> int:
        """The squeezed index where the clause holding original offset ``end - 1`` ends."""
        i = bisect.bisect_left(self._clauses, end)
        return (self.squeezed_index(self._clauses[i]) if i < len(self._clauses)
                else len(self.norm.squeezed))

    def asked(self, start: int, end: int) -> tuple[int, int] | None:
        """The squeezed span of the clause holding original span ``[start, end)`` when a
        question mark ends it, else None."""
        marks, text = self._clauses, self.norm.original
        j = bisect.bisect_left(marks, end)
        if j == len(marks) or text[marks[j]] not in "？?":
            return None
        return self.squeezed_index(self.clause_start(start)), self.squeezed_index(marks[j])

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """The squeezed span of the sentence holding original span ``[start, end)``."""
        marks = self._sentences
        if not marks:
            return 0, len(self.norm.squeezed)
        i, j = bisect.bisect_left(marks, start), bisect.bisect_left(marks, end)
        lo = self.squeezed_index(marks[i - 1] + 1) if i else 0
        hi = self.squeezed_index(marks[j]) if j < len(marks) else len(self.norm.squeezed)
        return lo, hi

    def followed_by(self, e: int, rx: re.Pattern[str] | None) -> bool:
        return rx is not None and rx.match(self.norm.squeezed, e) is not None

    def in_title(self, start: int, end: int) -> bool:
        """Inside a title, or inside a quotation that holds more than the match (original
        offsets)."""
        spans = self._titles
        if not spans:
            return False
        i = bisect.bisect_right(spans, (start, len(self.norm.original), True))
        for a, b, title in spans[max(0, i - 2):i]:     # the spans are not nested: 2 suffice
            if a < start and end < b:
                text = self.norm.original
                if title or squeeze(text[a + 1:b - 1]) != squeeze(text[start:end]):
                    return True
        return False

    # Where each rule's cue words stand in the squeezed view, (starts, ends) or None
    # (denials, contact_denials, aspiration, award, meta, self_comparison, nouns, located,
    # question, topic): found together the first time a finding asks for one, then plain
    # attributes. One pass of the gate says which lists have a word here at all; only those
    # make a pass of their own.
    def __getattr__(self, name: str) -> Any:
        lists = self.rules.cue_lists
        if name not in lists:
            raise AttributeError(name)
        squeezed = self.norm.squeezed
        hits = self.rules.gate.hits(squeezed)
        for key, c in lists.items():
            setattr(self, key, c.spans(squeezed) if c is not None and hits & c.bit else None)
        return getattr(self, name)
