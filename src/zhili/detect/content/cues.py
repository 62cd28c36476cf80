"""Cue words of the context rules: found once per text, looked up per finding by bisection.

A rule's words are found by one leftmost-longest Aho-Corasick pass over the squeezed view, the
first time a finding needs them; each finding then asks "does a cue end just before me?" or "does
one stand in this span?" by bisection. This keeps the rules linear in the text plus its findings
(up to a logarithm), however many findings and cue words there are."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from typing import Any

import ahocorasick_rs

from .normalize import squeeze

# The starts and ends of a cue list's matches in one text's squeezed view, or None when it has
# none.
Spans = tuple[list[int], list[int]] | None


def words(spec: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """The words under ``key``, squeezed as the text is, longest first."""
    return tuple(sorted({squeeze(str(w)) for w in spec.get(key) or ()} - {""}, key=len,
                        reverse=True))


class Cue:
    """A list of cue words found as ``re.finditer`` finds their alternation sorted longest
    first: leftmost, then the longest there, then on after it — which is the leftmost-longest
    match of an Aho-Corasick automaton, one pass however many words (a regex tries them one by
    one)."""

    def __init__(self, cue_words: Sequence[str], unlike: Sequence[str] = ()):
        # ``unlike``: words that begin like a cue and are none (不愧, 不错 beside the cue 不):
        # matched in the same pass, the longest wins, and they are dropped.
        self._cues = len(cue_words)
        self.words = tuple(cue_words)
        self.bit = 0                    # set by the Gate that screens this list
        self._automaton = ahocorasick_rs.AhoCorasick(
            [*cue_words, *unlike], matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    def spans(self, text: str) -> Spans:
        n = self._cues
        found = [m for m in self._automaton.find_matches_as_indexes(text) if m[0] < n]
        if not found:
            return None
        return [s for _, s, _ in found], [e for _, _, e in found]


class Gate:
    """One pass over a text that says which cue lists have a word in it at all: the lists with
    none are known to find nothing without their own pass (most lists, for most texts)."""

    def __init__(self, lists: Sequence[Cue | None]):
        owners: dict[str, int] = {}
        for i, c in enumerate(c for c in lists if c is not None):
            c.bit = 1 << i
            for w in c.words:
                owners[w] = owners.get(w, 0) | c.bit
        self._bits = list(owners.values())
        self._automaton = (ahocorasick_rs.AhoCorasick(list(owners)) if owners else None)

    def hits(self, text: str) -> int:
        """The bits of the lists with a word in ``text``."""
        if self._automaton is None:
            return 0
        bits, found = self._bits, 0
        for i, _, _ in self._automaton.find_matches_as_indexes(text, overlapping=True):
            found |= bits[i]
        return found


def cue(cue_words: Sequence[str], unlike: Sequence[str] = ()) -> Cue | None:
    return Cue(cue_words, unlike) if cue_words else None


def before(cues: Spans, clause: int, s: int, reach: int) -> bool:
    """A cue ends at most ``reach`` characters before ``s`` and begins at or after
    ``clause``."""
    if cues is None:
        return False
    starts, ends = cues
    i = bisect.bisect_right(ends, s) - 1
    return i >= 0 and s - ends[i] <= reach and starts[i] >= clause


def within(cues: Spans, lo: int, hi: int) -> bool:
    """A cue begins in ``[lo, hi)``."""
    if cues is None:
        return False
    starts = cues[0]
    k = bisect.bisect_left(starts, lo)
    return k < len(starts) and starts[k] < hi


def first_after(cues: Spans, e: int) -> int | None:
    """The index of the first cue beginning at or after ``e``."""
    if cues is None:
        return None
    k = bisect.bisect_left(cues[0], e)
    return k if k < len(cues[0]) else None


def last_before(cues: Spans, s: int) -> int | None:
    """The index of the last cue ending at or before ``s``."""
    if cues is None:
        return None
    k = bisect.bisect_right(cues[1], s) - 1
    return k if k >= 0 else None
