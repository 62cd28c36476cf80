"""The state of every required document of a subject as of an instant.

States, from best to worst: ``valid``; ``expiring`` (valid, inside the notice period before
expiry); ``pending_review`` (submitted, not yet reviewed); ``incomplete`` (some core
materials of a composite document missing); ``missing``; ``expired``; ``noncompliant``;
``falsified``; and ``overdue`` (a deadline passed with no accepted document on file, until one
is). A valid document makes earlier failures history: the state is what holds now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ..timekit import DEFAULT_ZONE, fmt
from .filed import Filed, SubjectFile, months_before
from .registry import Registry, Requirement

# Which failure of the registry's ``consequences`` a state stands for.
FAILURE_OF = {"missing": "missing", "incomplete": "noncompliant", "expired": "expired",
              "noncompliant": "noncompliant", "falsified": "falsified", "overdue": "overdue"}
GOOD = ("valid", "expiring", "pending_review")


@dataclass(frozen=True)
class DocumentStatus:
    subject: str
    doc_type: str
    state: str
    batch: str | None = None
    doc_id: str | None = None
    valid_until: dt.datetime | None = None
    notice_at: dt.datetime | None = None  # when document_expiring is due
    due: dt.datetime | None = None  # the deadline passed (overdue) or the next one
    missing_parts: tuple[str, ...] = ()
    code: str | None = None  # the pack's rule this state triggers (None: none)
    parts: tuple[DocumentStatus, ...] = field(default=(), compare=False)

    @property
    def ok(self) -> bool:
        return self.state in GOOD

    def to_dict(self, tz: str = DEFAULT_ZONE) -> dict[str, Any]:
        out: dict[str, Any] = {"doc_type": self.doc_type, "state": self.state}
        for name in ("batch", "doc_id", "code"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        for name in ("valid_until", "notice_at", "due"):
            if getattr(self, name) is not None:
                out[name] = fmt(getattr(self, name), tz)
        if self.missing_parts:
            out["missing_parts"] = list(self.missing_parts)
        if self.parts:
            out["parts"] = [p.to_dict(tz) for p in self.parts]
        return out


def _single(sf: SubjectFile, doc_type: str | tuple[str, ...], batch: str | None,
            t: dt.datetime, months: int, tz: str) -> tuple[str, Filed | None]:
    """The state of one document type, or of any of its variants (or one batch of it), from
    what is on file at ``t``."""
    docs = sf.of_type(doc_type, batch, t)
    valid = [d for d in docs if d.valid_at(t)]
    if valid:
        best = max(valid, key=lambda d: d.valid_until)
        expiring = t >= months_before(best.valid_until, months, tz)
        return ("expiring" if expiring else "valid"), best
    pending = [d for d in docs if d.pending_at(t)]
    if pending:
        return "pending_review", max(pending, key=lambda d: d.submitted_at)
    if not docs:
        return "missing", None
    latest = max(docs, key=lambda d: (d.submitted_at, d.doc_id))
    result = latest.result_at(t)
    if result in ("noncompliant", "falsified"):
        return result, latest
    return "expired", latest  # accepted, or never reviewed, and past its validity


def _composite(sf: SubjectFile, req: Requirement, t: dt.datetime, months: int,
               tz: str) -> tuple[str, Filed | None, tuple[DocumentStatus, ...]]:
    """A document made of core materials: on file whole, or when every material is."""
    whole, doc = _single(sf, req.forms, None, t, months, tz)
    if whole in GOOD or not req.parts:
        return whole, doc, ()
    parts = []
    for part in req.parts:
        state, pdoc = _single(sf, part, None, t, months, tz)
        parts.append(_status(sf.subject, part, state, pdoc, None, months, tz))
    states = {p.state for p in parts}
    for worst in ("falsified", "noncompliant"):
        if worst in states:
            return worst, None, tuple(parts)
    if all(p.ok for p in parts):
        state = "pending_review" if "pending_review" in states else (
            "expiring" if "expiring" in states else "valid")
        return state, None, tuple(parts)
    if states <= {"missing"} and whole == "missing":
        return "missing", None, tuple(parts)
    return "incomplete", None, tuple(parts)


def _status(subject: str, doc_type: str, state: str, doc: Filed | None, req: Requirement | None,
            months: int, tz: str, batch: str | None = None,
            parts: tuple[DocumentStatus, ...] = ()) -> DocumentStatus:
    valid_until = doc.valid_until if doc else None
    if parts and all(p.valid_until for p in parts):
        valid_until = min(p.valid_until for p in parts if p.valid_until)
    failure = FAILURE_OF.get(state)
    return DocumentStatus(
        subject=subject, doc_type=doc_type, state=state, batch=batch,
        doc_id=doc.doc_id if doc else None, valid_until=valid_until,
        notice_at=months_before(valid_until, months, tz) if valid_until else None,
        missing_parts=tuple(p.doc_type for p in parts if p.state in ("missing", "expired")),
        code=req.code_for(failure) if req and failure else None, parts=parts,
    )


def submitted_by(sf: SubjectFile, req: Requirement, due: dt.datetime, months: int,
                 tz: str) -> bool:
    """Whether the document was submitted by its deadline (not 逾期提交): at ``due`` one is
    accepted and valid, or on file awaiting review. A review after the deadline does not make
    it late: accepted it was on time, rejected it is non-compliant, not overdue."""
    return _composite(sf, req, due, months, tz)[0] in GOOD


def _with_deadline(status: DocumentStatus, sf: SubjectFile, req: Requirement,
                   t: dt.datetime, months: int, tz: str) -> DocumentStatus:
    deadlines = sf.deadlines_for(req.doc_type, t)
    if status.state in ("valid", "expiring"):
        upcoming = [d.due for d in deadlines if d.due > t]
        return replace(status, due=min(upcoming)) if upcoming else status
    passed = [d.due for d in deadlines
              if d.due <= t and not submitted_by(sf, req, d.due, months, tz)]
    if passed:
        return replace(status, state="overdue", due=max(passed),
                        code=req.code_for("overdue"))
    upcoming = [d.due for d in deadlines if d.due > t]
    return replace(status, due=min(upcoming)) if upcoming else status


def state_at(sf: SubjectFile, req: Requirement, t: dt.datetime, months: int,
             batch: str | None = None, tz: str = DEFAULT_ZONE) -> str:
    """The state of one requirement (one batch of it, for per-batch documents) at ``t``,
    before deadlines are considered."""
    if req.per == "batch":
        return _single(sf, req.forms, batch, t, months, tz)[0]
    return _composite(sf, req, t, months, tz)[0]


def subject_documents(sf: SubjectFile, registry: Registry, pack: str, categories: Iterable[str],
                      t: dt.datetime, batches: Iterable[str] = (),
                      tz: str = DEFAULT_ZONE) -> list[DocumentStatus]:
    """Every document ``pack`` requires of this subject, in registry order, as of ``t``.

    Per-batch documents are listed per batch: every batch named in ``batches`` or in a
    document on file by ``t``.
    """
    months = registry.notice_months
    out = []
    for req in registry.required_of(pack, categories):
        if req.per == "batch":
            for batch in sorted(set(batches) | set(sf.batches(req.forms, t))):
                state, doc = _single(sf, req.forms, batch, t, months, tz)
                out.append(_status(sf.subject, req.doc_type, state, doc, req, months, tz, batch))
            continue
        state, doc, parts = _composite(sf, req, t, months, tz)
        status = _status(sf.subject, req.doc_type, state, doc, req, months, tz, parts=parts)
        out.append(_with_deadline(status, sf, req, t, months, tz))
    return out
