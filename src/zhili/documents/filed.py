"""What each subject has filed: documents, their reviews and the deadlines set for them.

``collect`` reads every document event once; the questions (what was on file, accepted and
valid at an instant) take the instant, so one collection answers for any ``as_of`` and never
sees a review or deadline that came later.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from ..errors import InputError
from ..events import DocumentDeadline, DocumentReviewed, DocumentSubmitted, Event, in_time_order
from ..i18n import _
from ..timekit import DEFAULT_ZONE, zone
from .registry import Registry


@dataclass(frozen=True)
class Filed:
    """One submitted document and, once reviewed, its review."""

    doc_id: str
    subject: str
    doc_type: str
    submitted_at: dt.datetime
    valid_until: dt.datetime  # after any cap of the registry (max_age_days)
    batch: str | None = None
    item: str | None = None
    result: str | None = None  # accepted | noncompliant | falsified
    reviewed_at: dt.datetime | None = None
    review_id: str | None = None

    def result_at(self, t: dt.datetime) -> str | None:
        """The review result known at ``t`` (None: not reviewed by then)."""
        return self.result if self.reviewed_at is not None and self.reviewed_at <= t else None

    def on_file_at(self, t: dt.datetime) -> bool:
        return self.submitted_at <= t

    def valid_at(self, t: dt.datetime) -> bool:
        """Accepted by ``t`` and not yet expired at ``t``."""
        return self.on_file_at(t) and self.result_at(t) == "accepted" and t < self.valid_until

    def pending_at(self, t: dt.datetime) -> bool:
        return self.on_file_at(t) and self.result_at(t) is None and t < self.valid_until


@dataclass(frozen=True)
class Deadline:
    doc_type: str
    due: dt.datetime
    set_at: dt.datetime
    event_id: str


@dataclass
class SubjectFile:
    subject: str
    docs: list[Filed] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)

    def of_type(self, doc_type: str | tuple[str, ...], batch: str | None = None,
                t: dt.datetime | None = None) -> list[Filed]:
        """Documents of the type (or of any of the types: a document's variants)."""
        types = (doc_type,) if isinstance(doc_type, str) else doc_type
        return [d for d in self.docs if d.doc_type in types
                and (batch is None or d.batch == batch) and (t is None or d.on_file_at(t))]

    def batches(self, doc_type: str | tuple[str, ...], t: dt.datetime) -> list[str]:
        return sorted({d.batch for d in self.of_type(doc_type, t=t) if d.batch})

    def deadlines_for(self, doc_type: str, t: dt.datetime) -> list[Deadline]:
        return sorted((d for d in self.deadlines if d.doc_type == doc_type and d.set_at <= t),
                      key=lambda d: d.due)


def months_before(t: dt.datetime, months: int, tz: str = DEFAULT_ZONE) -> dt.datetime:
    """The same local wall-clock time ``months`` calendar months earlier (day clamped to the
    month's end: 3 months before 31 May is 28/29 February)."""
    local = t.astimezone(zone(tz))
    index = local.year * 12 + local.month - 1 - months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day)


def collect(events: Iterable[Event], registry: Registry, pack: str,
            tz: str = DEFAULT_ZONE) -> dict[str, SubjectFile]:
    """Every subject's documents and deadlines, from the events (any order, duplicates ok).

    A review must name a document submitted before it, by ``doc_id`` (or the submission's
    event id when it gave none); anything else is an error naming the event.
    """
    files: dict[str, SubjectFile] = {}
    index: dict[str, tuple[str, int]] = {}  # doc_id -> (subject, position)
    for event in in_time_order(events):
        if event.subject is None:
            continue
        sf = files.setdefault(event.subject, SubjectFile(event.subject))
        if isinstance(event, DocumentSubmitted):
            doc_id = event.doc_id or event.id
            if doc_id in index:
                raise InputError(_("document %(doc_id)r was already submitted; a new version "
                                   "needs its own doc_id")
                                 % {"doc_id": doc_id}, path=f"events.{event.id}.doc_id")
            assert event.valid_until is not None  # required by the event parser
            valid_until = event.valid_until
            spec = registry.spec(pack, event.doc_type)
            if spec is not None and spec.max_age_days is not None:
                valid_until = min(valid_until,
                                  event.at + dt.timedelta(days=spec.max_age_days))
            index[doc_id] = (event.subject, len(sf.docs))
            sf.docs.append(Filed(doc_id, event.subject, event.doc_type, event.at, valid_until,
                                 event.batch, event.item))
        elif isinstance(event, DocumentReviewed):
            if event.doc_id not in index or index[event.doc_id][0] != event.subject:
                raise InputError(_("no document %(doc_id)r submitted by %(subject)s before this "
                                   "review")
                                 % {"doc_id": event.doc_id, "subject": event.subject},
                                 path=f"events.{event.id}.doc_id")
            subject, pos = index[event.doc_id]
            doc = files[subject].docs[pos]
            if doc.reviewed_at is not None:
                raise InputError(_("document %(doc_id)r was already reviewed (event "
                                   "%(review_id)s)")
                                 % {"doc_id": event.doc_id, "review_id": doc.review_id},
                                 path=f"events.{event.id}")
            files[subject].docs[pos] = replace(doc, result=event.result, reviewed_at=event.at,
                                               review_id=event.id)
        elif isinstance(event, DocumentDeadline):
            assert event.due is not None
            sf.deadlines.append(Deadline(event.doc_type, event.due, event.at, event.id))
    return files
