"""A component: the subjects association may link, folded together, epoch by epoch.

A granted appeal starts a new epoch: the component is folded again without the voided
violation, and what the grant undid is recorded as decisions at the instant of the grant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from .. import events as ev
from ..rules import Pack
from .effects import Effects
from .fold import ComponentFold, clone_fold
from .records import Decision
from .slots import Slotted
from .subjects import Subject


class Epoch(Slotted):
    __slots__ = ("start", "fold", "transitions")

    def __init__(self, start: dt.datetime | None, fold: ComponentFold,
                 transitions: list[Decision] | tuple[()] = ()):
        self.start = start
        self.fold = fold
        self.transitions = transitions


NONE_VOIDED: frozenset[str] = frozenset()

# Marks kept per component at most: a late event earlier than the oldest folds it all again.
MARKS = 4


class Component(Slotted):
    # The pack and the effects are the current fold's, and the epochs are made on reading
    # until a grant starts a second: a component exists for every subject.
    __slots__ = ("subjects", "events", "voided", "current", "_epochs", "mark_every", "marks")

    def __init__(self, pack: Pack, subjects: dict[str, Subject], effects: Effects,
                 mark_every: int = 0):
        self.subjects = subjects
        self.events: list[ev.Event] = []
        self.voided: frozenset[str] = NONE_VOIDED
        self.current = ComponentFold(pack, subjects, effects=effects)
        self._epochs: tuple[Epoch, ...] = ()
        # Checkpoints inside the component, for late events: every ``mark_every`` events
        # (0: none), a copy of the fold as it stood after that many events, the newest
        # ``MARKS`` of them. Kept only while no grant has started a second epoch (later
        # epochs fold the whole history again without a violation). Never written to a
        # checkpoint: a restored component makes new ones as it folds.
        self.mark_every = mark_every
        self.marks: Sequence[tuple[int, ComponentFold]] = ()

    @property
    def pack(self) -> Pack:
        return self.current.pack

    @property
    def effects(self) -> Effects:
        return self.current.effects

    @property
    def epochs(self) -> tuple[Epoch, ...]:
        """The epochs in order: the first from the start, one more from each grant."""
        return self._epochs or (Epoch(None, self.current),)

    @epochs.setter
    def epochs(self, epochs: Iterable[Epoch]) -> None:
        found = tuple(epochs)
        self._epochs = found if len(found) > 1 else ()

    def __getstate__(self) -> dict[str, object]:
        return {**super().__getstate__(), "marks": ()}

    def __setstate__(self, state: dict[str, object]) -> None:
        # Checkpoints written before marks existed have neither attribute.
        super().__setstate__({"mark_every": 0, **state, "marks": ()})

    def apply(self, event: ev.Event) -> None:
        self.apply_many((event,))

    def apply_many(self, events: Iterable[ev.Event], *, mark: bool = True) -> None:
        """``apply`` for each event in turn (the fold it calls changes after a grant); a
        component folded again for a late event (``mark=False``) leaves its later marks to
        the events that come after, so that the late event does not pay for them."""
        append = self.events.append
        fold_apply = self.current.apply
        every = self.mark_every if mark and not self._epochs else 0
        for event in events:
            append(event)
            if not fold_apply(event):
                self._next_epochs()
                fold_apply = self.current.apply
                every = 0
            elif every and len(self.events) % every == 0:
                self._mark()

    def _mark(self) -> None:
        self.marks = [*self.marks, (len(self.events), clone_fold(self.current))][-MARKS:]

    def resumed_before(self, key: tuple[dt.datetime, int, str]) -> Component | None:
        """The component as it stood after its last mark whose events all sort before
        ``key`` (an event's sort key), to fold the rest again from there; None when no mark
        is that early (or a grant has voided what the marks hold). The mark is taken, not
        copied: this component keeps only the marks before it, so it stays whole."""
        if self._epochs:
            return None
        at = next((i for i in range(len(self.marks) - 1, -1, -1)
                   if self.events[self.marks[i][0] - 1].sort_key() < key), None)
        if at is None:
            return None
        n, fold = self.marks[at]
        other = Component.__new__(Component)
        other.voided = NONE_VOIDED
        other.current = fold
        other.subjects = fold.subjects  # shared with its fold, as in __init__
        for sid, subject in self.subjects.items():
            other.subjects.setdefault(sid, subject)
        other.events = self.events[:n]
        other._epochs = ()
        other.mark_every = self.mark_every
        other.marks = self.marks[:at]
        self.marks = self.marks[:at]
        return other

    def _next_epochs(self) -> None:
        self.marks = ()
        while (grant := self.epochs[-1].fold.grant) is not None:
            old = self.epochs[-1].fold
            at, violation, _ = grant
            old.grant = None
            old.advance(at)
            self.voided = self.voided | {violation}
            new = ComponentFold(self.pack, dict(self.subjects), self.voided, self.effects)
            for event in self.events:
                if not new.apply(event):
                    break
            if new.grant is None:
                new.advance(at)
            self.epochs = (*self.epochs, Epoch(at, new, transitions(old, new, at, violation)))
            self.current = new

    def epoch_at(self, t: dt.datetime) -> Epoch:
        chosen = self.epochs[0]
        for epoch in self.epochs[1:]:
            if epoch.start is not None and epoch.start <= t:
                chosen = epoch
        return chosen

    def finish(self) -> None:
        fold = self.epochs[-1].fold
        if fold.horizon is not None:
            fold.advance(fold.horizon)


def transitions(old: ComponentFold, new: ComponentFold, at: dt.datetime,
                violation: str) -> list[Decision]:
    """What a granted appeal undoes, as decisions at the instant of the grant."""
    out: list[Decision] = []
    for sid, before in old.books.items():
        after = new.book(sid)
        eff = new.effects
        refund = before.fees_at(at) - after.fees_at(at)
        cause = f"void:{violation}"
        why = f"appeal granted: {violation} is void"
        if refund:
            out.append(eff.decide(after, at, "refund", "appeals", cause, {"amount": refund},
                                  f"{why}; {refund} CNY of fees refunded", {}))
        kept = {(s.name, s.cause, s.start) for s in after.sanctions_at(at)}
        for s in before.sanctions_at(at):
            if (s.name, s.cause, s.start) not in kept:
                out.append(eff.decide(after, at, "lift", "appeals", cause, {"sanction": s.name},
                                      f"{why}; {s.name} lifted", {}))
        held = {(h.account, h.cause, h.start) for h in after.holds_at(at)}
        for h in before.holds_at(at):
            if (h.account, h.cause, h.start) not in held:
                out.append(eff.decide(after, at, "release", "appeals", cause,
                                      {"account": h.account}, f"{why}; hold on {h.account} "
                                      "released", {}))
        for name in before.scores:
            b, a = before.score_at(name, at), after.score_at(name, at)
            if a != b:
                out.append(eff.decide(after, at, "restore", "appeals", cause,
                                      {"score": name, "before": b, "after": a},
                                      f"{why}; {name} {b:g} → {a:g}", {}))
    # transitions are kept apart from the new epoch's own history
    if new.effects.keep_decisions:
        for d in out:
            new.books[d.subject].decisions.remove(d)
    return out
