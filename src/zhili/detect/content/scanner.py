"""The content scanner: text in, findings with evidence out.

One pass of the lexicon automaton (terms and allowed phrases together, overlapping matches)
over the squeezed view, the pattern detectors, the context rules, and the category's required
labels. A term match is dropped when it lies wholly inside an allowed phrase that applies to
the text's category and the pack's options, when its term does not apply to the category, or
when a term made of Latin letters is glued to other letters (the "v信" inside "TV信号").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from .detectors import Detectors, Hit
from .lexicon import Lexicon, default_lexicon
from .normalize import Normalized, normalize

_EMPTY: Mapping[str, Any] = {}


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


_compiled: dict[int, tuple[Lexicon, Detectors]] = {}


def _detectors(lex: Lexicon) -> Detectors:
    hit = _compiled.get(id(lex))
    if hit is None or hit[0] is not lex:
        if len(_compiled) > 32:
            _compiled.clear()
        hit = _compiled[id(lex)] = (lex, Detectors(lex.detectors))
    return hit[1]


def _glued(folded: str, start: int, end: int, latin_start: bool, latin_end: bool) -> bool:
    def letter(i: int) -> bool:
        return 0 <= i < len(folded) and folded[i].isascii() and folded[i].isalpha()

    return (latin_start and letter(start - 1)) or (latin_end and letter(end))


def _term_findings(norm: Normalized, lex: Lexicon, category: str | None,
                   options: Mapping[str, Any]) -> list[Finding]:
    matches = lex.automaton.find_matches_as_indexes(norm.squeezed, overlapping=True)
    if not matches:
        return []
    patterns = lex.patterns
    allowed = [(s, e) for i, s, e in matches
               if any(ph.applies(category, options) for ph in patterns[i].phrases)]
    out = []
    for i, s, e in matches:
        pattern = patterns[i]
        if not pattern.terms or any(a <= s and e <= b for a, b in allowed):
            continue
        start, end = norm.span(s, e)
        if _glued(norm.folded, start, end, pattern.latin_start, pattern.latin_end):
            continue
        seen = set()
        for term in pattern.terms:
            if term.finding not in seen and term.applies(category):
                seen.add(term.finding)
                out.append(Finding(term.finding, start, end, norm.original[start:end],
                                   term.term, term.provenance))
    return out


def _pattern_findings(norm: Normalized, lex: Lexicon, det: Detectors,
                      contact_ends: list[int]) -> list[Finding]:
    def finding(hit: Hit, term: str) -> Finding:
        spec = lex.detectors[hit.detector]
        return Finding(str(spec["finding"]), hit.start, hit.end,
                       norm.original[hit.start:hit.end], term,
                       lex.detector_provenance[hit.detector])

    out = []
    active = lex.detectors
    if "mobile_number" in active or "qq_number" in active:
        out += [finding(h, f"<{h.detector}>") for h in det.numbers(norm)
                if h.detector in active]
    if "url" in active:
        out += [finding(h, "<url>") for h in det.urls(norm)]
    if "wechat_id" in active:
        out += [finding(h, "<wechat_id>") for h in det.wechat_ids(norm, contact_ends)]
    if "efficacy_pattern" in active:
        out += [finding(h, term) for term, h in det.efficacy_promises(norm)]
    return out


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Per finding kind, drop a match lying inside a longer one (最优 inside 最优质)."""
    kept: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, -(f.end - f.start), f.finding,
                                        f.term.startswith("<"), f.term)):
        if any(k.finding == f.finding and k.start <= f.start and f.end <= k.end
               and (k.start, k.end) != (0, 0) for k in kept):
            continue
        kept.append(f)
    return sorted(kept, key=lambda f: (f.start, f.end, f.finding, f.term))


def scan(text: str, *, category: str | None = None, options: Mapping[str, Any] | None = None,
         lexicon: Lexicon | None = None) -> list[Finding]:
    """The findings of RULES.md section 6 in ``text``.

    ``category`` is the goods category of the text (it decides category-bound terms, allowed
    function wording and required labels); ``options`` are the pack's content options (see
    docs/content.md); ``lexicon`` defaults to the packaged one.
    """
    lex = lexicon or default_lexicon()
    opts = options if options is not None else _EMPTY
    norm = normalize(text)
    found = _term_findings(norm, lex, category, opts)
    contact_ends = [f.end for f in found if f.finding == "off_platform_contact"]
    found += _pattern_findings(norm, lex, _detectors(lex), contact_ends)
    for label in lex.label_for(category):
        if label.label and normalize(label.label).squeezed not in norm.squeezed:
            found.append(Finding("required_label_missing", 0, 0, "", label.label,
                                 label.provenance))
    return _dedupe(found)
