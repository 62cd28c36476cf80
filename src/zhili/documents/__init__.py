"""Documents as facts that expire: which documents each pack requires (the registry), what
each subject has on file as of an instant, and what missing, expiring, expired,
non-compliant, falsified and overdue documents cause. Pure functions of the events.

    statuses = documents_as_of(events, "tmall_global", {"s1": ["cosmetics"]}, as_of)
    findings = findings_until(events, "tmall_global", {"s1": ["cosmetics"]}, as_of)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from ..events import Event
from ..timekit import DEFAULT_ZONE
from .filed import SubjectFile, collect, months_before
from .registry import Registry, Requirement, load_registry
from .status import DocumentStatus, subject_documents
from .timeline import DocumentFinding, document_findings

__all__ = ["DocumentFinding", "DocumentStatus", "Registry", "Requirement", "SubjectFile",
           "collect", "document_findings", "documents_as_of", "findings_until",
           "load_registry", "months_before", "subject_documents"]


def documents_as_of(events: Iterable[Event], pack: str, subjects: Mapping[str, Iterable[str]],
                    as_of: dt.datetime, batches: Mapping[str, Iterable[str]] | None = None,
                    tz: str = DEFAULT_ZONE,
                    registry: Registry | None = None) -> dict[str, list[DocumentStatus]]:
    """Per subject (``subjects`` maps each to its categories), every required document's
    status at ``as_of``."""
    registry = registry or load_registry()
    files = collect(events, registry, pack, tz)
    return {
        subject: subject_documents(files.get(subject) or SubjectFile(subject), registry, pack,
                                   list(cats), as_of, (batches or {}).get(subject, ()), tz)
        for subject, cats in sorted(subjects.items())
    }


def findings_until(events: Iterable[Event], pack: str, subjects: Mapping[str, Iterable[str]],
                   until: dt.datetime, tz: str = DEFAULT_ZONE,
                   registry: Registry | None = None) -> list[DocumentFinding]:
    """The notices and violations the documents cause up to ``until``, in time order."""
    registry = registry or load_registry()
    files = collect(events, registry, pack, tz)
    return document_findings(files, registry, pack, subjects, until, tz)
