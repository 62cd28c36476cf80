"""The subjects list's summary of each subject, kept in the store beside the checkpoints.

A console listing 10,000 subjects needs each one's standing (scores, band, fees, active
sanctions, open appeals, failing and expiring documents); folding them all after a restart
takes tens of seconds. So each subject's summary is stored with what it holds for:

- the fold it was read from had folded every event of the pack up to ``seq``;
- it is the state from ``since`` until ``until``, the first instant at which time alone may
  change it (a sanction or hold ending, an appeal deadline, a clock tick, a document entering
  its notice period or expiring, a parameter's effective date).

Summaries are written in the checkpoint rounds of ingestion (each changed component's subjects,
as of the component's last event), and again whenever a list had to fold a subject. A list reads
them all in one query; the events stored after the oldest one it uses (one read of the pack's
tail) name the components they reach, whose summaries are folded again, as are those read at an
instant outside ``since``..``until``. So a summary never disagrees with the fold, whoever wrote
the events, and a crash between storing events and summaries costs only a fold.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from ..documents import DocumentStatus, documents_as_of
from ..engine import Ledger, SubjectState
from ..engine.component import Component
from ..events import Event, LinkObserved
from ..portfolio import BAD_DOCUMENTS
from .base import Summary

OPEN_APPEAL = ("open", "awaiting_material")


def summary_of(state: SubjectState, docs: Iterable[DocumentStatus]) -> dict[str, Any]:
    """What the subjects list shows, sorts and filters on, from the fold (JSON-able)."""
    docs = list(docs)
    return {
        "scores": {k: float(v) for k, v in state.scores.items()}, "band": state.band,
        "fees": str(state.fees),
        # Several causes may impose the same sanction; the list names each once.
        "sanctions": list(dict.fromkeys(s.name for s in state.sanctions)),
        "holds": len(state.holds), "violations": len(state.violations),
        "open_appeals": sum(a.status in OPEN_APPEAL for a in state.appeals),
        "expiring": sum(d.state == "expiring" for d in docs),
        "bad_documents": sum(d.state in BAD_DOCUMENTS for d in docs),
    }


def documents_change(docs: Iterable[DocumentStatus], t: dt.datetime) -> dt.datetime | None:
    """The first instant after ``t`` at which a document's state may change with no event:
    a notice period starting, a validity ending, a deadline falling due."""
    found = [when for d in docs for part in (d, *d.parts)
             for when in (part.valid_until, part.notice_at, part.due)
             if when is not None and when > t]
    return min(found) if found else None


def summarise(ledger: Ledger, component: Component, subject: str, at: dt.datetime | None,
              seq: int) -> Summary | None:
    """The subject's summary at ``at`` (None: its component's last event), or None when the
    subject has no event yet. The caller holds the component's locks and has ``finish``-ed it."""
    if not component.events:
        return None
    when = at or component.epochs[-1].fold.horizon
    if when is None:
        return None
    pack = ledger.pack
    state = ledger.state(subject, when)
    own = [e for e in component.events if e.subject == subject and e.at <= when]
    categories = tuple(getattr(component.subjects.get(subject), "categories", ()) or ())
    docs = documents_as_of(own, pack.code, {subject: categories}, when,
                           tz=pack.timezone).get(subject, [])
    changes = [c for c in (ledger.next_change(subject, when), documents_change(docs, when))
               if c is not None]
    return Summary(component=min(component.subjects), seq=seq, since=when,
                   until=min(changes) if changes else None,
                   data=json.dumps(summary_of(state, docs), ensure_ascii=False,
                                   sort_keys=True))


def still_true(kept: Mapping[str, Summary], wanted: Collection[str], at: dt.datetime,
               tail: Callable[[int], Sequence[Event]]) -> dict[str, Summary]:
    """The summaries among ``kept`` of the ``wanted`` subjects that hold at ``at``: read at an
    instant within their span, with no event stored after them reaching their component.
    ``tail(seq)`` is the pack's events stored after ``seq``."""
    found = {sid: s for sid in wanted if (s := kept.get(sid)) is not None
             and s.since <= at and (s.until is None or at < s.until)}
    if not found:
        return {}
    touched: set[str] = set()
    for event in tail(min(s.seq for s in found.values())):
        if event.subject is None:
            return {}  # an event of no subject reaches every component
        touched.add(event.subject)
        if isinstance(event, LinkObserved):
            touched.add(event.other)
    reached = {kept[sid].component for sid in touched if sid in kept}
    return {sid: s for sid, s in found.items()
            if sid not in touched and s.component not in reached}


def read(summary: Summary) -> dict[str, Any]:
    return dict(json.loads(summary.data))
