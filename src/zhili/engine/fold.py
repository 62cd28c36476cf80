"""The fold over one component: subjects that may affect each other through association.

Events must arrive in time order. A granted appeal stops the fold: the ledger then folds the
component again without the voided violation, so everything that followed from it is
recomputed as if it had never happened.
"""

from __future__ import annotations

import copy
import datetime as dt
import heapq
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .. import events as ev
from ..errors import EventError, ZhiliError
from ..i18n import _
from ..rules import Pack
from ..rules.model import Consequences, Rule, covers
from ..timekit import local_date, natural_year
from . import appeals, association
from .book import SubjectBook
from .clock import Clock
from .effects import DAY, Effects, resolve_scope
from .records import ViolationRecord
from .slots import NO_KEYS, NOTHING, Slotted, copy_map
from .subjects import Subject

Timer = Callable[["ComponentFold", dt.datetime], None]


class OutOfOrder(ZhiliError):
    """An event earlier than what the fold has already passed."""


def refuse_earlier(horizon: dt.datetime | None, event: ev.Event) -> None:
    if horizon is not None and event.at < horizon:
        raise OutOfOrder(_("event %(id)s at %(value)s is earlier than the fold's horizon "
                           "%(value2)s")
                         % {"id": event.id, "value": event.at.isoformat(),
                            "value2": horizon.isoformat()})


class ComponentFold(Slotted):
    # Mechanisms keep their own state on the fold as attributes: hence a ``__dict__`` too,
    # made only for the folds that have some.
    __slots__ = ("pack", "subjects", "voided", "effects", "books", "horizon",
                 "violation_owner", "appeal_owner", "group_violations", "exemptions", "grant",
                 "timers", "_timer_seq", "links", "__dict__")

    def __init__(self, pack: Pack, subjects: dict[str, Subject],
                 voided: frozenset[str] = frozenset(), effects: Effects | None = None):
        self.pack = pack
        self.subjects = subjects
        self.voided = voided
        # Effects and the clock hold no state of their own: one pair serves every component.
        self.effects = effects or Effects(pack)
        self.books: dict[str, SubjectBook] = {}
        self.horizon: dt.datetime | None = None
        # What few components ever have (appeals, group violations, exemptions, timers,
        # links) starts as one shared empty value each, made the fold's own on first write.
        self.violation_owner: dict[str, tuple[str, dt.datetime]] = NO_KEYS  # type: ignore
        self.appeal_owner: dict[str, str] = NO_KEYS  # type: ignore[assignment]
        self.group_violations: list[tuple[dt.datetime, str]] = NOTHING  # type: ignore
        self.exemptions: list[ev.ExemptionDeclared] = NOTHING  # type: ignore[assignment]
        self.grant: tuple[dt.datetime, str, str] | None = None
        self.timers: list[tuple[dt.datetime, int, str, Timer]] = NOTHING  # type: ignore
        self._timer_seq = 0
        self.links: list[association.Link] = (association.attribute_links(pack, subjects)
                                               or NOTHING)  # type: ignore[assignment]

    @property
    def clock(self) -> Clock:
        return self.effects.clock

    def own(self, name: str) -> Any:
        """The fold's own list or map ``name``, made on its first write."""
        found = getattr(self, name)
        if found is NOTHING or found is NO_KEYS:
            found = [] if found is NOTHING else {}
            setattr(self, name, found)
        return found

    # -- books and time --------------------------------------------------------------------------
    def book(self, sid: str) -> SubjectBook:
        found = self.books.get(sid)
        if found is None:
            subject = self.subjects.get(sid) or Subject(sid, kind=self.pack.subject_kind)
            self.subjects.setdefault(sid, subject)
            found = self.books[sid] = SubjectBook(subject, self.effects.starts)
        return found

    def touch(self, sid: str, t: dt.datetime) -> SubjectBook:
        """The subject's book with every timer and clock tick up to ``t`` run."""
        if self.timers:
            self.run_timers(t)
        book = self.books.get(sid) or self.book(sid)
        if book.next_tick is None or t >= book.next_tick:
            self.clock.advance(book, t)
        return book

    def run_timers(self, t: dt.datetime) -> None:
        while self.timers and self.timers[0][0] <= t:
            at, _, sid, fn = heapq.heappop(self.timers)
            self.clock.advance(self.book(sid), at)
            fn(self, at)

    def schedule(self, at: dt.datetime, sid: str, fn: Timer) -> None:
        self._timer_seq += 1
        heapq.heappush(self.own("timers"), (at, self._timer_seq, sid, fn))

    def quiet_until(self, t: dt.datetime, sid: str) -> bool:
        """True when advancing to ``t`` would change nothing: the subject has a book, and no
        timer and no clock tick (recovery, reset) of any book falls at or before ``t``. A state
        query past the horizon then reads the books as they are instead of a copy."""
        if sid not in self.books or (self.timers and self.timers[0][0] <= t):
            return False
        return all(b.next_tick is not None and t < b.next_tick for b in self.books.values())

    def advance(self, t: dt.datetime) -> None:
        self.run_timers(t)
        for book in self.books.values():
            self.clock.advance(book, t)
        if self.horizon is None or t > self.horizon:
            self.horizon = t

    # -- events ----------------------------------------------------------------------------------
    def apply(self, event: ev.Event) -> bool:
        """Fold one event; False when it was a grant that needs the component folded again."""
        at = event.at
        if self.horizon is not None and at < self.horizon:
            refuse_earlier(self.horizon, event)  # raises; the test is inline: it runs per event
        self.horizon = at
        handler = HANDLERS.get(event.type)
        if handler is not None:
            handler(self, event)
        elif event.subject is not None:
            self.touch(event.subject, event.at)
        extra = _MECHANISMS.get(event.type, _FOR_EVERY_TYPE) if _loaded else mechanisms(
            event.type)
        for mechanism in extra:
            if self.grant is None:
                mechanism(self, event)
        return self.grant is None

    def on_violation(self, e: ev.Violation) -> None:
        if e.score is not None and e.score not in self.pack.scores:
            raise EventError(_("violation %(id)s: pack %(code)s has no score %(score)r; scores: "
                               "%(value)s")
                             % {"id": e.id, "code": self.pack.code, "score": e.score,
                                "value": ", ".join(self.pack.scores)},
                             path="score")
        self.violate(ViolationRecord(e.id, e.at, e.subject or "", e.code, e.item, e.amount,
                                     e.flags, e.evidence, score=e.score))

    def violate(self, rec: ViolationRecord) -> None:
        if rec.id in self.violation_owner:
            return  # a violation raised twice (same deterministic id) counts once
        self.own("violation_owner")[rec.id] = (rec.subject, rec.at)
        if rec.id in self.voided:
            return
        rule = self.pack.rule(rec.code)
        book = self.touch(rec.subject, rec.at)
        cons, n, key = self._with_repeats(book, rule, rec)
        if rec.score is not None:  # the event names the score its deductions apply to
            cons = replace(cons, deduct=tuple((rec.score, p) for _, p in cons.deduct))
        if n != 1:
            rec = rec._replace(occurrence=n)
        book.add("violations", rec)
        book.keyed("occurrences").setdefault(key, []).append(rec.at)
        book.cycle_clean = False
        self.effects.decide(book, rec.at, "violation", rule.code, rec.id,
                            {"code": rule.code, "occurrence": n, "item": rec.item,
                             "flags": list(rec.flags), "evidence": dict(rec.evidence)},
                            f"{rule.code}: {rule.meaning}" + (f" (occurrence {n})" if n > 1
                                                              else ""),
                            rule.provenance.to_dict(), {"flags": list(rec.flags)})
        self.consequences(book, cons, rec.at, rule.code, rec.id, rec, rule.meaning)
        if self.pack.association is not None:  # every violation of a member counts (视频号橱窗达人违规管理规则 2025)
            association.group_violation(self, book, rec)

    def consequences(self, book: SubjectBook, cons: Consequences, at: dt.datetime, rule: str,
                     cause: str, rec: ViolationRecord | None, why: str) -> set[str]:
        deducted = {s for s, p in cons.deduct if float(p.at(at)) > 0}
        self.effects.apply(book, cons, at, rule, cause, rec, why)
        if self.pack.recovery and self.pack.recovery.score in deducted:
            self.clock.restart_cycle(book, at)
        return deducted

    def _with_repeats(self, book: SubjectBook, rule: Rule, rec: ViolationRecord
                      ) -> tuple[Consequences, int, tuple[str, str | None]]:
        spec = rule.repeats
        if spec is None:
            return self._consequences(rule, rec.flags, -1), 1, (rule.code, None)
        scope = resolve_scope(rule.scope or "$item", rec) if spec.per_scope else None
        key = (spec.counter, scope)
        prior = book.occurrences.get(key, [])
        if spec.window == "natural_year":
            year = natural_year(rec.at, self.pack.timezone)
            prior = [t for t in prior if natural_year(t, self.pack.timezone) == year]
        elif spec.window == "rolling":
            assert spec.rolling_days is not None
            since = rec.at - DAY * float(spec.rolling_days.at(rec.at))
            prior = [t for t in prior if t > since]
        n = len(prior) + 1
        chosen = -1
        for i, tier in enumerate(spec.tiers):
            if covers(tier.first, tier.last, n, rec.at):
                chosen = i
        return self._consequences(rule, rec.flags, chosen), n, key

    def _consequences(self, rule: Rule, flags: tuple[str, ...], tier: int) -> Consequences:
        key = (rule.code, flags, tier)
        found = self.effects.merged.get(key)
        if found is None:
            found = rule.consequences_for(flags)
            if tier >= 0 and rule.repeats is not None:
                t = rule.repeats.tiers[tier]
                found = found.merged(t.consequences, replace=t.replace)
            self.effects.merged[key] = found
        return found

    # -- funds, activity, rectification ------------------------------------------------------------
    def on_deposit(self, e: ev.DepositPaid) -> None:
        self.effects.deposit_paid(self.touch(e.subject or "", e.at), e.amount, e.at, e.id)

    def on_live(self, e: ev.LiveSession) -> None:
        book = self.touch(e.subject or "", e.at)
        if book.cycle_start is not None and e.at >= book.cycle_start:
            book.cycle_minutes += e.minutes
            book.cycle_transactions += e.transactions

    def on_rectified(self, e: ev.RectificationCompleted) -> None:
        book = self.touch(e.subject or "", e.at)

        def matches(record: Any) -> bool:
            return record.until == "rectification_completed" and (
                e.violation is None or record.cause == e.violation)

        self.effects.release(book, matches, e.at, "rectification_completed", e.id,
                             "rectification completed")
        self.effects.lift(book, matches, e.at, "rectification_completed", e.id,
                          "rectification completed")

    def on_exemption(self, e: ev.ExemptionDeclared) -> None:
        self.own("exemptions").append(e)

    def on_determination(self, e: ev.Event) -> None:
        self.touch(e.subject or "", e.at)
        for d in self.pack.determinations:
            if d.event_type != e.type or any(str(getattr(e, k, None)) != v
                                             for k, v in d.when.items()):
                continue
            item = getattr(e, "item", None)
            evidence = {k: v for k, v in ev.event_to_dict(e).items()
                        if k not in ("id", "type", "at", "subject")}
            evidence["event"] = e.id
            rec = ViolationRecord(e.id, e.at, e.subject or "", d.rule, item,
                                  getattr(e, "amount", None),
                                  flags=tuple(getattr(e, "flags", ())), evidence=evidence)
            if d.id_from == "derived":
                scope = resolve_scope(d.scope, rec) or "store"
                day = local_date(e.at, self.pack.timezone).isoformat()
                rec = rec._replace(id=f"{d.rule}:{e.subject}:{scope}:{day}")
            self.violate(rec)

    def on_content(self, e: ev.ContentPublished) -> None:
        from ..detect.content import violations_for

        self.touch(e.subject or "", e.at)
        for violation in violations_for(e, self.pack):
            self.on_violation(violation)


HANDLERS: dict[str, Callable[[ComponentFold, Any], None]] = {
    "violation": ComponentFold.on_violation,
    "live_session": ComponentFold.on_live,
    "deposit_paid": ComponentFold.on_deposit,
    "link_observed": association.link_observed,
    "rectification_completed": ComponentFold.on_rectified,
    "exemption_declared": ComponentFold.on_exemption,
    "appeal_filed": appeals.appeal_filed,
    "material_requested": appeals.material_requested,
    "material_submitted": appeals.material_submitted,
    "appeal_decided": appeals.appeal_decided,
    "content_published": ComponentFold.on_content,
    "spot_check_result": ComponentFold.on_determination,
    "fraud_determined": ComponentFold.on_determination,
    "drop_shipping_determined": ComponentFold.on_determination,
    "document_reviewed": ComponentFold.on_determination,
    "inspection_result": ComponentFold.on_determination,
}


Mechanism = Callable[[ComponentFold, ev.Event], None]
_MECHANISMS: dict[str, list[Mechanism]] = {}  # event type -> mechanisms that handle it
_FOR_EVERY_TYPE: list[Mechanism] = []
# Modules that register mechanisms when imported; each is optional until its capability exists.
MECHANISM_MODULES = ("zhili.documents.mechanism", "zhili.workflows.mechanism")
_loaded = False


def register_mechanism(fn: Mechanism, types: tuple[str, ...] | None = None) -> None:
    """Add a mechanism that sees events after the engine's own handling (documents,
    inspections): those of ``types``, or every event. It may call ``fold.violate``,
    ``fold.effects`` and ``fold.schedule``."""
    if types is None:
        if fn not in _FOR_EVERY_TYPE:
            _FOR_EVERY_TYPE.append(fn)
            for handlers in _MECHANISMS.values():
                handlers.append(fn)
        return
    for kind in types:
        if kind not in ev.EVENT_TYPES:
            raise ValueError(f"unknown event type {kind!r}")
        handlers = _MECHANISMS.setdefault(kind, list(_FOR_EVERY_TYPE))
        if fn not in handlers:
            handlers.append(fn)


def mechanisms(kind: str) -> list[Mechanism]:
    global _loaded
    if not _loaded:
        _loaded = True
        import importlib

        for name in MECHANISM_MODULES:
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as err:
                if err.name is None or not name.startswith(err.name):
                    raise
    return _MECHANISMS.get(kind, _FOR_EVERY_TYPE)


def clone_fold(fold: ComponentFold) -> ComponentFold:
    """A copy of the fold that can advance past its horizon without changing the original.
    (Field by field, as ``SubjectBook.clone``: marks clone a fold every few events.)"""
    other = _new_fold(ComponentFold)
    other.pack, other.voided, other.effects = fold.pack, fold.voided, fold.effects
    other.horizon, other.grant, other._timer_seq = fold.horizon, fold.grant, fold._timer_seq
    other.books = {k: b.clone() for k, b in fold.books.items()}
    other.subjects = dict(fold.subjects)
    # a shared empty value stays shared: it is never written
    other.violation_owner = copy_map(fold.violation_owner)
    other.appeal_owner = copy_map(fold.appeal_owner)
    other.group_violations, other.exemptions = fold.group_violations[:], fold.exemptions[:]
    other.timers, other.links = fold.timers[:], fold.links[:]
    # State that mechanisms keep on the fold is theirs to shape: copy it deeply, so that a
    # query advancing the copy past the horizon cannot change the original.
    mechanisms = getattr(fold, "__dict__", None)
    if mechanisms:
        for name, value in mechanisms.items():
            setattr(other, name, copy.deepcopy(value))
    return other


_new_fold = object.__new__
