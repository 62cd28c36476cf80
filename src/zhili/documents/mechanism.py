"""Documents in the engine: ``document_expiring`` notices and the violations of overdue and
expired documents, each raised when the fold reaches its instant.

Review results (``document_reviewed`` noncompliant or falsified) reach rules through each
pack's ``determinations:``, so that the violation's id is the review event's and an appeal can
name it; this mechanism handles only what time causes. It is registered with the engine at
import (the engine imports ``zhili.documents.mechanism`` itself).

Per fold it keeps the document events seen so far, per subject. After each such event it
schedules a check at every instant the registry says something may happen (a notice date,
an expiry, a deadline); the check recomputes the findings from the events known by then, so
a renewal or an acceptance that came in between prevents what it should.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from ..engine import ViolationRecord, register_mechanism
from ..engine.fold import ComponentFold
from ..events import DocumentDeadline, DocumentReviewed, DocumentSubmitted, Event
from .registry import load_registry
from .timeline import NOTICE, DocumentFinding, findings_until_for

# Failures this mechanism raises; review results are the packs' determinations.
TIMED = ("expiring", "overdue", "expired")
FAR = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
RULE = "documents"  # the rule name recorded on document notices


class _Documents:
    """What the mechanism remembers inside one fold (copied and pickled with it)."""

    def __init__(self) -> None:
        self.events: dict[str, list[Event]] = {}
        self.raised: set[str] = set()


def _memory(fold: ComponentFold) -> _Documents:
    found = getattr(fold, "zhili_documents", None)
    if found is None:
        found = _Documents()
        fold.zhili_documents = found  # type: ignore[attr-defined]
    return found


def _findings(fold: ComponentFold, subject: str, until: dt.datetime) -> list[DocumentFinding]:
    memory = _memory(fold)
    categories = fold.book(subject).subject.categories
    return [f for f in findings_until_for(memory.events.get(subject, []), fold.pack.code,
                                          subject, categories, until, load_registry(),
                                          fold.pack.timezone)
            if f.failure in TIMED]


def on_event(fold: ComponentFold, event: Event) -> None:
    if not isinstance(event, DocumentSubmitted | DocumentReviewed | DocumentDeadline):
        return
    if event.subject is None or not load_registry().for_pack(fold.pack.code):
        return
    memory = _memory(fold)
    memory.events.setdefault(event.subject, []).append(event)
    instants = sorted({max(f.at, event.at) for f in _findings(fold, event.subject, FAR)
                       if f.id not in memory.raised})
    for at in instants:
        if at <= event.at:
            check(event.subject, fold, event.at)
        else:
            fold.schedule(at, event.subject, partial(check, event.subject))


def check(subject: str, fold: ComponentFold, at: dt.datetime) -> None:
    """Raise what the documents cause by ``at`` that was not raised yet."""
    memory = _memory(fold)
    for finding in _findings(fold, subject, at):
        if finding.id in memory.raised:
            continue
        memory.raised.add(finding.id)
        book = fold.touch(subject, at)
        when = at  # the finding's own instant, or the moment its facts became known
        if finding.kind == "notice":
            valid_until = finding.evidence.get("valid_until", "")
            fold.effects.notice(book, NOTICE, when, RULE, finding.evidence.get("doc_id"),
                                f"{finding.scope} valid until {valid_until[:10]}")
        elif finding.code in fold.pack.rules:
            evidence: dict[str, Any] = {"scope": finding.scope, "failure": finding.failure,
                                        "doc_type": finding.doc_type, **finding.evidence}
            cats = _matching_categories(finding, fold, subject)
            if cats:
                evidence["category"] = cats[0]
            fold.violate(ViolationRecord(finding.id, when, subject, finding.code,
                                         evidence=evidence))


def _matching_categories(finding: DocumentFinding, fold: ComponentFold,
                         subject: str) -> list[str]:
    spec = load_registry().spec(fold.pack.code, finding.doc_type)
    own = fold.book(subject).subject.categories
    if spec is None or spec.categories is None:
        return []
    return sorted(set(own) & spec.categories)


register_mechanism(on_event)
