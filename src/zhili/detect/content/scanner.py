"""The content scanner: text in, findings with evidence out.

One pass of the lexicon automaton (terms and allowed phrases together, overlapping matches)
over the squeezed view, the pattern detectors, the context rules, and the category's required
labels. A term match is dropped when it lies wholly inside an allowed phrase that applies to
the text's category and the pack's options, when its term does not apply to the category, or
when a term made of Latin letters is glued to other letters (the "v信" inside "TV信号").

Most product copy has no finding, so the common case is kept cheap: what a pattern stands for
in a category is worked out once per lexicon and category, the URL, WeChat ID and efficacy
detectors run only when their necessary condition holds (see :mod:`.detectors`), and the folded
view and the offset map are built only when a detector or a finding needs them.
:func:`scan_many` also shares the normalisation of many texts. :func:`scan_exhaustive` (for
tests) skips every shortcut: all detectors run and all views are built.
"""

from __future__ import annotations

import bisect
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import ahocorasick_rs

from .context import SOURCES, ContextRules
from .detectors import (
    EFFICACY,
    EVERY,
    LABELS,
    NUMBERS,
    QQ_CUE,
    URLS,
    WXIDS,
    Detectors,
    Hit,
)
from .lexicon import Lexicon, default_lexicon
from .normalize import Batch, Normalized, batches, normalize, squeeze

_EMPTY: Mapping[str, Any] = {}
DFA_PATTERNS = 20_000
# Shared empty results inside a scan (never returned, never appended to).
_NONE: list[Any] = []
_NONE_MATCHES: list[tuple[int, int, int]] = []
_NONE_ENDS: list[int] = []


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding. ``start``/``end`` are offsets into the original text and ``text`` is the
    original substring; for ``required_label_missing`` (nothing to point at) they are 0, 0 and
    "", and ``term`` is the missing label."""
    finding: str
    start: int
    end: int
    text: str
    term: str
    provenance: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# What one pattern of the automaton reports in a context: (finding, term, provenance) each.
_Reports = tuple[tuple[str, str, str], ...]


@dataclass(frozen=True, slots=True)
class _Context:
    """The lexicon as it applies to one category and one set of pack options."""
    allowed: frozenset[int]                 # patterns that are an allowed phrase here
    reports: tuple[_Reports, ...]           # per pattern; () when it reports nothing here
    # (label, the squeezed wordings that satisfy it, provenance)
    labels: tuple[tuple[str, tuple[str, ...], str], ...]
    ordinals: frozenset[int]                # patterns whose every report is an ordinal term


class _Compiled:
    """What a lexicon needs at scan time, built once per lexicon."""

    def __init__(self, lex: Lexicon):
        self.lex = lex
        self.detectors = Detectors(lex.detectors)
        self.rules = ContextRules.from_config(lex.context)
        # The lexicon's patterns, then the detectors' hint words that are not among them: one
        # pass gives the term matches and the detectors whose hint word stands in the text.
        texts = [p.text for p in lex.patterns]
        index = {t: i for i, t in enumerate(texts)}
        self.bits = [0] * len(texts)
        for word, bit in self.detectors.hints.items():
            if word not in index:
                index[word] = len(texts)
                texts.append(word)
                self.bits.append(0)
            self.bits[index[word]] |= bit
        # A DFA up to DFA_PATTERNS patterns: tens of milliseconds to build, a third faster to
        # search than the library's default on the packaged lexicon (~10,000 patterns); with
        # tens of thousands its tables outgrow the CPU caches and it is slower than the default
        # (benchmarks/README.md, content).
        dfa = len(texts) <= DFA_PATTERNS
        self.automaton = ahocorasick_rs.AhoCorasick(
            texts, matchkind=ahocorasick_rs.MatchKind.Standard,
            implementation=ahocorasick_rs.Implementation.DFA if dfa else None)
        # Terms that begin or end with a Latin letter or a digit (vx, no1, 第1): see _glued.
        self.latin = tuple(_latin_ends(t) for t in texts)
        self.options = tuple(sorted({ph.option for ph in lex.allow if ph.option is not None}))
        self._contexts: dict[tuple[str | None, tuple[bool, ...]], _Context] = {}

    def context(self, category: str | None, options: Mapping[str, Any]) -> _Context:
        key = (category, tuple([bool(options.get(o)) for o in self.options]))
        ctx = self._contexts.get(key)
        if ctx is None:
            if len(self._contexts) > 256:
                self._contexts.clear()
            ctx = self._contexts[key] = self._build(category, options)
        return ctx

    def _build(self, category: str | None, options: Mapping[str, Any]) -> _Context:
        allowed, reports = set(), []
        for i, pattern in enumerate(self.lex.patterns):
            if any(ph.applies(category, options) for ph in pattern.phrases):
                allowed.add(i)
            seen: dict[str, tuple[str, str, str]] = {}
            for term in pattern.terms:
                if term.finding not in seen and term.applies(category):
                    seen[term.finding] = (term.finding, term.term, term.provenance)
            reports.append(tuple(seen.values()))
        reports += [()] * (len(self.bits) - len(reports))      # the hint words report nothing
        labels = tuple((lb.label, tuple(squeeze(w) for w in (lb.label, *lb.alternatives)),
                        lb.provenance)
                       for lb in self.lex.label_for(category) if lb.label)
        ordinal = self.rules.ordinal_terms
        ordinals = frozenset(i for i, found in enumerate(reports)
                             if found and all(term in ordinal for _, term, _ in found))
        return _Context(frozenset(allowed), tuple(reports), labels, ordinals)


_compiled: dict[int, _Compiled] = {}


def _compile(lex: Lexicon) -> _Compiled:
    hit = _compiled.get(id(lex))
    if hit is None or hit.lex is not lex:
        if len(_compiled) > 32:
            _compiled.clear()
        hit = _compiled[id(lex)] = _Compiled(lex)
    return hit


_NOT_LATIN = (False, False)


def _latin_ends(term: str) -> tuple[bool, bool]:
    """Whether the term begins, and ends, with a Latin letter or a digit (one shared
    ``_NOT_LATIN`` for the many that do neither, so the scan tells them apart by identity)."""
    ends = (term[0].isascii() and term[0].isalnum(), term[-1].isascii() and term[-1].isalnum())
    return _NOT_LATIN if ends == _NOT_LATIN else ends


def _glued(norm: Normalized, start: int, end: int, latin: tuple[bool, bool]) -> bool:
    """A term that begins or ends with a Latin letter or a digit is part of a longer word,
    number or code when a letter or digit touches it there (第12名 does not hold 第一), or (after it) a hyphen and a letter or digit: TV信号,
    vx600x, WX-3000A, NO.1-A."""
    def alnum(i: int) -> bool:
        if not 0 <= i < len(norm.original):
            return False
        ch = norm.folded_char(i)
        return ch.isascii() and ch.isalnum()

    return (latin[0] and alnum(start - 1)) or (latin[1] and (
        alnum(end) or (end < len(norm.original) and norm.folded_char(end) == "-"
                       and alnum(end + 1))))


def _outside_allowed(matches: list[tuple[int, int, int]], reporting: list[int],
                     allowed: frozenset[int]) -> list[int]:
    """The reporting matches (indices into ``matches``) that lie inside no allowed phrase. A
    match lies inside one exactly when the furthest end of the allowed phrases starting at or
    before it reaches its end: one sort of each and one sweep, linear in the matches (up to the
    sorts), however many of them overlap."""
    spans = sorted((a, b) for j, a, b in matches if j in allowed)
    if not spans:
        return reporting
    kept = []
    best, at = -1, 0
    for k in sorted(reporting, key=lambda k: matches[k][1]):
        _, s, e = matches[k]
        while at < len(spans) and spans[at][0] <= s:
            best = max(best, spans[at][1])
            at += 1
        if best < e:
            kept.append(k)
    return sorted(kept)


def _term_findings(norm: Normalized, comp: _Compiled, ctx: _Context,
                   matches: list[tuple[int, int, int]]) -> tuple[list[Finding], int]:
    """The term findings of the matches, and the bits of the detectors whose hint word is
    among them. (Most texts find nothing here: nothing is allocated for them.)"""
    reports, allowed, bits = ctx.reports, ctx.allowed, comp.bits
    gate = 0
    reporting = []
    for k, (i, _, _) in enumerate(matches):
        gate |= bits[i]
        if reports[i]:
            reporting.append(k)
    if not reporting:
        return _NONE, gate
    if allowed:
        reporting = _outside_allowed(matches, reporting, allowed)
    out: list[Finding] = _NONE
    rules, ordinals, latin, origin = comp.rules, ctx.ordinals, comp.latin, norm.origin
    for k in reporting:
        i, s, e = matches[k]
        start, end = origin[s], origin[e - 1] + 1           # norm.span, inlined: per match
        if latin[i] is not _NOT_LATIN and _glued(norm, start, end, latin[i]):
            continue
        # The context rules' first test, taken here so that a text whose only match is an
        # ordinal 第一 (第一次来, 第一本书) builds no finding: it is dropped whatever else holds.
        if i in ordinals and rules.ordinal_at(norm, end, e):
            continue
        text = norm.original[start:end]
        if out is _NONE:
            out = []
        out += [Finding(finding, start, end, text, term, prov)
                for finding, term, prov in reports[i]]
    return out, gate


def _pattern_findings(norm: Normalized, comp: _Compiled, contact_ends: list[int],
                      gate: int) -> list[Finding]:
    lex, det = comp.lex, comp.detectors

    def finding(hit: Hit, term: str) -> Finding:
        spec = lex.detectors[hit.detector]
        return Finding(str(spec["finding"]), hit.start, hit.end,
                       norm.original[hit.start:hit.end], term,
                       lex.detector_provenance[hit.detector])

    out = []
    active = lex.detectors
    if gate & (NUMBERS | QQ_CUE) and ("mobile_number" in active or "qq_number" in active):
        out += [finding(h, f"<{h.detector}>") for h in det.numbers(norm, bool(gate & QQ_CUE))
                if h.detector in active]
    if gate & URLS and "url" in active:
        out += [finding(h, "<url>") for h in det.urls(norm)]
    if (contact_ends or gate & WXIDS) and "wechat_id" in active:
        out += [finding(h, "<wechat_id>") for h in det.wechat_ids(norm, contact_ends)]
    if gate & LABELS and "wechat_id" in active:
        out += [finding(h, "<wechat_id>") for h in det.labelled_ids(norm)]
    if gate & EFFICACY and "efficacy_pattern" in active:
        out += [finding(h, term) for term, h in det.efficacy_promises(norm)]
    return out


def _order(f: Finding) -> tuple[int, int, str, str]:
    return f.start, f.end, f.finding, f.term


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Per finding kind, drop a match lying inside a longer one (最优 inside 最优质). Sorted by
    start, longest first, a finding lies inside a kept one of its kind exactly when the
    furthest end kept so far for that kind reaches its end: one sort and one sweep. Findings
    with nothing to point at (start = end = 0) never contain another."""
    if len({f.finding for f in findings}) == len(findings):
        return sorted(findings, key=_order)     # one of each kind: nothing to drop
    kept: list[Finding] = []
    reach: dict[str, int] = {}
    for f in sorted(findings, key=lambda f: (f.start, -(f.end - f.start), f.finding,
                                        f.term.startswith("<"), f.term)):
        if reach.get(f.finding, -1) >= f.end and f.end > 0:
            continue
        kept.append(f)
        if (f.start, f.end) != (0, 0):
            reach[f.finding] = max(reach.get(f.finding, -1), f.end)
    return sorted(kept, key=_order)


def _scan(norm: Normalized, comp: _Compiled, ctx: _Context, gate: int,
          matches: list[tuple[int, int, int]], source: str = "seller",
          exhaustive: bool = False) -> list[Finding]:
    """The findings of one text, given its automaton matches and the detectors that may find
    something (``gate``; the detectors whose hint word is among the matches are added here,
    then those that a second condition rules out are dropped, unless ``exhaustive``)."""
    found: list[Finding] = _NONE
    contact_ends: list[int] = _NONE_ENDS
    if matches:
        found, hinted = _term_findings(norm, comp, ctx, matches)
        gate |= hinted
    if gate and not exhaustive:
        gate = comp.detectors.confirm(gate, norm)
    if found:
        contact_ends = [f.end for f in found if f.finding == "off_platform_contact"]
    if gate or contact_ends:
        found = found + _pattern_findings(norm, comp, contact_ends, gate)
    if ctx.labels:
        found = found + [Finding("required_label_missing", 0, 0, "", label, prov)
                         for label, wordings, prov in ctx.labels
                         if not any(w in norm.squeezed for w in wordings)]
    if found:
        found = comp.rules.keep(norm, found, source)
    if len(found) > 1:
        return _dedupe(found)
    return list(found)                  # a list of its own, never the shared empty one


def scan(text: str, *, category: str | None = None, options: Mapping[str, Any] | None = None,
         lexicon: Lexicon | None = None, source: str = "seller") -> list[Finding]:
    """The content findings in ``text``.

    ``category`` is the goods category of the text (it decides category-bound terms, allowed
    function wording and required labels); ``options`` are the pack's content options (see
    docs/content.md); ``lexicon`` defaults to the packaged one. ``source`` is ``seller`` (the
    seller's own copy: titles, details, live, video, chat) or ``review`` (buyers' reviews, which
    the Advertising Law does not bind: only off-platform contact is a finding there).
    """
    return _scan_text(text, category, options, lexicon, source, exhaustive=False)


def scan_exhaustive(text: str, *, category: str | None = None,
                    options: Mapping[str, Any] | None = None,
                    lexicon: Lexicon | None = None, source: str = "seller") -> list[Finding]:
    """``scan`` without its shortcuts: every view built, every detector run whatever its
    necessary condition says. The reference the tests compare ``scan`` with."""
    return _scan_text(text, category, options, lexicon, source, exhaustive=True)


def _source(source: str) -> str:
    if source not in SOURCES:
        raise ValueError(f"source: expected one of {', '.join(SOURCES)}, got {source!r}")
    return source


def _scan_text(text: str, category: str | None, options: Mapping[str, Any] | None,
               lexicon: Lexicon | None, source: str, *, exhaustive: bool) -> list[Finding]:
    source = _source(source)
    comp = _compile(lexicon or default_lexicon())
    ctx = comp.context(category, options if options is not None else _EMPTY)
    norm = normalize(text)
    if exhaustive:
        norm.build_all()
        gate = EVERY
    else:
        gate = comp.detectors.gates(norm.squeezed, (0,))[0]
    return _scan(norm, comp, ctx, gate,
                 comp.automaton.find_matches_as_indexes(norm.squeezed, overlapping=True), source,
                 exhaustive)


def _may_find(batch: Batch, i: int, comp: _Compiled, ctx: _Context, gate: int,
              matches: list[tuple[int, int, int]]) -> bool:
    """Whether text ``i`` of the batch may have a finding: a match that reports something, or
    a detector that its gate and hint words open and its second condition does not close."""
    reports, bits = ctx.reports, comp.bits
    reporting = []
    for k, (j, _, _) in enumerate(matches):
        if reports[j]:
            reporting.append(k)
        gate |= bits[j]
    if reporting and (not ctx.allowed or _outside_allowed(matches, reporting, ctx.allowed)):
        return True
    return bool(gate) and bool(comp.detectors.confirm(gate, batch.view(i)))


def scan_many(texts: Sequence[str], *, category: str | None = None,
              categories: Sequence[str | None] | None = None,
              options: Mapping[str, Any] | None = None,
              lexicon: Lexicon | None = None, source: str = "seller",
              sources: Sequence[str] | None = None) -> list[list[Finding]]:
    """``[scan(t, ...) for t in texts]``, faster: the texts are normalised together.

    ``categories``, when given, has one category per text and takes the place of ``category``;
    ``sources`` likewise for ``source``.
    """
    _source(source)
    if sources is not None:
        if len(sources) != len(texts):
            raise ValueError(f"{len(sources)} sources for {len(texts)} texts")
        for s in set(sources):
            _source(s)
    if categories is not None and len(categories) != len(texts):
        raise ValueError(f"{len(categories)} categories for {len(texts)} texts")
    comp = _compile(lexicon or default_lexicon())
    opts = options if options is not None else _EMPTY
    find = comp.automaton.find_matches_as_indexes
    ctx = comp.context(category, opts)
    out: list[list[Finding]] = []
    for batch in batches(texts):
        gates = comp.detectors.gates(batch.joined, batch.starts)
        # The automaton once over the whole batch (no pattern holds JOIN, so no match spans
        # two texts, and after JOIN the automaton is back at its root: each text's matches are
        # those of a pass over that text alone, in the same order).
        matches = _per_text(find(batch.joined, overlapping=True), batch.starts)
        first = len(out)
        out += [[] for _ in batch.texts]
        if categories is None and not ctx.labels:
            # Most copy matches nothing, or only allowed phrases (最近, 第一次) and hint words
            # of detectors that a second condition rules out: nothing to do for it.
            todo: Sequence[int] = [i for i, gate in enumerate(gates) if gate or i in matches]
        else:
            todo = range(len(batch.texts))
        for i in todo:
            if categories is not None:
                ctx = comp.context(categories[first + i], opts)
            gate, m = gates[i], matches.get(i, _NONE_MATCHES)
            if ctx.labels or ((m or gate) and _may_find(batch, i, comp, ctx, gate, m)):
                src = sources[first + i] if sources is not None else source
                out[first + i] = _scan(batch.view(i), comp, ctx, gate, m, src)
    return out


def _per_text(found: list[tuple[int, int, int]],
              starts: list[int]) -> dict[int, list[tuple[int, int, int]]]:
    """The matches of a pass over texts joined as ``starts`` says, by text, in each text's
    own offsets; texts without a match are absent."""
    out: dict[int, list[tuple[int, int, int]]] = {}
    lo, hi = 0, -1
    mine: list[tuple[int, int, int]] = []
    for j, s, e in found:
        if not lo <= s < hi:
            i = bisect.bisect_right(starts, s) - 1
            lo = starts[i]
            hi = starts[i + 1] if i + 1 < len(starts) else sys.maxsize
            mine = out[i] = []
        mine.append((j, s - lo, e - lo))
    return out
