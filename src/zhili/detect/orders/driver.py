"""The daily assessment loop of 速卖通自发货履约规则 2022-07-19 over the per-day aggregate.

At the end of each local day every scope that is not frozen is assessed on the orders placed in
its window, never reaching back before the end of its last freeze. What is frozen is not decided
here: violations go into a ``SanctionBook`` (the engine's fold) and the loop reads back which
sanctions are active, so escalation, appeals and ``fraud_determined`` work as the pack says.

Scopes of stores no scenario event touches can only be frozen by the violations found here, so
they are assessed event by event: the vectorised first pass gives each one's first hit, and
after a freeze its series is recomputed from the freeze's end. Stores touched by events
(appeals, fraud determinations) are assessed every day, reading the book each time.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ...events import Event, Violation, in_time_order
from .expressions import DayClock
from .families import FamilyCounts


class SanctionBook(Protocol):
    """What the loop needs from the engine: apply events in time order; read active sanctions
    of a store at an instant, by name (``kind:scope``), with their end (None: permanent)."""

    def apply(self, events: Sequence[Event]) -> None: ...

    def active(self, store: str, at: dt.datetime) -> Mapping[str, dt.datetime | None]: ...


@dataclass
class ScopeState:
    fc: FamilyCounts
    index: int
    floor: int = 0                     # first placed day the window may reach back to
    floored: bool = False              # the floor was set by a freeze's end
    frozen_seen: bool = False
    hits: dict[str, np.ndarray] = field(default_factory=dict)  # per trigger, for this floor

    @property
    def store(self) -> str:
        return self.fc.keys[self.index][0]

    @property
    def scope(self) -> str:
        return self.fc.keys[self.index][1]

    @property
    def sanction(self) -> str:
        return self.fc.family.sanction_name(self.scope)

    def _ensure(self) -> dict[str, np.ndarray]:
        if not self.hits:
            for trig in self.fc.family.triggers:
                self.hits[trig.code] = trig.hit_days(self.fc.only(trig.code, self.index),
                                                     self.floor)[0]
        return self.hits

    def hits_at(self, day: int) -> list[str]:
        return [code for code, h in self._ensure().items() if h[day]]

    def next_hit(self, after: int) -> int | None:
        days = [int(np.argmax(h[after:])) + after for h in self._ensure().values()
                if h[after:].any()]
        return min(days) if days else None

    def set_floor(self, floor: int) -> None:
        self.floor = floor
        self.floored = True
        self.hits = {}

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.fc.family.name, self.store, self.scope)


Describe = Callable[[ScopeState, str, int], Violation]


Restored = Mapping[tuple[str, str, str], tuple[int | None, bool]]


def run_assessments(families: Sequence[FamilyCounts], book: SanctionBook, *, clock: DayClock,
                    day0: int, n_days: int, events: Sequence[Event],
                    describe: Describe, progress: Callable[[int], None] | None = None,
                    start: int = 0, restored: Restored | None = None, resumed: bool = False,
                    loop: dict[tuple[str, str, str], ScopeState] | None = None
                    ) -> list[Violation]:
    """Assess days ``start``..``n_days - 1``. A run that is ``resumed`` has the events and
    violations before that day in ``book`` already and each scope's loop state
    (floor, whether it was seen frozen) in ``restored``; ``loop`` receives every scope's state
    at the end, for the next run to resume from."""
    touched = {e.subject for e in events if e.subject}
    restored = restored or {}
    resumed_at = clock.start_of(day0 + start)
    daily: list[ScopeState] = []
    queue: list[tuple[int, int, str, str, int]] = []   # (day, family, store, scope, index)
    states: dict[tuple[int, int], ScopeState] = {}
    for f_i, fc in enumerate(families):
        first = _first_hits(fc, start)
        for index, (store, scope) in enumerate(fc.keys):
            before = restored.get((fc.family.name, store, scope))
            if store not in touched and before is None:
                if first[index] >= 0:
                    heapq.heappush(queue, (int(first[index]), f_i, store, scope, index))
                continue
            state = states[(f_i, index)] = ScopeState(fc, index)
            if before is not None:
                if before[0] is not None:
                    state.set_floor(before[0])
                state.frozen_seen = before[1]
            if store in touched:
                daily.append(state)
            elif book.active(store, resumed_at).get(state.sanction, resumed_at) is not None:
                nxt = state.next_hit(max(state.floor, start))   # else frozen for ever
                if nxt is not None:
                    heapq.heappush(queue, (nxt, f_i, store, scope, index))
    pending = [e for e in in_time_order(events) if not resumed or e.at > resumed_at]
    found: list[Violation] = []
    for day in range(start, n_days):
        at = clock.start_of(day0 + day + 1)      # the end of the local day
        earlier = [e for e in pending if e.at < at]
        pending = pending[len(earlier):]
        if earlier:
            book.apply(earlier)
        now = [e for e in pending if e.at == at]
        pending = pending[len(now):]
        hits: list[Violation] = []
        for state in daily:
            if state.sanction in book.active(state.store, at):
                state.frozen_seen = True
                continue
            if state.frozen_seen:   # the freeze ended since the last assessment
                state.frozen_seen = False
                state.set_floor(day + 1)
            hits += [describe(state, code, day) for code in state.hits_at(day)]
        scheduled: list[ScopeState] = []
        while queue and queue[0][0] == day:
            _, f_i, _store, _scope, index = heapq.heappop(queue)
            state = states.setdefault((f_i, index), ScopeState(families[f_i], index))
            codes = state.hits_at(day)
            if codes:
                hits += [describe(state, code, day) for code in codes]
                scheduled.append(state)
        if hits or now:
            book.apply(in_time_order([*now, *hits]))
        found += hits
        for state in scheduled:
            end = book.active(state.store, at).get(state.sanction, at)
            if end is None:
                continue            # permanent: never assessed again
            floor = clock.day_of(end - dt.timedelta(microseconds=1)) + 1 - day0
            state.set_floor(max(floor, day + 1))
            nxt = state.next_hit(state.floor) if state.floor < n_days else None
            if nxt is not None:
                f_i = next(i for i, fc in enumerate(families) if fc is state.fc)
                heapq.heappush(queue, (nxt, f_i, state.store, state.scope, state.index))
        if progress:
            progress(day)
    if loop is not None:
        loop.update({state.key: state for state in states.values()})
    return found


def _first_hits(fc: FamilyCounts, start: int = 0) -> np.ndarray:
    """The first assessment day from ``start`` on that each scope hits any trigger, unfrozen
    from the start; -1: never."""
    first = np.full(len(fc.keys), -1, np.int64)
    for trig in fc.family.triggers:
        hits = trig.hit_days(fc.counts[trig.code])
        hits[:, :start] = False
        any_hit = hits.any(axis=1)
        day = np.where(any_hit, np.argmax(hits, axis=1), -1)
        both = (first >= 0) & (day >= 0)
        first = np.where(both, np.minimum(first, day), np.maximum(first, day))
    return first
