"""Documents in the engine: ``document_expiring`` notices and the violations of overdue and
expired documents, each raised when the fold reaches its instant; and the end of sanctions and
holds that last ``until: document_accepted``.

Review results (``document_reviewed`` noncompliant or falsified) reach rules through each
pack's ``determinations:``; for a pack without them, this mechanism raises the registry's rule
for the reviewed document's type. Either way the violation's id is the review event's, so an
appeal can name it. It is registered with the engine at
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

from ..engine import Hold, Sanction, ViolationRecord, register_mechanism
from ..engine.fold import ComponentFold
from ..events import DocumentDeadline, DocumentReviewed, DocumentSubmitted, Event
from .filed import SubjectFile, collect
from .registry import load_registry
from .status import state_at
from .timeline import NOTICE, DocumentFinding, findings_until_for

# Failures this mechanism raises; review results are the packs' determinations.
TIMED = ("expiring", "overdue", "expired")
FAR = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
RULE = "documents"  # the rule name recorded on document notices
# Sanctions that last "until an accepted document is on file" name this condition.
ACCEPTED = "document_accepted"


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
    if isinstance(event, DocumentReviewed) and event.result == "accepted":
        lift_when_accepted(fold, event.subject, event.at)
    elif isinstance(event, DocumentReviewed) and not _pack_determines_reviews(fold):
        review_violation(fold, event)
    instants = sorted({max(f.at, event.at) for f in _findings(fold, event.subject, FAR)
                       if f.id not in memory.raised})
    for at in instants:
        if at <= event.at:
            check(event.subject, fold, event.at)
        else:
            fold.schedule(at, event.subject, partial(check, event.subject))


def _pack_determines_reviews(fold: ComponentFold) -> bool:
    return any(d.event_type == "document_reviewed" for d in fold.pack.determinations)


def review_violation(fold: ComponentFold, review: DocumentReviewed) -> None:
    """For a pack without review determinations: the registry's rule for the reviewed
    document's type and the result (a determination cannot see the type, only the review).
    The violation's id is the review event's, so an appeal names the review."""
    subject = review.subject or ""
    events = _memory(fold).events.get(subject, [])
    submitted = {e.doc_id or e.id: e for e in events if isinstance(e, DocumentSubmitted)}
    doc = submitted.get(review.doc_id)
    req = load_registry().requirement_of(fold.pack.code, doc.doc_type) if doc else None
    code = req.code_for(review.result) if req else None
    if doc is None or req is None or code is None or code not in fold.pack.rules:
        return
    evidence: dict[str, Any] = {"scope": doc.doc_type, "doc_type": doc.doc_type,
                                "doc_id": review.doc_id, "result": review.result,
                                "event": review.id}
    if doc.batch:
        evidence["batch"] = doc.batch
    own = fold.book(subject).subject.categories
    cats = sorted(set(own) & req.categories) if req.categories else []
    if cats:
        evidence["category"] = cats[0]
    fold.violate(ViolationRecord(review.id, review.at, subject, code, item=doc.item,
                                 evidence=evidence))


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


def _doc_type_of(cause: str | None, events: list[Event]) -> str | None:
    """The document type a sanction's cause concerns: a review event, or a finding id."""
    if cause is None:
        return None
    reviews = {e.id: e.doc_id for e in events if isinstance(e, DocumentReviewed)}
    if cause in reviews:
        types = {e.doc_id or e.id: e.doc_type for e in events
                 if isinstance(e, DocumentSubmitted)}
        return types.get(reviews[cause])
    parts = cause.split(":")
    return parts[2].split("/")[0] if len(parts) == 4 else None


def lift_when_accepted(fold: ComponentFold, subject: str, at: dt.datetime) -> None:
    """End the ``until: document_accepted`` sanctions and holds whose document is now on
    file, accepted and valid (the requirement it belongs to, or else that document type)."""
    registry = load_registry()
    events = _memory(fold).events.get(subject, [])
    book = fold.touch(subject, at)
    sf = collect(events, registry, fold.pack.code, fold.pack.timezone).get(subject) \
        or SubjectFile(subject)
    ended: dict[str, tuple[str, str]] = {}  # cause -> (rule, document type)
    records: list[Sanction | Hold] = [*book.sanctions, *book.holds]
    for record in records:
        if record.until != ACCEPTED or record.end is not None or record.cause is None:
            continue
        doc_type = _doc_type_of(record.cause, events)
        if doc_type is None:
            continue
        req = registry.requirement_of(fold.pack.code, doc_type)
        if req is not None:
            on_file = state_at(sf, req, at, registry.notice_months, None,
                               fold.pack.timezone) in ("valid", "expiring")
        else:
            on_file = any(d.valid_at(at) for d in sf.of_type(doc_type, t=at))
        if on_file:
            ended[record.cause] = (record.rule, req.doc_type if req else doc_type)
    for cause, (rule, doc_type) in sorted(ended.items()):
        def same_cause(r: Sanction | Hold, cause: str = cause) -> bool:
            return r.until == ACCEPTED and r.cause == cause

        why = f"an accepted {doc_type} is on file"
        fold.effects.lift(book, same_cause, at, rule, cause, why)
        fold.effects.release(book, same_cause, at, rule, cause, why)


def _matching_categories(finding: DocumentFinding, fold: ComponentFold,
                         subject: str) -> list[str]:
    spec = load_registry().spec(fold.pack.code, finding.doc_type)
    own = fold.book(subject).subject.categories
    if spec is None or spec.categories is None:
        return []
    return sorted(set(own) & spec.categories)


register_mechanism(on_event, types=("document_submitted", "document_reviewed",
                                       "document_deadline"))
