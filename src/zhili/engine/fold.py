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
from functools import lru_cache
from typing import Any

from .. import events as ev
from ..errors import EventError, ZhiliError
from ..rules import Pack
from ..rules.model import Consequences, Rule, covers
from ..timekit import add_working_days, local_date, natural_year, parse_instant
from .book import AppealBook, SubjectBook
from .effects import DAY, Effects, prov_of, resolve_scope
from .records import ViolationRecord
from .subjects import Subject

Timer = Callable[["ComponentFold", dt.datetime], None]


@lru_cache(maxsize=256)
def _instant(value: str, tz: str) -> dt.datetime:
    return parse_instant(value, tz)


class OutOfOrder(ZhiliError):
    """An event earlier than what the fold has already passed."""


def refuse_earlier(horizon: dt.datetime | None, event: ev.Event) -> None:
    if horizon is not None and event.at < horizon:
        raise OutOfOrder(f"event {event.id} at {event.at.isoformat()} is earlier than the "
                         f"fold's horizon {horizon.isoformat()}")


class ComponentFold:
    def __init__(self, pack: Pack, subjects: dict[str, Subject],
                 voided: frozenset[str] = frozenset(), effects: Effects | None = None):
        self.pack = pack
        self.subjects = subjects
        self.voided = voided
        # Effects and the clock hold no state of their own: one pair serves every component.
        self.effects = effects or Effects(pack)
        self.clock = self.effects.clock
        self.books: dict[str, SubjectBook] = {}
        self.horizon: dt.datetime | None = None
        self.violation_owner: dict[str, tuple[str, dt.datetime]] = {}
        self.appeal_owner: dict[str, str] = {}
        self.group_violations: list[tuple[dt.datetime, str]] = []
        self.exemptions: list[ev.ExemptionDeclared] = []
        self.grant: tuple[dt.datetime, str, str] | None = None
        self.timers: list[tuple[dt.datetime, int, str, Timer]] = []
        self._timer_seq = 0
        self.links: list[tuple[dt.datetime | None, str, str]] = self._attribute_links()

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
        heapq.heappush(self.timers, (at, self._timer_seq, sid, fn))

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
            raise EventError(f"violation {e.id}: pack {self.pack.code} has no score "
                             f"{e.score!r}; scores: {', '.join(self.pack.scores)}", path="score")
        self.violate(ViolationRecord(e.id, e.at, e.subject or "", e.code, e.item, e.amount,
                                     e.flags, e.evidence, score=e.score))

    def violate(self, rec: ViolationRecord) -> None:
        if rec.id in self.violation_owner:
            return  # a violation raised twice (same deterministic id) counts once
        self.violation_owner[rec.id] = (rec.subject, rec.at)
        if rec.id in self.voided:
            return
        rule = self.pack.rule(rec.code)
        book = self.touch(rec.subject, rec.at)
        cons, n, key = self._with_repeats(book, rule, rec)
        if rec.score is not None:  # the event names the score its deductions apply to
            cons = replace(cons, deduct=tuple((rec.score, p) for _, p in cons.deduct))
        if n != 1:
            rec = rec._replace(occurrence=n)
        book.violations.append(rec)
        book.occurrences.setdefault(key, []).append(rec.at)
        book.cycle_clean = False
        self.effects.decide(book, rec.at, "violation", rule.code, rec.id,
                            {"code": rule.code, "occurrence": n, "item": rec.item,
                             "flags": list(rec.flags), "evidence": dict(rec.evidence)},
                            f"{rule.code}: {rule.meaning}" + (f" (occurrence {n})" if n > 1
                                                              else ""),
                            rule.provenance.to_dict(), {"flags": list(rec.flags)})
        deducted = self.consequences(book, cons, rec.at, rule.code, rec.id, rec, rule.meaning)
        assoc = self.pack.association
        if assoc and assoc.score in deducted:
            self._group_violation(book, rec)

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

    # -- association -------------------------------------------------------------------------------
    def _attribute_links(self) -> list[tuple[dt.datetime | None, str, str]]:
        assoc = self.pack.association
        if assoc is None:
            return []
        if len(self.subjects) < 2:
            return []
        extended = _instant(assoc.extended_from.value, self.pack.timezone)
        links: list[tuple[dt.datetime | None, str, str]] = []
        subjects = sorted(self.subjects.values(), key=lambda s: s.id)
        keys = {s.id: set(s.link_keys(assoc.extended_via)) for s in subjects}
        for i, a in enumerate(subjects):
            for b in subjects[i + 1:]:
                shared = keys[a.id] & keys[b.id]
                if shared:  # a licence links at any date; the other attributes from a date
                    licence = any(kind == "licence" for kind, _ in shared)
                    links.append((None if licence else extended, a.id, b.id))
        return links

    def on_link(self, e: ev.LinkObserved) -> None:
        assoc = self.pack.association
        self.touch(e.subject or "", e.at)
        self.book(e.other)
        if assoc is None:
            return
        effective = e.at
        if e.via in assoc.extended_via:
            effective = max(e.at, _instant(assoc.extended_from.value, self.pack.timezone))
        self.links.append((effective, e.subject or "", e.other))

    def group_of(self, sid: str, t: dt.datetime) -> set[str]:
        group, frontier = {sid}, [sid]
        while frontier:
            current = frontier.pop()
            for effective, a, b in self.links:
                if effective is not None and effective > t:
                    continue
                other = b if a == current else a if b == current else None
                if other is not None and other not in group:
                    group.add(other)
                    frontier.append(other)
        return group

    def _group_violation(self, book: SubjectBook, rec: ViolationRecord) -> None:
        assoc = self.pack.association
        assert assoc is not None
        members = self.group_of(rec.subject, rec.at)
        mains = sorted(m for m in members if self.book(m).subject.main)
        if len(members) < 2 or rec.subject in mains:
            return
        year = natural_year(rec.at, self.pack.timezone)
        n = 1 + sum(1 for t, v in self.group_violations
                    if v in members and natural_year(t, self.pack.timezone) == year)
        self.group_violations.append((rec.at, rec.subject))
        tier = next((t for t in assoc.tiers if covers(t.first, t.last, n, rec.at)), None)
        why = f"group violation {n} in {year} by {rec.subject} (group: {', '.join(sorted(members))})"
        self.effects.decide(book, rec.at, "association", "association", rec.id,
                            {"group": sorted(members), "main": mains, "occurrence": n}, why,
                            prov_of(assoc), {"members": sorted(members), "occurrence": n})
        if tier is None:
            return
        for sid in sorted(members):
            target = self.touch(sid, rec.at)
            parts = [tier.members]
            if sid in mains:
                parts.append(tier.main)
            elif sid != rec.subject:
                parts.append(tier.others)
            for cons in parts:
                self.consequences(target, cons, rec.at, "association", rec.id, rec, why)

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
        self.exemptions.append(e)

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

    # -- appeals -------------------------------------------------------------------------------------
    def on_appeal_filed(self, e: ev.AppealFiled) -> None:
        appeals = self.pack.appeals
        if appeals is None:
            raise EventError(f"pack {self.pack.code} has no appeal flow", path="type")
        owner = self.violation_owner.get(e.violation)
        if owner is None:
            raise EventError(f"appeal {e.id}: no violation or determination {e.violation!r} "
                             "was recorded before it", path="violation")
        book = self.touch(e.subject or owner[0], e.at)
        window = DAY * float(appeals.window_days.at(e.at))
        late = e.at > owner[1] + window
        days = int((appeals.complex_due_working_days if e.complex
                    else appeals.due_working_days).at(e.at))
        due, assumed = (None, False) if late else add_working_days(e.at, days,
                                                                   self.pack.timezone)
        status = "rejected_late" if late else "open"
        book.appeals[e.id] = AppealBook(e.id, e.violation, e.at, e.complex, due, assumed,
                                        [(e.at, status)])
        self.appeal_owner[e.id] = book.subject.id
        note = (" — the working-day calendar has no data for that year; Monday–Friday assumed"
                if assumed else "")
        text = (f"appeal against {e.violation} filed after the {window.days}-day window"
                if late else f"appeal against {e.violation} open; decision due in {days} working "
                f"days{note}")
        self.effects.decide(book, e.at, "appeal", "appeals", e.id,
                            {"appeal": e.id, "violation": e.violation, "status": status,
                             "due": due, "assumed_weekdays": assumed}, text,
                            prov_of(appeals), {"violation_at": owner[1], "complex": e.complex})

    def _appeal(self, e: Any) -> tuple[SubjectBook, AppealBook]:
        sid = self.appeal_owner.get(e.appeal)
        if sid is None:
            raise EventError(f"no appeal {e.appeal!r} was filed before this event", path="appeal")
        book = self.touch(sid, e.at)
        return book, book.appeals[e.appeal]

    def on_material_requested(self, e: ev.MaterialRequested) -> None:
        book, appeal = self._appeal(e)
        if appeal.status_at(e.at)[0] != "open":
            return
        hours = float(self.pack.appeals.material_hours.at(e.at))  # type: ignore[union-attr]
        appeal.material_due = e.at + dt.timedelta(hours=hours)
        appeal.history.append((e.at, "awaiting_material"))
        self.effects.decide(book, e.at, "appeal", "appeals", e.id,
                            {"appeal": appeal.id, "status": "awaiting_material",
                             "material_due": appeal.material_due},
                            f"more material requested; due within {hours:g} hours or the appeal "
                            "lapses", prov_of(self.pack.appeals))

    def on_material_submitted(self, e: ev.MaterialSubmitted) -> None:
        _, appeal = self._appeal(e)
        if appeal.status_at(e.at)[0] == "awaiting_material":
            appeal.history.append((e.at, "open"))

    def on_appeal_decided(self, e: ev.AppealDecided) -> None:
        book, appeal = self._appeal(e)
        status = appeal.status_at(e.at)[0]
        if status not in ("open", "awaiting_material"):
            self.effects.decide(book, e.at, "appeal", "appeals", e.id,
                                {"appeal": appeal.id, "ignored": e.outcome, "status": status},
                                f"decision {e.outcome} ignored: the appeal is {status}", {})
            return
        if e.outcome == "granted" and appeal.violation not in self.voided:
            self.grant = (e.at, appeal.violation, appeal.id)
            return
        appeal.history.append((e.at, e.outcome))
        self.effects.decide(book, e.at, "appeal", "appeals", e.id,
                            {"appeal": appeal.id, "status": e.outcome,
                             "on_time": appeal.due is None or e.at <= appeal.due},
                            f"appeal {e.outcome}" + ("; the violation is void and everything "
                                                     "that followed from it recomputed"
                                                     if e.outcome == "granted" else ""),
                            prov_of(self.pack.appeals))


HANDLERS: dict[str, Callable[[ComponentFold, Any], None]] = {
    "violation": ComponentFold.on_violation,
    "live_session": ComponentFold.on_live,
    "deposit_paid": ComponentFold.on_deposit,
    "link_observed": ComponentFold.on_link,
    "rectification_completed": ComponentFold.on_rectified,
    "exemption_declared": ComponentFold.on_exemption,
    "appeal_filed": ComponentFold.on_appeal_filed,
    "material_requested": ComponentFold.on_material_requested,
    "material_submitted": ComponentFold.on_material_submitted,
    "appeal_decided": ComponentFold.on_appeal_decided,
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
    """A copy of the fold that can advance past its horizon without changing the original."""
    other = ComponentFold.__new__(ComponentFold)
    other.__dict__.update(fold.__dict__)
    other.books = {k: b.clone() for k, b in fold.books.items()}
    other.subjects = dict(fold.subjects)
    other.violation_owner = dict(fold.violation_owner)
    other.appeal_owner = dict(fold.appeal_owner)
    other.group_violations = list(fold.group_violations)
    other.exemptions = list(fold.exemptions)
    other.timers = list(fold.timers)
    other.links = list(fold.links)
    # State that mechanisms keep on the fold is theirs to shape: copy it deeply, so that a
    # query advancing the copy past the horizon cannot change the original.
    for name, value in fold.__dict__.items():
        if name not in _FOLD_OWN:
            setattr(other, name, copy.deepcopy(value))
    return other


_FOLD_OWN = frozenset({
    "pack", "subjects", "voided", "effects", "clock", "books", "horizon", "violation_owner",
    "appeal_owner", "group_violations", "exemptions", "grant", "timers", "_timer_seq", "links",
})
