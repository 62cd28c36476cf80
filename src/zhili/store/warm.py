"""One pack's fold kept in memory, component by component, in step with the store.

Association is the only way subjects affect one another, so the component, not the pack, is
the unit of everything here: components are restored from their own checkpoints when first
needed, fold late events by folding only themselves again, and are locked one shard of subjects
at a time, so a long fold of one component never holds up a query on another.

Bookkeeping, against the store's per-pack event seq:

- ``cursor``: every stored event with a seq up to it is folded into its component or pending;
- ``pending``: events stored (by another process, or before a cold start) not yet folded, by
  subject; a component takes its pending events when it is next read or written;
- ``recent``: ids this process folded whose seq the cursor has not passed yet, so that catching
  up with the store never folds them twice;
- ``generation``: the seq every stored checkpoint of the scope has folded at least up to (a
  checkpoint may hold more: pending events are matched to a component's history by id).
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from itertools import chain
from zlib import crc32

from ..engine import Fold, Ledger, Subject
from ..engine.checkpoint import dump_component, load_component
from ..engine.component import Component
from ..events import Event, LinkObserved
from ..rules import Pack
from .base import EventStore, Summary
from .summaries import summarise

SHARDS = 4096  # locks per pack; a component holds the shards of its members
# A copy of each component's fold every this many events, so that a late event folds its
# component again only from the last copy before it (``Component``'s marks).
MARK_EVERY = 4


class WarmPack:
    def __init__(self, store: EventStore, pack: Pack, scope: str, subjects_version: int,
                 subjects: dict[str, Subject], *, summaries: bool = True):
        self.store = store
        self.summaries = summaries  # write the subjects list's summaries in checkpoint rounds
        self.pack = pack
        self.scope = scope  # where checkpoints and summaries are written
        self.source = scope  # where components are restored from
        self.whole = False  # the next checkpoint round writes every component (a new scope)
        self.subjects_version = subjects_version
        self.fold = Fold(pack, subjects, mark_every=MARK_EVERY)
        self.generation = store.generation(scope)
        self.cursor = self.generation
        # Every event stored up to the generation is in a checkpoint, and every later one
        # comes from the tail: a subject can only need a checkpoint when one existed then.
        # (Checkpoints written later, by this process or another, hold nothing the tail does
        # not bring; reading them would be one query per new subject for nothing.)
        self.restorable = self.generation > 0
        self.pending: dict[str, list[Event]] = {}
        self.everyone: list[Event] = []  # pending events of no subject reach every component
        self.recent: set[str] = set()
        self.resolved: set[str] = set()  # subjects whose checkpoint was looked for
        self.dirty: set[str] = set()  # subjects whose component changed since its checkpoint
        self.unsaved = 0
        self.applied = 0
        self.shards = [threading.Lock() for _ in range(SHARDS)]
        self._shard_of: dict[str, int] = {}  # a subject's shard, hashed once
        self.books = threading.Lock()  # the bookkeeping above; never held while folding
        self.saving = threading.Lock()
        self.reading = threading.Lock()
        self.catch_up()

    # -- following the store --------------------------------------------------------------------
    def catch_up(self) -> None:
        """Take what the store holds past the cursor: another writer's events become pending,
        this process's own are only counted."""
        with self.reading:  # one reader of the tail at a time; the bookkeeping stays free
            with self.books:
                cursor, recent = self.cursor, set(self.recent)
            tail = self.store.tail(self.pack.code, cursor, recent)
            with self.books:
                for event in tail.events:
                    self._pend(event)
                self.cursor = max(self.cursor, tail.last)
                self.recent -= tail.met  # the cursor has passed them: never met again

    def moved(self, before: int, after: int, stored: Collection[str]) -> None:
        """This process stored ``stored``, the pack's only events between seqs ``before`` and
        ``after`` (``AppendResult.moved``): a cursor at ``before`` passes them with no read
        of the tail. (A cursor elsewhere leaves them to ``catch_up``.)"""
        with self.books:
            if self.cursor == before:
                self.cursor = after
                self.recent -= set(stored)

    def _pend(self, event: Event) -> None:
        if event.subject is None:
            self.everyone.append(event)
            return
        self.pending.setdefault(event.subject, []).append(event)
        if isinstance(event, LinkObserved):
            self.pending.setdefault(event.other, []).append(event)

    # -- locks ------------------------------------------------------------------------------------
    def _shards_of(self, subjects: Collection[str] | None) -> list[int]:
        if subjects is None:
            return list(range(SHARDS))
        wanted: set[int] = set()
        seen: set[int] = set()  # a batch names many members of one component
        shard_of = self._shard_of
        for sid in subjects:
            comp = self.fold.component_of(sid)
            if comp is not None:
                if id(comp) in seen:
                    continue
                seen.add(id(comp))
            for member in (comp.subjects if comp is not None else (sid,)):
                found = shard_of.get(member)
                if found is None:
                    found = shard_of[member] = crc32(member.encode()) % SHARDS
                wanted.add(found)
        return sorted(wanted)

    @contextmanager
    def hold(self, subjects: Collection[str] | None) -> Iterator[None]:
        """The locks of the components of ``subjects`` (None: every component), taken in one
        order; taken again if a merge grew a component while they were being taken."""
        while True:
            held = self._shards_of(subjects)
            for i in held:
                self.shards[i].acquire()
            if set(self._shards_of(subjects)) <= set(held):
                break
            for i in reversed(held):
                self.shards[i].release()
        try:
            yield
        finally:
            for i in reversed(held):
                self.shards[i].release()

    # -- components ---------------------------------------------------------------------------------
    def resolve(self, subjects: Iterable[str] | None) -> None:
        """Bring the components of ``subjects`` (None: all) up to the cursor: restore each from
        its checkpoint the first time, then fold its pending events (late ones included).
        Pending events leave the queue only under their components' locks, so a reader never
        finds a stored event in neither the queue nor the fold."""
        if subjects is None or self.everyone:
            self._resolve_all()
            return
        frontier = set(subjects)
        while True:
            self._restore(frontier)
            # Every member of these components, since each may have pending events too.
            members = {m for s in frontier if (c := self.fold.component_of(s)) is not None
                       for m in c.subjects}
            if not members <= frontier:
                frontier |= members
                continue
            with self.hold(frontier):
                with self.books:
                    found = [e for s in frontier for e in self.pending.get(s, ())]
                    # Links pull in the components on their other side, which may be cold.
                    outside = {s for e in found for s in _sides(e)} - frontier
                    if not outside:
                        for sid in frontier:
                            self.pending.pop(sid, None)
                if not outside:
                    self._fold_pending(found, frontier)
                    return
            frontier |= outside

    def _resolve_all(self) -> None:
        every = set(self.store.subjects(self.pack.code))
        self._restore(every)
        with self.hold(None):
            with self.books:
                found = [*self.everyone, *chain.from_iterable(self.pending.values())]
                self.everyone, self.pending = [], {}
            self._fold_pending(found, None)

    def _restore(self, subjects: Iterable[str]) -> None:
        """Restore the components of subjects never looked for, their checkpoints read in one
        query (a batch reaching hundreds of subjects new to this process asks once)."""
        with self.books:
            wanted = [sid for sid in subjects if sid not in self.resolved]
        if not wanted:
            return
        found = self.store.checkpoints_of(self.source, wanted) if self.restorable else {}
        for sid in wanted:
            if sid in self.resolved:
                continue  # restored with a member earlier in this loop
            data = found.get(sid)
            if data is None:
                with self.books:
                    self.resolved.add(sid)
                continue
            component = load_component(data, self.pack, self.fold.effects)
            with self.hold(list(component.subjects)), self.books:
                if not self.resolved.intersection(component.subjects):
                    self.fold.adopt(component)
                self.resolved.update(component.subjects)

    def _fold_pending(self, found: list[Event], held: Collection[str] | None) -> None:
        """Fold stored events the components (of ``held``, whose locks the caller holds) do not
        have yet: a checkpoint may already hold some, so they are matched by id."""
        if not found:
            return
        known: set[str] = set()
        comps = map(self.fold.component_of, held if held is not None
                    else list(self.fold.components))
        for comp in {id(c): c for c in comps if c is not None}.values():
            known.update(e.id for e in comp.events)
        fresh = {e.id: e for e in found if e.id not in known}
        if fresh:
            self.fold.apply_all(fresh.values(), late=True)
            self.changed(held if held is not None else list(self.fold.components), len(fresh))

    def changed(self, subjects: Iterable[str], folded: int = 0) -> None:
        with self.books:
            self.dirty.update(subjects)
            self.unsaved += folded
            self.applied += folded

    # -- subjects' attributes ----------------------------------------------------------------------
    def reattribute(self, registry: Mapping[str, Subject], version: int, scope: str) -> bool:
        """Take the registry's attributes (version ``version`` of the pack's subjects, whose
        checkpoints belong in ``scope``): only the components the changed subjects are in, or
        that their new attributes join, fold again. False (nothing done) when those hold an
        event of no subject: then only a new fold of the whole pack is right.

        The next checkpoint round writes every component into the new scope (restoring the
        ones not yet read from the old one, never folding them again) before it vouches for
        the new scope's generation."""
        with self.saving:  # no checkpoint round may mix the scopes
            changed = {sid: s for sid, s in registry.items() if self.fold.subjects.get(sid) != s}
            if changed:
                reached = self.fold.reached_by(changed)
                self.resolve(reached)
                with self.hold(reached):
                    reached = {m for sid in reached
                               if (c := self.fold.component_of(sid)) is not None
                               for m in c.subjects} | reached
                    if not self.fold.rebuild(reached, attributes=changed):
                        return False
                    members = {m for sid in reached
                               if (c := self.fold.component_of(sid)) is not None
                               for m in c.subjects}
                    folded = sum(len(c.events) for c in
                                 {id(c): c for c in map(self.fold.component_of, members)
                                  if c is not None}.values())
                self.changed(members, folded)
            with self.books:
                self.subjects_version = version
                if scope != self.scope:
                    self.scope, self.whole = scope, True
            return True

    # -- checkpoints ---------------------------------------------------------------------------------
    def checkpoint(self) -> None:
        """Store the checkpoint of every component changed since the last one, each under its
        own lock, and raise the scope's generation to the cursor as it stood before."""
        if not self.saving.acquire(blocking=False):
            return  # another thread is saving: its round covers this one's changes
        try:
            self.catch_up()
            generation, scope, whole = self.cursor, self.scope, self.whole
            with self.books:
                waiting = [*self.pending, *(e.subject for e in self.everyone if e.subject)]
            self._restore(waiting)  # their checkpoints in one query, not one per subject
            for sid in waiting:  # the generation promises that nothing is pending
                self.resolve([sid])
            if self.everyone or whole:
                self.resolve(None)
            with self.books:
                dirty, self.dirty, self.unsaved = self.dirty, set(), 0
                if whole:  # a new scope holds nothing yet: every component is written
                    dirty |= set(self.fold.components)
            items: dict[str, tuple[list[str], bytes]] = {}
            kept: dict[str, Summary] = {}
            done: set[str] = set()
            for sid in sorted(dirty):
                if sid in done or self.fold.component_of(sid) is None:
                    continue
                with self.hold([sid]):
                    comp = self.fold.component_of(sid)
                    assert comp is not None
                    members = sorted(comp.subjects)
                    items[members[0]] = (members, dump_component(comp))
                    if self.summaries:
                        self._summarise(comp, members, generation, kept)
                done.update(members)
            self.store.put_checkpoints(scope, generation, items)
            self.store.put_summaries(scope, kept)
            self.generation = max(self.generation, generation)
            if whole:
                self.source, self.whole = scope, False
        finally:
            self.saving.release()

    def _summarise(self, comp: Component, members: list[str], seq: int,
                   into: dict[str, Summary]) -> None:
        """The subjects list's summaries of a component's members, as of its last event
        (``zhili.store.summaries``); the caller holds the component's locks."""
        comp.finish()
        ledger = Ledger(self.pack, self.fold.components)
        for sid in members:
            found = summarise(ledger, comp, sid, None, seq)
            if found is not None:
                into[sid] = found


def _sides(event: Event) -> tuple[str, ...]:
    if isinstance(event, LinkObserved):
        return (event.subject or "", event.other)
    return (event.subject,) if event.subject is not None else ()
