"""Replaying events into a ledger, and reading state from it as of any instant.

Subjects fold in components (subjects that association may link); a granted appeal starts a new
epoch of its component, folded again without the voided violation, so state before the grant
shows what was decided then and state after it shows history recomputed without the violation.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import pickle
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import Any

from .. import events as ev
from ..errors import InputError
from ..i18n import _
from ..rules import Pack, load_pack
from . import checkpoint
from .book import SubjectBook
from .component import Component
from .effects import Effects
from .fold import OutOfOrder, clone_fold, refuse_earlier
from .records import (
    AppealState,
    Decision,
    Hold,
    Notice,
    Sanction,
    ViolationRecord,
    _jsonable,
)
from .subjects import Subject

Progress = Callable[[int, int], None]  # (events folded, events in the batch)


@dataclass
class SubjectState:
    subject: str
    as_of: dt.datetime
    pack: str
    version: str
    scores: dict[str, float]
    band: str | None
    fees: Decimal
    held: dict[str, Any]
    holds: list[Hold]
    sanctions: list[Sanction]
    violations: list[ViolationRecord]
    notices: list[Notice]
    appeals: list[AppealState]
    deposit: Decimal = Decimal(0)
    outstanding: Decimal = Decimal(0)
    required_deposit: Decimal | None = None
    timezone: str = "Asia/Shanghai"

    def to_dict(self) -> dict[str, Any]:
        return _jsonable({
            "subject": self.subject, "as_of": self.as_of, "pack": self.pack,
            "version": self.version, "scores": self.scores, "band": self.band,
            "fees": self.fees, "held": self.held, "deposit": self.deposit,
            "outstanding_fees": self.outstanding, "required_deposit": self.required_deposit,
            "sanctions": [s.to_dict(self.timezone) for s in self.sanctions],
            "holds": [h.to_dict() for h in self.holds],
            "violations": [v.to_dict() for v in self.violations],
            "notices": [n.to_dict() for n in self.notices],
            "appeals": [a.to_dict() for a in self.appeals],
        })


class Ledger:
    """The folded history of every subject: state and decisions as of any instant."""

    def __init__(self, pack: Pack, components: dict[str, Component]):
        self.pack = pack
        self._components = components
        self._keeping: Effects | None = None  # for components folded without their decisions
        # the last component folded again for its decisions, with its history's length then:
        # a caller reading every member of a component folds it once
        self._again: tuple[Component, int, Component] | None = None

    @property
    def subjects(self) -> list[str]:
        return sorted(self._components)

    @property
    def components(self) -> Mapping[str, Component]:
        """The components the ledger reads, by subject (the fold's own map, not a copy)."""
        return self._components

    def history_size(self, subject: str) -> int:
        """How many events the subject's component has folded. A fold's histories only grow,
        so the same count means that nothing new has reached the subject."""
        return len(self._component(subject).events)

    def _component(self, subject: str) -> Component:
        try:
            return self._components[subject]
        except KeyError:
            raise InputError(_("no subject %(subject)r in this history")
                             % {"subject": subject}) from None

    def book_at(self, subject: str, t: dt.datetime,
                component: Component | None = None) -> SubjectBook:
        epoch = (component or self._component(subject)).epoch_at(t)
        fold = epoch.fold
        if (fold.horizon is None or t > fold.horizon) and not fold.quiet_until(t, subject):
            fold = clone_fold(fold)
            fold.advance(t)
        return fold.book(subject)

    def state(self, subject: str, as_of: dt.datetime) -> SubjectState:
        if as_of.tzinfo is None:
            raise InputError(_("as_of needs a time zone (an aware datetime)"))
        book = self.book_at(subject, as_of)
        deposit, outstanding, required = book.money_at(as_of)
        bands = self.pack.bands
        band = None
        if bands:
            depth = bands.band_of(book.score_at(bands.score, as_of), as_of)
            band = bands.levels[depth - 1].name if depth else None
        return SubjectState(
            subject=subject, as_of=as_of, pack=self.pack.code, version=self.pack.version,
            scores={n: book.score_at(n, as_of) for n in self.pack.scores}, band=band,
            fees=book.fees_at(as_of), held=book.held_at(as_of), holds=book.holds_at(as_of),
            sanctions=book.sanctions_at(as_of), violations=book.violations_at(as_of),
            notices=book.notices_at(as_of), appeals=book.appeals_at(as_of),
            deposit=deposit, outstanding=outstanding,
            required_deposit=required, timezone=self.pack.timezone,
        )

    def next_change(self, subject: str, t: dt.datetime) -> dt.datetime | None:
        """The first instant after ``t`` at which ``state(subject, ...)`` may differ from its
        state at ``t`` with no new event (None: never by time alone). Conservative: any timer,
        clock tick (reset, recovery) or event of the component, sanction or hold end, appeal
        deadline of the subject, or effective date of a pack parameter counts."""
        component = self._component(subject)
        fold = component.epoch_at(t).fold
        if (fold.horizon is None or t > fold.horizon) and not fold.quiet_until(t, subject):
            fold = clone_fold(fold)
            fold.advance(t)
        book = fold.books.get(subject)
        if book is None or any(b.next_tick is None for b in fold.books.values()):
            return t + dt.timedelta(microseconds=1)  # a clock not yet run: anything may change
        found: list[dt.datetime | None] = [fold.timers[0][0] if fold.timers else None]
        found += [b.next_tick for b in fold.books.values()]
        found += [e.at for e in component.events]
        found += [epoch.start for epoch in component.epochs]
        found += [s.end for s in book.sanctions] + [h.end for h in book.holds]
        found += [when for a in book.appeals.values() for when in (a.due, a.material_due)]
        found += [when for p in self.pack.params.values() for when in p.starts]
        later = [when for when in found if when is not None and when > t]
        return min(later) if later else None

    def decisions(self, subject: str, as_of: dt.datetime | None = None) -> list[Decision]:
        """The audit trail: what was decided when, including what grants undid."""
        component = self._component(subject)
        if not component.effects.keep_decisions:
            component = self._with_decisions(component)
        out: list[Decision] = []
        epochs = component.epochs
        for i, epoch in enumerate(epochs):
            end = epochs[i + 1].start if i + 1 < len(epochs) else None
            if epoch.start is not None:
                out.extend(d for d in epoch.transitions if d.subject == subject)
            book = epoch.fold.books.get(subject)
            if book is None:
                continue
            out.extend(d for d in book.decisions
                       if (epoch.start is None or d.at >= epoch.start)
                       and (end is None or d.at < end))
        if as_of is not None and (epochs[-1].fold.horizon is None
                                  or as_of > epochs[-1].fold.horizon):
            extra = self.book_at(subject, as_of, component).decisions
            known = {d.id for d in out}
            out.extend(d for d in extra if d.id not in known and
                       (epochs[-1].start is None or d.at >= epochs[-1].start))
        out = [d for d in out if as_of is None or d.at <= as_of]
        return sorted(out, key=lambda d: d.at)

    def _with_decisions(self, component: Component) -> Component:
        """The component folded again from its own history, this time keeping its decisions
        (the fold is deterministic: the same events make the same state and decisions)."""
        last = self._again  # one read: another thread may replace it meanwhile
        if last is not None and last[0] is component and last[1] == len(component.events):
            return last[2]  # a component only grows: the same length is the same history
        if self._keeping is None:
            self._keeping = Effects(self.pack, keep_decisions=True)
        again = Component(self.pack, dict(component.subjects), self._keeping)
        again.apply_many(component.events)
        again.finish()
        self._again = (component, len(component.events), again)
        return again


class Fold:
    """The incremental fold: apply events in time order, read a ledger, snapshot and restore."""

    def __init__(self, pack: Pack, subjects: Mapping[str, Subject] | None = None, *,
                 mark_every: int = 0, decisions: bool = True):
        """``mark_every``: keep a copy of each component's fold every that many events, so
        that a late event folds again only from the last copy before it (see ``Component``);
        0 (a replay, which sees no late event) keeps none. ``decisions``: keep every decision
        in memory; without, the ledger folds a component again when its decisions are read
        (``Effects``), and keeps state and timelines only."""
        self.pack = pack
        self.mark_every = mark_every
        self.subjects: dict[str, Subject] = dict(subjects or {})
        self.components: dict[str, Component] = {}
        self.effects = Effects(pack, keep_decisions=decisions)
        self.horizon: dt.datetime | None = None
        self.refolded = 0  # events folded again: by late events, and by links merging components
        self._groups = self._initial_groups(self.subjects)
        for sid in sorted(self.subjects):  # declared subjects have a state before any event
            self._component_for(sid)

    def _initial_groups(self, subjects: Mapping[str, Subject]) -> dict[str, set[str]]:
        """The groups of more than one subject the subjects' attributes make (licence, and the
        pack's extended keys). A subject alone is in no group: most are, and a set each for
        them would cost more than their books."""
        groups: dict[str, set[str]] = {}
        assoc = self.pack.association
        if assoc is None:
            return groups
        ordered = sorted(subjects.values(), key=lambda s: s.id)
        by_attr: dict[tuple[str, str], list[str]] = {}
        for s in ordered:
            for k in s.link_keys(assoc.extended_via):
                by_attr.setdefault(k, []).append(s.id)
        for ids in by_attr.values():
            for other in ids[1:]:
                self._union(groups, ids[0], other)
        return groups

    @staticmethod
    def _union(groups: dict[str, set[str]], a: str, b: str) -> None:
        ga, gb = groups.setdefault(a, {a}), groups.setdefault(b, {b})
        if ga is gb:
            return
        ga |= gb
        for sid in gb:
            groups[sid] = ga

    def _component_for(self, sid: str) -> Component:
        found = self.components.get(sid)
        if found is not None:
            return found
        if sid not in self.subjects:
            self.subjects[sid] = Subject(sid, kind=self.pack.subject_kind)
        members = self._groups.get(sid) or (sid,)
        for m in members:
            if m not in self.subjects:
                self.subjects[m] = Subject(m, kind=self.pack.subject_kind)
        comp = Component(self.pack, {m: self.subjects[m] for m in sorted(members)},
                         self.effects, self.mark_every)
        for m in members:
            self.components[m] = comp
        return comp

    def apply(self, event: ev.Event) -> None:
        refuse_earlier(self.horizon, event)
        self.horizon = event.at
        if event.subject is None:
            for comp in self._distinct_components():
                comp.apply(event)
            return
        if isinstance(event, ev.LinkObserved) and self.pack.association is not None:
            self._join(event.subject, event.other)
        self._component_for(event.subject).apply(event)

    def _merge(self, a: Component, b: Component) -> Component:
        """Two components linked by a new observation fold again as one."""
        subjects = {**a.subjects, **b.subjects}
        merged = Component(self.pack, dict(sorted(subjects.items())), self.effects,
                           self.mark_every)
        merged.apply_many(ev.in_time_order(a.events + b.events))
        self.refolded += len(merged.events)
        members = set(subjects)
        for sid in subjects:
            self.components[sid] = merged
            self._groups[sid] = members
        return merged

    def apply_all(self, events: Iterable[ev.Event], progress: Progress | None = None, *,
                  late: bool = False) -> int:
        """Fold a batch of events given in any order, none earlier than the horizon: the same
        result as ``apply`` on each of them in time order (duplicates by id count once, the
        first given wins). Returns how many events were folded.

        With ``late``, events may reach before the horizon: a component that receives an event
        earlier than its own last one folds again from its own history (association means no
        other component can have changed), so a late event costs its component, not the fold.
        The count returned then includes the history folded again.

        Components only meet through events, so each one folds its own events in one run
        instead of taking turns event by event: its books stay in the processor's cache, which
        halves the cost of a large history. Links between components in the batch join them
        before anything is folded, exactly as ``apply`` would refold them when the link
        arrives. If an event is refused, the fold is left part-applied: discard it.
        ``progress(done, total)`` hears how many of the batch's events are folded, a few
        hundred times at most.
        """
        # A fold allocates millions of small records that never form cycles; the cyclic
        # collector's passes over them cost a quarter of the time, so it waits until the end.
        refolded = self.refolded
        with _collector_paused():
            unique: dict[str, ev.Event] = {}
            for event in events:
                unique.setdefault(event.id, event)
            everyone: list[ev.Event] = []           # events of no subject reach every component
            by_subject: dict[str, list[ev.Event]] = {}
            for event in unique.values():
                sid = event.subject
                if sid is None:
                    everyone.append(event)
                elif (found := by_subject.get(sid)) is None:
                    by_subject[sid] = [event]
                else:
                    found.append(event)
            for sid in by_subject:
                self._component_for(sid)
            if self.pack.association is not None:
                for event in unique.values():
                    if isinstance(event, ev.LinkObserved):
                        self._join(event.subject or "", event.other)
            horizon = self.horizon
            if everyone:
                everyone.sort(key=_SORT_KEY)
                if not late:
                    refuse_earlier(self.horizon, everyone[0])
                horizon = max(everyone[-1].at, horizon or everyone[-1].at)
            # Only the components the batch reaches: a small batch on a large fold stays small.
            reached = self._distinct_components(None if everyone else by_subject)
            total = len(unique) - len(everyone) + len(everyone) * len(reached)
            done, step = 0, max(total // 200, 1)
            next_report = step
            for comp in reached:
                batch = list(everyone)
                for sid in comp.subjects:
                    batch += by_subject.get(sid, ())
                if not batch:
                    continue
                batch.sort(key=_SORT_KEY)
                if horizon is None or batch[-1].at > horizon:
                    horizon = batch[-1].at
                if not late:
                    refuse_earlier(self.horizon, batch[0])
                if late and comp.events and _SORT_KEY(batch[0]) < _SORT_KEY(comp.events[-1]):
                    self._refold(comp, batch)
                else:
                    comp.apply_many(batch)
                done += len(batch)
                if progress is not None and done >= next_report:
                    progress(done, total)
                    next_report = done + step
            self.horizon = horizon
            if progress is not None:
                progress(total, total)
            return done + self.refolded - refolded

    def _refold(self, comp: Component, batch: list[ev.Event]) -> Component:
        """The component folded again with ``batch`` in time order: from the last mark before
        the batch's first event, or else from its own start."""
        fresh = comp.resumed_before(_SORT_KEY(batch[0]))
        if fresh is None:
            fresh = Component(self.pack, dict(comp.subjects), self.effects, self.mark_every)
        kept = len(fresh.events)
        # An event of the batch the component already has sorts where it is, after the mark.
        rest = comp.events[kept:]
        known = {e.id for e in rest}
        fresh.apply_many(sorted([*rest, *(e for e in batch if e.id not in known)],
                                key=_SORT_KEY), mark=False)
        self.refolded += len(comp.events) - kept
        for sid in fresh.subjects:
            self.components[sid] = fresh
        return fresh

    def _join(self, a: str, b: str) -> None:
        first, second = self._component_for(a), self._component_for(b)
        if first is not second:
            self._merge(first, second)

    def _distinct_components(self, of: Iterable[str] | None = None) -> list[Component]:
        """Each component (of the subjects ``of``, or all) once, in the order of its first
        subject (a fixed order, so that the same batch always meets the same first refused
        event)."""
        seen: dict[int, Component] = {}
        for sid in sorted(self.components if of is None else of):
            comp = self.components[sid]
            seen.setdefault(id(comp), comp)
        return list(seen.values())

    def ledger(self) -> Ledger:
        for comp in self._distinct_components():
            comp.finish()
        return Ledger(self.pack, self.components)

    def snapshot(self) -> bytes:
        """The fold as bytes: a small header (pack, version, overrides), then the state."""
        buffer = io.BytesIO()
        pickle.dump((self.pack.code, self.pack.version, dict(self.pack.overrides)), buffer,
                    protocol=pickle.HIGHEST_PROTOCOL)
        return buffer.getvalue() + checkpoint.dump(self.__dict__, pack=self.pack)

    @classmethod
    def restore(cls, data: bytes, pack: Pack | None = None) -> Fold:
        buffer = io.BytesIO(data)
        code, version, overrides = pickle.load(buffer)
        if pack is None:
            pack = load_pack(code, overrides)
        if (pack.code, pack.version) != (code, version):
            raise InputError(_("snapshot is of %(code)s %(version)s, not %(code2)s %(version2)s")
                             % {"code": code, "version": version, "code2": pack.code,
                                "version2": pack.version})
        fold = cls.__new__(cls)
        fold.__dict__.update(checkpoint.load(buffer, pack=pack))
        return fold

    def rebuild(self, subjects: Iterable[str], without: Collection[str] = (), *,
                attributes: Mapping[str, Subject] | None = None) -> bool:
        """Fold the components of ``subjects`` again from their own histories, leaving out the
        events ``without`` (a batch the rules refused, which left them part-applied): they are
        as they were before it, links the batch made undone. Attribute groups never cross a
        component, so those of its members are all it needs. With ``attributes`` (subjects'
        new attributes), ``subjects`` must hold ``reached_by`` them: the groups are made again
        from the new attributes. False (nothing done) when their history holds an event of no
        subject, which every component shares."""
        subjects = set(subjects)
        comps = {id(c): c for c in map(self.components.get, subjects) if c is not None}
        history = [e for c in comps.values() for e in c.events if e.id not in without]
        if any(e.subject is None for e in history):
            return False  # an event of every component: only a fold of all of them is right
        self.subjects.update(attributes or {})
        members = {m: self.subjects[m] for c in comps.values() for m in c.subjects}
        members.update((sid, self.subjects[sid]) for sid in attributes or ())
        for sid in members:
            self.components.pop(sid, None)  # a subject new to the fold has none yet
            self._groups.pop(sid, None)
        self._groups.update(self._initial_groups(members))
        for sid in sorted(members):
            self._component_for(sid)
        self.apply_all(history, late=True)
        return True

    def reached_by(self, attributes: Mapping[str, Subject]) -> set[str]:
        """The subjects whose components new ``attributes`` of some subjects can change: those
        subjects, and every subject sharing a licence or another linking attribute with them."""
        assoc = self.pack.association
        if assoc is None:
            return set(attributes)
        via = assoc.extended_via
        keys = {k for s in attributes.values() for k in s.link_keys(via)}
        return set(attributes) | {sid for sid, s in self.subjects.items()
                                  if keys.intersection(s.link_keys(via))}

    def adopt(self, component: Component) -> None:
        """Take a component restored from a checkpoint in place of what its subjects had."""
        members = set(component.subjects)
        component.mark_every = self.mark_every
        for sid, subject in component.subjects.items():
            self.subjects.setdefault(sid, subject)
            self.components[sid] = component
            if len(members) > 1:
                self._groups[sid] = members
            else:
                self._groups.pop(sid, None)

    def component_of(self, subject: str) -> Component | None:
        return self.components.get(subject)


@contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def replay(events: Iterable[ev.Event], pack: Pack,
           subjects: Mapping[str, Subject] | None = None,
           progress: Progress | None = None, *, decisions: bool = True) -> Ledger:
    """Fold the events (any order; duplicates by id count once) into a ledger;
    ``progress(done, total)`` as in ``Fold.apply_all``; ``decisions`` as in ``Fold``."""
    with _collector_paused():  # building 100,000s of components is allocation too
        fold = Fold(pack, subjects, decisions=decisions)
        fold.apply_all(events, progress)
        return fold.ledger()


_SORT_KEY = attrgetter("at", "rank", "id")  # Event.sort_key, without a call per event


__all__ = ["Fold", "Ledger", "OutOfOrder", "SubjectState", "replay"]
