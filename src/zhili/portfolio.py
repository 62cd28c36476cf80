"""An agency's view (代运营): subjects on several platforms at once, in one risk table.

A portfolio file holds *books*, one per pack: ``{pack, params?, subjects, events, batches?}``
(the keys of a scenario case, without ``expect``). Each book is replayed through its pack; each
subject gets one row: its standing, active sanctions, what is closest to its next threshold,
its documents, and an urgency level. Rows are sorted most urgent first. Formats:
``docs/tables-governance.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .documents import DocumentStatus, documents_as_of, load_registry
from .engine import Subject, SubjectState, replay
from .errors import InputError
from .events import Event
from .histories import check_keys, parse_history, read_yaml, warn_no_subjects
from .i18n import N_, _, ngettext
from .platforms import pack_of
from .rules import Pack
from .timekit import fmt

BOOK_KEYS = ("pack", "params", "subjects", "events", "batches")
# Sanctions that stop the business as a whole, not one item or feature.
STOPPING = frozenset({"account_ban", "showcase_ban", "store_closure", "store_freeze",
                      "terminate_cooperation", "clearance", "account_suspension"})
BAD_DOCUMENTS = frozenset({"overdue", "expired", "falsified", "noncompliant", "missing",
                           "incomplete"})
LEVELS = ("ok", "watch", "elevated", "high", "critical")
LEVEL_NAMES = (N_("ok"), N_("watch"), N_("elevated"), N_("high"), N_("critical"))
DOCUMENT_STATES = {"valid": N_("valid"), "expiring": N_("expiring"),
                   "pending_review": N_("under review"), "missing": N_("missing"),
                   "incomplete": N_("incomplete"), "expired": N_("expired"),
                   "noncompliant": N_("non-compliant"), "falsified": N_("falsified"),
                   "overdue": N_("overdue")}


@dataclass
class Book:
    pack: Pack
    subjects: dict[str, Subject]
    events: list[Event]
    batches: dict[str, list[str]] = field(default_factory=dict)


def load_books(path: Path) -> list[Book]:
    """A YAML file holding one book (a mapping) or several (a list, or ``{books: [...]}``), or
    a table of events and subjects in CSV or Excel (``zhili.agency_table``)."""
    file = str(path)
    from .agency_table import SUFFIXES, books_from_table

    if path.suffix.lower() in SUFFIXES:
        return [_book(raw, file, f"[{raw['pack']}]") for raw in books_from_table(path)]
    doc = read_yaml(path)
    if isinstance(doc, Mapping) and "books" in doc:
        doc = doc["books"]
    raws = [doc] if isinstance(doc, Mapping) else doc
    if not isinstance(raws, list) or not raws:
        raise InputError(_("expected a book {pack, subjects, events} or a list of them"),
                         file=file)
    return [_book(raw, file, f"books[{i}]") for i, raw in enumerate(raws)]


def _book(raw: Any, file: str, where: str) -> Book:
    if not isinstance(raw, Mapping):
        raise InputError(_("expected a mapping {pack, subjects, events}"), file=file,
                         path=where)
    check_keys(raw, BOOK_KEYS, ("pack",), file, where)
    # A book may name its platform as people do (天猫国际) rather than by the pack's code.
    named = pack_of(str(raw["pack"]))
    pack, subjects, events = parse_history(raw if named is None else {**raw, "pack": named},
                                           file, where)
    warn_no_subjects(subjects, events, file,
                     _("describe them under %(place)s") % {"place": f"{where}.subjects"})
    batches = raw.get("batches") or {}
    if not isinstance(batches, Mapping) or not all(isinstance(v, list) for v in batches.values()):
        raise InputError(_("expected a mapping of subject id to a list of batch ids"), file=file,
                         path=f"{where}.batches")
    return Book(pack, subjects, events, {str(k): [str(b) for b in v] for k, v in batches.items()})


def book_documents(book: Book, as_of: dt.datetime) -> dict[str, list[DocumentStatus]]:
    """Every subject's required documents as of ``as_of`` (subjects of the file or events)."""
    ids = set(book.subjects) | {e.subject for e in book.events if e.subject}
    cats = {s: (book.subjects[s].categories if s in book.subjects else ()) for s in ids}
    return documents_as_of(book.events, book.pack.code, cats, as_of, book.batches,
                           book.pack.timezone)


@dataclass(frozen=True)
class Threshold:
    """The nearest threshold a score can still cross, and how far away it is; ``leads_to``
    names what crossing it brings, in the language current when it was found."""

    score: str
    value: float
    limit: float
    gap: float  # points still to lose (or gain, for up scores) before it is crossed
    leads_to: str
    score_name: str = ""

    def describe(self) -> str:
        return _("%(score)s %(value)s: %(gap)s from %(what)s") % {
            "score": self.score_name or self.score, "value": f"{self.value:g}",
            "gap": f"{self.gap:g}", "what": self.leads_to}


def nearest_threshold(state: SubjectState, pack: Pack) -> Threshold | None:
    """Across the pack's bands and ladders, the threshold the subject is closest to."""
    found: list[Threshold] = []
    t = state.as_of
    if pack.bands is not None:
        x = state.scores[pack.bands.score]
        named = str(pack.name("scores", pack.bands.score))
        for level in pack.bands.levels:
            upto = float(level.upto.at(t))
            if upto < x:  # entered when the score falls to upto or below
                kinds = _names(pack, level.sanctions) or str(pack.name("bands", level.name))
                found.append(Threshold(pack.bands.score, x, upto, x - upto, kinds, named))
                break
    for ladder in pack.ladders:
        x = state.scores[ladder.score]
        named = str(pack.name("scores", ladder.score))
        for step in ladder.steps:
            kinds = _names(pack, step.sanctions) or str(pack.name("steps", step.name))
            if step.below is not None and float(step.below.at(t)) <= x:
                limit = float(step.below.at(t))
                found.append(Threshold(ladder.score, x, limit, x - limit, kinds, named))
            elif step.at_least is not None and x < float(step.at_least.at(t)):
                limit = float(step.at_least.at(t))
                found.append(Threshold(ladder.score, x, limit, limit - x, kinds, named))
    return min(found, key=lambda th: (th.gap, th.score), default=None)


def listed(names: Iterable[str]) -> str:
    """Names one after another, as the current language lists them (、 in Chinese)."""
    return _("list separator, between names|, ").split("|")[-1].join(names)


def _names(pack: Pack, sanctions: Sequence[Any]) -> str:
    return listed(str(pack.name("sanctions", s.kind)) for s in sanctions)


@dataclass(frozen=True)
class RiskRow:
    pack: str
    subject: str
    standing: str
    sanctions: tuple[str, ...]
    threshold: Threshold | None
    documents: tuple[str, ...]
    next_date: dt.datetime | None  # the soonest date something happens (notice, expiry, due)
    level: int
    reasons: tuple[str, ...]

    def sort_key(self) -> tuple[Any, ...]:
        gap = self.threshold.gap if self.threshold else float("inf")
        soon = self.next_date.timestamp() if self.next_date else float("inf")
        return (-self.level, gap, soon, self.pack, self.subject)

    def to_dict(self, tz: str) -> dict[str, Any]:
        return {"pack": self.pack, "subject": self.subject, "urgency": LEVELS[self.level],
                "standing": self.standing, "sanctions": list(self.sanctions),
                "nearest_threshold": self.threshold.describe() if self.threshold else None,
                "documents": list(self.documents),
                "next_date": fmt(self.next_date, tz) if self.next_date else None,
                "reasons": list(self.reasons)}


def _standing(state: SubjectState, pack: Pack) -> str:
    scores = ", ".join(f"{pack.name('scores', k)} {v:g}" for k, v in state.scores.items())
    band = f" ({pack.name('bands', state.band)})" if state.band else ""
    return (scores + band) if scores else _("no score")


def _state(status: DocumentStatus) -> str:
    return _(DOCUMENT_STATES[status.state]) if status.state in DOCUMENT_STATES else status.state


def risk_row(state: SubjectState, pack: Pack, docs: Sequence[DocumentStatus],
             tz: str) -> RiskRow:
    """A subject's row; its words (standing, thresholds, documents, reasons) are in the current
    language with the pack's names, its sanctions and level are codes."""
    registry = load_registry()

    def doc(status: DocumentStatus) -> str:
        return str(registry.name("doc_types", status.doc_type))

    reasons: list[str] = []
    level = 0
    names = tuple(sorted(s.name for s in state.sanctions))
    stopping = sorted({s.kind for s in state.sanctions} & STOPPING)
    if stopping:
        level = 4
        reasons.append(_("business stopped: %(what)s") % {
            "what": listed(str(pack.name("sanctions", k)) for k in stopping)})
    elif names or state.held:
        level = 3
        reasons.append(ngettext("%(n)d active sanction", "%(n)d active sanctions", len(names))
                       % {"n": len(names)} + (_(", funds held") if state.held else ""))
    bad = [d for d in docs if d.state in BAD_DOCUMENTS and d.code]
    if bad:
        level = max(level, 3)
        reasons.append(_("documents: %(list)s") % {
            "list": ", ".join(f"{doc(d)} {_state(d)}" for d in bad)})
    threshold = nearest_threshold(state, pack)
    if threshold is not None and threshold.gap <= smallest_deduction(pack, threshold.score):
        level = max(level, 2)
        reasons.append(_("one violation from %(what)s") % {"what": threshold.leads_to})
    expiring = [d for d in docs if d.state == "expiring"]
    if expiring:
        level = max(level, 2)
        reasons.append(_("documents expiring: %(list)s") % {
            "list": ", ".join(doc(d) for d in expiring)})
    upcoming = [x for d in docs for x in (d.notice_at, d.valid_until, d.due)
                if x is not None and x > state.as_of]
    if level == 0 and upcoming:
        level = 1
    doc_text = tuple(
        f"{doc(d)}{'/' + d.batch if d.batch else ''} {_state(d)}"
        + (" " + _("until %(at)s") % {"at": fmt(d.valid_until, tz)}
           if d.valid_until and d.ok else "")
        + (" " + _("due %(at)s") % {"at": fmt(d.due, tz)} if d.due else "")
        + (f" → {pack.name('rules', d.code)}" if d.code and not d.ok else "")
        for d in docs)
    return RiskRow(pack.code, state.subject, _standing(state, pack), names, threshold, doc_text,
                   min(upcoming, default=None), level, tuple(reasons))


def smallest_deduction(pack: Pack, score: str) -> float:
    """The smallest positive deduction of ``score`` by any rule: one violation's worth."""
    amounts = [float(p.value) for rule in pack.rules.values()
               for s, p in rule.consequences.deduct if s == score and float(p.value) > 0]
    return min(amounts, default=0.0)


def portfolio(books: Sequence[Book], as_of: dt.datetime) -> list[RiskRow]:
    """One row per subject across every book, most urgent first."""
    rows = []
    for book in books:
        ledger = replay(book.events, book.pack, dict(book.subjects))
        docs = book_documents(book, as_of)
        # The ledger knows every subject of the book and of its events.
        for subject in ledger.subjects:
            state = ledger.state(subject, as_of)
            rows.append(risk_row(state, book.pack, docs.get(subject, []), book.pack.timezone))
    return sorted(rows, key=RiskRow.sort_key)
