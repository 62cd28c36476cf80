"""A component: the subjects association may link, folded together, epoch by epoch.

A granted appeal starts a new epoch: the component is folded again without the voided
violation, and what the grant undid is recorded as decisions at the instant of the grant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import events as ev
from ..rules import Pack
from .effects import Effects
from .fold import ComponentFold
from .records import Decision
from .subjects import Subject


@dataclass
class Epoch:
    start: dt.datetime | None
    fold: ComponentFold
    transitions: list[Decision] = field(default_factory=list)


class Component:
    def __init__(self, pack: Pack, subjects: dict[str, Subject], effects: Effects):
        self.pack = pack
        self.subjects = subjects
        self.effects = effects
        self.events: list[ev.Event] = []
        self.voided: frozenset[str] = frozenset()
        self.current = ComponentFold(pack, subjects, effects=effects)
        self.epochs = [Epoch(None, self.current)]

    def apply(self, event: ev.Event) -> None:
        self.apply_many((event,))

    def apply_many(self, events: Iterable[ev.Event]) -> None:
        """``apply`` for each event in turn (the fold it calls changes after a grant)."""
        append = self.events.append
        fold_apply = self.current.apply
        for event in events:
            append(event)
            if not fold_apply(event):
                self._next_epochs()
                fold_apply = self.current.apply

    def _next_epochs(self) -> None:
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
            self.epochs.append(Epoch(at, new, transitions(old, new, at, violation)))
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
    for d in out:
        new.books[d.subject].decisions.remove(d)
    return out
