"""Reference implementations for the fast-path tests: the normalisation and the number detector
as they were before the shortcuts (every view built eagerly with the fold/keep tables; every
digit run and every clause looked at, character by character). Slow and plain on purpose."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from zhili.detect.content.detectors import DIGIT_RUN, MOBILE, Detectors, Hit
from zhili.detect.content.normalize import CLAUSE, _tables


def views(text: str) -> tuple[str, str, list[int]]:
    """(folded, squeezed, origin) of ``text``, computed eagerly from the fold and keep tables,
    a repeated Chinese character dropped one character at a time."""
    tables = _tables()
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    folded = tables.fold[codes].tobytes().decode("utf-32-le")
    squeezed, origin = [], []
    for i, keep in enumerate(tables.keep[codes]):
        ch = folded[i]
        if not keep:
            continue
        if squeezed and squeezed[-1] == ch and _is_han(ch):
            continue
        squeezed.append(ch)
        origin.append(i)
    return folded, "".join(squeezed), origin


def _is_han(ch: str) -> bool:
    cp = ord(ch)
    return (0x3400 <= cp < 0x4DC0 or 0x4E00 <= cp < 0xA000 or 0xF900 <= cp < 0xFB00
            or 0x20000 <= cp < 0x323B0)


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
        if e - s <= 11 and introduced(s):
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


def term_findings(norm, comp, ctx, matches):
    """The term findings as the scanner found them with nested loops: a match is dropped when
    any allowed-phrase match contains it (quadratic in the matches)."""
    from zhili.detect.content.scanner import Finding, _glued

    out, gate = [], 0
    for i, s, e in matches:
        gate |= comp.bits[i]
        if not ctx.reports[i]:
            continue
        if any(a <= s and e <= b and j in ctx.allowed for j, a, b in matches):
            continue
        start, end = norm.span(s, e)
        if _glued(norm, start, end, comp.latin[i]):
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
