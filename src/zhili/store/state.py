"""State from a store: each component's checkpoint plus the events after it, not a replay.

The engine folds a pack component by component (subjects association may link); so does this
service. A component is restored from its own checkpoint the first time a query or a batch
needs it, an event later than its component's last one is folded on top, and a late event (one
earlier than what its component has folded) folds that component again from its own history,
never the pack's. Checkpoints are written for the components that changed, spaced
geometrically so that their cost stays a constant share of ingestion. Another process writing
the same store is followed through the store's per-pack head: what it stored is folded before
the next answer. The pack version and the subjects' attributes are part of a checkpoint's scope:
a change to either starts a new fold.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from ..engine import Decision, Fold, Ledger, Subject, SubjectState
from ..engine.component import Component
from ..errors import InputError
from ..events import Event, LinkObserved, in_time_order
from ..i18n import _
from ..rules import Pack, available_packs, load_pack
from . import summaries
from .base import AppendResult, EventStore, Head, Summary, unique_in_batch
from .codec import dumps
from .warm import WarmPack

# Write checkpoints once this many events were folded since the last ones, and at least as
# many as the process had folded before them (rounds near 256, 512, 1,024... events): writing
# then costs at most about twice one checkpoint of everything, however long the process runs,
# and a crash leaves at most half of what it folded to fold again, lazily, component by
# component. (Rounds every quarter more took 37% of the service's CPU under realistic traffic,
# since nearly every component changes between two rounds and is written whole.)
SNAPSHOT_EVERY = 256
T = TypeVar("T")


class StateService:
    """The engine over a store: ingest events, read state and decisions as of an instant."""

    def __init__(self, store: EventStore, *, snapshot_every: int = SNAPSHOT_EVERY,
                 packs: Mapping[str, Pack] | None = None, tag: str = ""):
        """``packs`` folds these pack codes under other rules than the shipped ones (a shadow's
        candidate); ``tag`` then keeps their checkpoints in scopes of their own."""
        self.store = store
        self.snapshot_every = snapshot_every
        self.tag = tag
        self._lock = threading.Lock()  # the map below, never held while folding
        self._warm: dict[str, WarmPack] = {}
        self._starting = threading.Lock()
        self._reattributing = threading.Lock()  # taken inside ``_starting`` too
        self._pack_of_subject: dict[str, str] = {}  # a subject never changes pack
        self._packs: dict[str, Pack] = dict(packs or {})  # shipped packs: code of the process
        self._writers: dict[str, _Writers] = {}  # per pack: batches waiting for their commit

    def ingest(self, events: Sequence[Event], *, pack: str) -> AppendResult:
        """Store a batch (atomic, idempotent by event id) if the history stays foldable.

        A batch the rules cannot fold on top of what is stored (an appeal of a violation never
        recorded, a rule that needs a field the event lacks) is refused whole with the engine's
        error, naming the event and field, so no stored history ever breaks a later query.

        Batches that arrive while another is being written wait for its commit; with
        ``GROUP_EVENTS`` above 0 they are then written together, in one transaction (group
        commit): each is folded, refused or stored as if alone, but the database's commit and
        its wait for the writer's lock are shared. The call returns once its batch is
        committed.
        """
        code = self.pack(pack)
        job = _Job(events, _touched(events))
        writer = self._writer(code.code)
        with writer.turn:
            writer.queue.append(job)
        while True:
            with writer.turn:
                while not job.done and writer.leading:
                    writer.turn.wait()
                if job.done:
                    break
                writer.leading = True
                group = writer.take()
            try:
                self._commit(code, group)
            finally:
                with writer.turn:
                    writer.leading = False
                    writer.turn.notify_all()
        if job.error is not None:
            raise job.error
        warm = self._warm_pack(code)
        if self._due(warm):
            warm.checkpoint()
        assert job.result is not None
        return job.result

    def _writer(self, code: str) -> _Writers:
        with self._lock:
            found = self._writers.get(code)
            if found is None:
                found = self._writers[code] = _Writers()
            return found

    def _commit(self, code: Pack, group: list[_Job]) -> None:
        """Store and fold the group's batches in one transaction; if the store refuses the
        transaction itself (not a batch the fold refused), each batch is tried alone, so that
        one request's conflict never fails another's."""
        try:
            try:
                self._append(code, group)
            except BaseException as err:
                if len(group) == 1:
                    group[0].error = err
                else:
                    for job in group:
                        try:
                            self._append(code, [job])
                        except BaseException as alone:
                            job.error = alone
        finally:
            for job in group:
                job.done = True

    def _append(self, code: Pack, jobs: list[_Job]) -> None:
        for job in jobs:  # a batch tried again alone starts afresh
            job.fresh, job.result, job.error = [], None, None
        warm = self._warm_pack(code)
        touched: set[str] | None = set()
        for job in jobs:
            if job.touched is None or touched is None:
                touched = None
            else:
                touched |= job.touched
        warm.resolve(touched)
        batch = [e for job in jobs for e in job.events]

        @contextmanager
        def fold_in_turn() -> Iterator[set[str]]:
            """Entered when the group's turn among the pack's writers has come: fold each batch
            under the locks of the components the group reaches, store what the fold accepted,
            and only then let readers in."""
            with warm.hold(touched):
                known = self.store.stored_ids([e.id for e in batch])
                refused: set[str] = set()
                for job in jobs:
                    job.fresh = [e for e in in_time_order(job.events) if e.id not in known]
                    ids = {e.id for e in job.fresh}
                    known |= ids  # the same id in a later batch of the group is a duplicate
                    with warm.books:
                        warm.recent.update(ids)
                    try:
                        folded = warm.fold.apply_all(job.fresh, late=True)
                    except InputError as err:
                        job.error = _named(err, code, warm.fold, job.touched, job.fresh,
                                           job.events)
                        # Only the components the batch reached hold part of it.
                        if job.touched is None or not warm.fold.rebuild(job.touched, ids):
                            self._forget(code.code)
                        with warm.books:
                            warm.recent -= ids  # never stored: another writer may store them
                        refused |= ids
                        continue
                    # Changed before the commit: a checkpoint round that sees the batch stored
                    # must also find its components to write.
                    warm.changed({s for e in job.fresh for s in _sides(e)}
                                 if job.touched is not None else list(warm.fold.components),
                                 folded)
                try:
                    yield refused
                except BaseException:
                    self._forget(code.code)  # folded, but not stored
                    raise

        result = self.store.append(batch, pack=code.code, guard=fold_in_turn())
        if result.moved is not None:  # the next read need not look for these in the tail
            warm.moved(*result.moved, result.stored)
        fresh = {e.id for job in jobs if job.error is None for e in job.fresh}
        if set(result.duplicates) & fresh:
            self._forget(code.code)  # stored meanwhile under another pack: fold from the store
        stored = set(result.stored)
        for job in jobs:
            if job.error is not None:
                continue
            if len(jobs) == 1:
                job.result = result
                continue
            unique, repeated = unique_in_batch(job.events)
            mine = {e.id for e in job.fresh}
            job.result = AppendResult(
                stored=[e.id for e in unique if e.id in stored and e.id in mine],
                duplicates=[e.id for e in unique if e.id not in stored or e.id not in mine]
                + repeated)

    def state(self, subject: str, as_of: dt.datetime) -> SubjectState:
        warm = self._ready(subject)
        with warm.hold([subject]):
            return self._ledger(warm, subject).state(subject, as_of)

    def states(self, subjects: Sequence[str], as_of: dt.datetime) -> dict[str, SubjectState]:
        """Many subjects' states at once: each pack's fold is brought up to date once, not
        once per subject (a list of 10,000 subjects would otherwise re-read the registry
        10,000 times). Subjects with no history are left out."""
        return self._read_many(subjects, lambda ledger, s, _c: ledger.state(s, as_of))

    def component_decisions(self, subjects: Collection[str], batch: Collection[str] = ()
                            ) -> dict[str, list[Decision]]:
        """The decisions about each member of the components of ``subjects`` (a link, or a
        violation by an associated subject, decides about the other members too), up to the
        component's last event of a subject: what the events of the component themselves
        have brought about, not yet what the mere passing of time, or an event of no subject,
        brings after them. Members with no history are left out.

        With ``batch`` (the ids of the events just stored), only the decisions from the
        earlier of the batch's first event and the last event of a subject before the batch:
        those before were already there when that event was stored."""
        batch = set(batch)

        def upto_own(ledger: Ledger, subject: str, comp: Component) -> list[Decision]:
            own = [e for e in comp.events if e.subject is not None]
            if not own:
                return []
            last = max(e.at for e in own)
            new = [e.at for e in comp.events if e.id in batch]
            before = [e.at for e in own if e.id not in batch]
            start = min([*new, max(before)] if before else new, default=None) \
                if batch else None
            return [d for d in ledger.decisions(subject)
                    if d.at <= last and (start is None or d.at >= start)]

        return self._read_many(subjects, upto_own, members=True)

    def _read_many(self, subjects: Collection[str],
                   read: Callable[[Ledger, str, Component], T], *,
                   members: bool = False) -> dict[str, T]:
        """``read(ledger, subject, component)`` for each subject with a history (with
        ``members``, for each member of their components too), under their components'
        locks."""
        by_pack: dict[str, list[str]] = {}
        for subject, code in self.store.packs_of(list(subjects)).items():
            by_pack.setdefault(code, []).append(subject)
        out: dict[str, T] = {}
        for code, wanted in sorted(by_pack.items()):
            warm = self._warm_pack(self.pack(code))
            warm.resolve(wanted)
            with warm.hold(wanted):  # an ingest must not move these components meanwhile
                ledger = Ledger(warm.pack, warm.fold.components)
                if members:
                    wanted = sorted({m for s in wanted if (c := warm.fold.component_of(s))
                                     for m in c.subjects})
                for subject in wanted:
                    comp = warm.fold.component_of(subject)
                    if comp is None or not comp.events:
                        continue  # registered, but not yet in any event
                    comp.finish()
                    out[subject] = read(ledger, subject, comp)
        return out

    def summaries(self, subjects: Sequence[str], as_of: dt.datetime) -> dict[str, dict]:
        """The subjects list's summary of each subject with a history (``store.summaries``):
        read from the store where it still holds, folded (and stored again) where not."""
        by_pack: dict[str, list[str]] = {}
        for subject, code in self.store.packs_of(list(subjects)).items():
            by_pack.setdefault(code, []).append(subject)
        out: dict[str, dict] = {}
        for code, members in sorted(by_pack.items()):
            pack = self.pack(code)
            kept = self.store.summaries(_scope(pack, self.store.head(code), self.tag))
            found = summaries.still_true(kept, members, as_of, self._tail_of(code))
            missing = [s for s in members if s not in found]
            if missing:
                found.update(self._summarise(pack, missing, as_of))
            out.update((sid, summaries.read(found[sid])) for sid in members if sid in found)
        return out

    def _tail_of(self, code: str) -> Callable[[int], list[Event]]:
        return lambda seq: self.store.tail(code, seq).events

    def _summarise(self, pack: Pack, subjects: list[str], at: dt.datetime) -> dict[str, Summary]:
        warm = self._warm_pack(pack)
        with warm.books:
            seq = warm.cursor  # every event up to it is folded once resolved
        warm.resolve(subjects)
        made: dict[str, Summary] = {}
        current: dict[str, Summary] = {}  # not a look into the past: worth keeping
        with warm.hold(subjects):
            ledger = Ledger(warm.pack, warm.fold.components)
            for subject in subjects:
                comp = warm.fold.component_of(subject)
                if comp is None:
                    continue
                comp.finish()
                found = summaries.summarise(ledger, comp, subject, at, seq)
                if found is None:
                    continue
                made[subject] = found
                horizon = comp.epochs[-1].fold.horizon
                if horizon is None or at >= horizon:
                    current[subject] = found
        self.store.put_summaries(warm.scope, current)
        return made

    def decisions(self, subject: str, as_of: dt.datetime | None = None) -> list[Decision]:
        """What the rules decided about the subject, with explanations, up to ``as_of``."""
        warm = self._ready(subject)
        with warm.hold([subject]):
            return self._ledger(warm, subject).decisions(subject, as_of)

    @contextmanager
    def ledger(self, code: str, subjects: Sequence[str] | None = None
               ) -> Iterator[tuple[Ledger, int]]:
        """The pack's subjects (or the components of ``subjects`` alone) folded up to the
        store's head, as one ledger, with the seq of the last stored event it holds; read
        while their components are locked (an ingest through this service waits for it)."""
        warm = self._warm_pack(self.pack(code))
        warm.resolve(subjects)
        with warm.hold(subjects):
            found = (warm.fold.components.values() if subjects is None
                     else filter(None, map(warm.fold.component_of, subjects)))
            for comp in {id(c): c for c in found}.values():
                comp.finish()
            yield Ledger(warm.pack, warm.fold.components), warm.cursor

    def checkpoint(self, code: str) -> None:
        """Write the checkpoints of the pack's fold if enough was folded since the last ones
        (ingest does this itself; a service that only reads calls it after reading)."""
        warm = self._warm_pack(self.pack(code))
        if self._due(warm):
            warm.checkpoint()

    def pack(self, code: str) -> Pack:
        """A pack by its code; never a path, since codes come from the network."""
        found = self._packs.get(code)
        if found is None:
            if code not in available_packs():
                raise InputError(_("unknown pack %(code)r; available: %(value)s")
                                 % {"code": code, "value": ', '.join(available_packs())},
                                 path="pack")
            found = self._packs[code] = load_pack(code)
        return found

    # -- the warm fold ----------------------------------------------------------------------------
    def pack_of(self, subject: str) -> str | None:
        """The subject's pack: asked of the store once, since a subject never changes pack."""
        code = self._pack_of_subject.get(subject)
        if code is None:
            code = self.store.pack_of(subject)
            if code is not None:
                self._pack_of_subject[subject] = code
        return code

    def _ready(self, subject: str) -> WarmPack:
        code = self.pack_of(subject)
        if code is None:
            raise InputError(_("no subject %(subject)r") % {"subject": subject}, path="subject")
        warm = self._warm_pack(self.pack(code))
        warm.resolve([subject])
        return warm

    @staticmethod
    def _ledger(warm: WarmPack, subject: str) -> Ledger:
        comp = warm.fold.component_of(subject)
        if comp is None or not comp.events:
            raise InputError(_("no subject %(subject)r in this history") % {"subject": subject})
        comp.finish()
        return Ledger(warm.pack, warm.fold.components)

    def _warm_pack(self, pack: Pack) -> WarmPack:
        """The pack's fold in step with the store: one lookup of the store's head, then only
        what another writer stored since (a new scope when subjects' attributes changed)."""
        head = self.store.head(pack.code)
        warm = self._current(pack, head)
        if warm is not None:
            return warm
        with self._starting:  # one cold start at a time: it reads registry and tail, no fold
            warm = self._current(pack, head)  # another thread may have started it meanwhile
            if warm is not None:
                return warm
            warm = WarmPack(self.store, pack, _scope(pack, head, self.tag), head.subjects,
                            self._registry(pack), summaries=not self.tag)
            with self._lock:
                self._warm[pack.code] = warm
            return warm

    def _current(self, pack: Pack, head: Head) -> WarmPack | None:
        with self._lock:
            warm = self._warm.get(pack.code)
        if warm is None or warm.pack is not pack:
            return None
        if head.subjects > warm.subjects_version:
            with self._reattributing:  # a registry read and the changed components, once
                if head.subjects > warm.subjects_version and not warm.reattribute(
                        self._registry(pack), head.subjects, _scope(pack, head, self.tag)):
                    self._forget(pack.code)  # an event of every component: fold anew
                    return None
        if head.events > warm.cursor:
            warm.catch_up()
        return warm

    def subjects_version(self, code: str) -> int | None:
        """The version of the subjects' attributes the pack's fold holds (None: no fold yet);
        new attributes fold again only the components they reach, in place."""
        with self._lock:
            warm = self._warm.get(code)
        return None if warm is None else warm.subjects_version

    def _registry(self, pack: Pack) -> dict[str, Subject]:
        """The attributes of the pack's registered subjects (those known only from their
        events have none)."""
        return {sid: s for sid, (_, s) in self.store.subjects(pack.code).items()
                if s is not None}

    def _forget(self, code: str) -> None:
        with self._lock:
            self._warm.pop(code, None)

    def _due(self, warm: WarmPack) -> bool:
        return warm.unsaved >= max(self.snapshot_every, warm.applied - warm.unsaved)


# A group commit takes whole batches while they hold at most this many events together (a
# request that comes last in a long queue still waits for one commit, not for a flood); 0:
# each batch in a transaction of its own. 0 is the default: on the 2-core machine this was
# measured on, under a load average near 19, ingestion was bound by the server's CPU, not by
# its commits, and a group held the locks of all its batches' components until its commit,
# so grouping up to 5,000 events ingested 0.81-0.87x as fast with a 1.9-2.0x higher state
# p99 (20,000 realistic events on SQLite, the two settings alternating, two runs each).
GROUP_EVENTS = 0


@dataclass(eq=False)
class _Job:
    """One caller's batch, waiting for the commit of the group it is written with."""

    events: Sequence[Event]
    touched: set[str] | None  # the subjects it reaches; None: every component
    fresh: list[Event] = field(default_factory=list)  # its events not stored before
    result: AppendResult | None = None
    error: BaseException | None = None
    done: bool = False


class _Writers:
    """A pack's batches waiting to be written; one caller at a time leads a group commit."""

    def __init__(self) -> None:
        self.turn = threading.Condition()
        self.queue: list[_Job] = []
        self.leading = False

    def take(self) -> list[_Job]:
        """The oldest waiting batches, up to ``GROUP_EVENTS`` events (one batch at least)."""
        count, size = 0, 0
        for job in self.queue:
            if count and size + len(job.events) > GROUP_EVENTS:
                break
            count, size = count + 1, size + len(job.events)
        group, self.queue = self.queue[:count], self.queue[count:]
        return group


def _touched(events: Sequence[Event]) -> set[str] | None:
    """The subjects a batch reaches (a link's other side included); None for an event of no
    subject, which reaches every component."""
    touched: set[str] = set()
    for e in events:
        if e.subject is None:
            return None
        touched.add(e.subject)
        if isinstance(e, LinkObserved):
            touched.add(e.other)
    return touched


def _scope(pack: Pack, head: Head, tag: str = "") -> str:
    """What checkpoints and summaries are valid for: the pack's rules and the registry (and a
    shadow's tag, keeping its checkpoints apart)."""
    overrides = hashlib.sha256(dumps(pack.overrides).encode()).hexdigest()[:12]
    scope = f"{pack.code}/{pack.version}/{overrides}/{head.subjects}"
    return f"{scope}/{tag}" if tag else scope


def _sides(event: Event) -> tuple[str, ...]:
    if isinstance(event, LinkObserved):
        return (event.subject or "", event.other)
    return (event.subject,) if event.subject is not None else ()


def _named(err: InputError, pack: Pack, fold: Fold, touched: set[str] | None,
           fresh: list[Event], batch: Sequence[Event]) -> InputError:
    """The refusal, naming the event's place in the batch: the components the batch reached are
    folded again event by event, without the batch, then with it, to find the refused event."""
    ids = {e.id for e in fresh}
    comps = {id(c): c for c in map(fold.component_of, touched if touched is not None
                                   else list(fold.components)) if c}
    history = [e for c in comps.values() for e in c.events if e.id not in ids]
    again = Fold(pack, {s: sub for c in comps.values() for s, sub in c.subjects.items()})
    for event in in_time_order([*history, *fresh]):
        try:
            again.apply(event)
        except InputError as found:
            at = next((i for i, e in enumerate(batch) if e.id == event.id), None)
            return found.within(path=None if at is None else f"events[{at}]")
    return err
