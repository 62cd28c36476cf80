"""What documents cause over time: ``document_expiring`` notices and the violations of
non-compliant, falsified, overdue and expired documents, each at the instant it happens.

This is the bridge from document facts to the engine: each finding names the pack's rule
(from the registry) and carries a deterministic id ``CODE:SUBJECT:SCOPE:DATE``, where SCOPE
is the document type (``doc_type/batch`` for per-batch documents), so a finding can be
appealed like any other violation the product raises itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..events import Event
from ..timekit import DEFAULT_ZONE, local_date
from .filed import Filed, SubjectFile, collect, months_before
from .registry import Registry, Requirement
from .status import GOOD, state_at, submitted_by

NOTICE = "document_expiring"
AFTER = dt.timedelta(microseconds=1)  # the first instant after a deadline


@dataclass(frozen=True)
class DocumentFinding:
    at: dt.datetime
    subject: str
    kind: str  # "notice" | "violation"
    code: str  # the notice kind, or the pack's rule code
    doc_type: str
    failure: str | None  # expiring | noncompliant | falsified | overdue | expired
    id: str
    batch: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def violation_event(self) -> dict[str, Any]:
        """The ``violation`` event this finding becomes (violations only)."""
        event = {"id": self.id, "type": "violation", "at": self.at.isoformat(),
                 "subject": self.subject, "code": self.code,
                 "evidence": {"scope": self.scope, "failure": self.failure, **self.evidence}}
        return event

    @property
    def scope(self) -> str:
        return f"{self.doc_type}/{self.batch}" if self.batch else self.doc_type


def _finding(kind: str, code: str, at: dt.datetime, subject: str, req_type: str,
             failure: str, tz: str, batch: str | None = None, day_of: dt.datetime | None = None,
             **evidence: Any) -> DocumentFinding:
    scope = f"{req_type}/{batch}" if batch else req_type
    fid = f"{code}:{subject}:{scope}:{local_date(day_of or at, tz).isoformat()}"
    return DocumentFinding(at, subject, kind, code, req_type, failure, fid, batch,
                           {k: v for k, v in evidence.items() if v is not None})


def _owner(req: Requirement, doc: Filed) -> bool:
    return doc.doc_type in req.forms or doc.doc_type in req.parts


def _notices(sf: SubjectFile, req: Requirement, months: int, until: dt.datetime,
             tz: str) -> list[DocumentFinding]:
    out = []
    for doc in sf.docs:
        if not _owner(req, doc):
            continue
        at = max(months_before(doc.valid_until, months, tz), doc.submitted_at)
        if at > until or at >= doc.valid_until or doc.result_at(at) in ("noncompliant",
                                                                        "falsified"):
            continue
        same = req.forms if doc.doc_type in req.forms else (doc.doc_type,)
        renewed = any(o is not doc and o.doc_type in same and o.batch == doc.batch
                      and o.on_file_at(at) and o.valid_until > doc.valid_until
                      and o.result_at(at) not in ("noncompliant", "falsified")
                      for o in sf.docs)
        if not renewed:
            out.append(_finding("notice", NOTICE, at, sf.subject, doc.doc_type, "expiring", tz,
                                doc.batch, doc_id=doc.doc_id,
                                valid_until=doc.valid_until.isoformat()))
    return out


def _violations(sf: SubjectFile, req: Requirement, months: int, until: dt.datetime,
                tz: str) -> list[DocumentFinding]:
    out = []
    for doc in sf.docs:
        if not _owner(req, doc):
            continue
        failure = doc.result if doc.result in ("noncompliant", "falsified") else None
        code = req.code_for(failure) if failure else None
        if code and doc.reviewed_at is not None and doc.reviewed_at <= until:
            out.append(_finding("violation", code, doc.reviewed_at, sf.subject, req.doc_type,
                                failure or "", tz, doc.batch, doc_id=doc.doc_id,
                                review=doc.review_id))
        # Expiry: when an accepted document runs out and nothing valid replaces it.
        code = req.code_for("expired")
        end = doc.valid_until
        if (code and end <= until and doc.result_at(end) == "accepted"
                and state_at(sf, req, end, months, doc.batch, tz) not in GOOD):
            out.append(_finding("violation", code, end, sf.subject, req.doc_type, "expired", tz,
                                doc.batch, doc_id=doc.doc_id))
    code = req.code_for("overdue")
    for deadline in sf.deadlines_for(req.doc_type, until):
        due = deadline.due
        # Submitted at the deadline's own instant is in time (逾期 is after it): the finding
        # falls just after it, once every event of that instant is known. Its id keeps the
        # deadline's date.
        late = due + AFTER
        if code and late <= until and not submitted_by(sf, req, due, months, tz):
            out.append(_finding("violation", code, late, sf.subject, req.doc_type, "overdue",
                                tz, day_of=due, deadline=deadline.event_id))
    return out


def document_findings(files: Mapping[str, SubjectFile], registry: Registry, pack: str,
                      categories: Mapping[str, Iterable[str]], until: dt.datetime,
                      tz: str = DEFAULT_ZONE) -> list[DocumentFinding]:
    """Every notice and violation the documents cause up to ``until``, in time order.

    ``categories`` gives each subject's categories (subjects absent from it have none).
    Duplicates (one id twice) are kept once.
    """
    months = registry.notice_months
    candidates: list[DocumentFinding] = []
    for subject in sorted(files):
        sf = files[subject]
        for req in registry.required_of(pack, categories.get(subject, ())):
            candidates += _notices(sf, req, months, until, tz)
            candidates += _violations(sf, req, months, until, tz)
    # One id per code, scope and day: the earliest finding of the day stands for it, so the
    # findings up to any instant are a prefix of the findings up to a later one.
    found: dict[str, DocumentFinding] = {}
    for finding in sorted(candidates, key=lambda f: (f.at, f.subject, f.id, f.failure or "")):
        found.setdefault(finding.id, finding)
    return list(found.values())


def findings_until_for(events: Iterable[Event], pack: str, subject: str,
                       categories: Iterable[str], until: dt.datetime, registry: Registry,
                       tz: str = DEFAULT_ZONE) -> list[DocumentFinding]:
    """One subject's findings from its own document events."""
    files = collect(events, registry, pack, tz)
    return document_findings({subject: files.get(subject) or SubjectFile(subject)}, registry,
                             pack, {subject: list(categories)}, until, tz)
