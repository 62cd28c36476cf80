"""State from a store: a snapshot of the pack's fold plus the events after it, not a replay.

One fold covers a whole pack, because association links subjects of a pack: a sanction of one
store can reach the stores sharing its licence. A snapshot records the fold and how many of the
pack's events it had applied; all of them lie at or before its horizon, and events are never
deleted, so the snapshot is still exact exactly when the store holds that many events at or
before the horizon. An event that arrives late (``at`` at or before the horizon) raises the
count and so invalidates it, whoever stored the event and whenever. The fold also depends on
the pack version and the registered subjects' attributes, which the snapshot key carries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..engine import Decision, Fold, Subject, SubjectState
from ..errors import InputError
from ..events import Event, in_time_order
from ..rules import Pack, available_packs, load_pack
from .base import AppendResult, EventStore
from .codec import dumps

# Write a new snapshot once this many events were folded on top of the last one, and at least
# a quarter of the history: pickling costs as much as the fold is big, so spacing snapshots
# geometrically keeps their cost a constant share of ingestion instead of growing with it.
SNAPSHOT_EVERY = 32
SNAPSHOT_SHARE = 4
_MAGIC = b"zhili-fold-2\n"


@dataclass
class _Resumed:
    fold: Fold
    applied: int  # events folded in, all at or before fold.horizon
    unsaved: int = 0  # of those, how many came after the stored snapshot


class StateService:
    """The engine over a store: ingest events, read state and decisions as of an instant."""

    def __init__(self, store: EventStore, *, snapshot_every: int = SNAPSHOT_EVERY):
        self.store = store
        self.snapshot_every = snapshot_every
        self._lock = threading.Lock()
        self._warm: dict[str, _Resumed] = {}  # snapshot key -> the fold kept in memory

    def ingest(self, events: Sequence[Event], *, pack: str) -> AppendResult:
        """Store a batch (atomic, idempotent by event id) if the history stays foldable.

        A batch the rules cannot fold on top of what is stored (an appeal of a violation never
        recorded, a rule that needs a field the event lacks) is refused whole with the engine's
        error, naming the event and field, so no stored history ever breaks a later query.
        """
        code = self.pack(pack)
        with self._lock:
            resumed = self._resume(code)
            known = self.store.stored_ids([e.id for e in events])
            fresh = [e for e in in_time_order(events) if e.id not in known]
            horizon = resumed.fold.horizon
            if horizon is None or all(e.at > horizon for e in fresh):
                folded, history = resumed, fresh  # in order: the warm fold takes the batch
            else:  # a late event: the whole history folds again, as a query would have to
                folded = _Resumed(Fold(code, self._subjects(code)), 0,
                                  unsaved=self.snapshot_every)
                history = in_time_order([*self.store.events(pack=pack), *fresh])
            self._warm = {}  # until the batch is stored, the fold is not the store's
            if folded is resumed:
                _apply_each(folded.fold, history, events)
            else:
                try:  # the whole history: component by component, twice as fast
                    folded.fold.apply_all(history)
                except InputError:
                    # Fold it again event by event to name the event the rules refused.
                    _apply_each(Fold(code, self._subjects(code)), history, events)
                    raise
            result = self.store.append(events, pack=pack)
            folded.applied += len(history)
            folded.unsaved += len(history)
            key = self._key(code)
            if history and self._due(folded):
                self._save(key, folded)
            self._warm = {key: folded}
            return result

    def state(self, subject: str, as_of: dt.datetime) -> SubjectState:
        pack = self._pack_of(subject)
        with self._lock:
            return self._resume(pack).fold.ledger().state(subject, as_of)

    def decisions(self, subject: str, as_of: dt.datetime | None = None) -> list[Decision]:
        """What the rules decided about the subject, with explanations, up to ``as_of``."""
        pack = self._pack_of(subject)
        with self._lock:
            return self._resume(pack).fold.ledger().decisions(subject, as_of)

    @staticmethod
    def pack(code: str) -> Pack:
        """A pack by its code; never a path, since codes come from the network."""
        if code not in available_packs():
            raise InputError(f"unknown pack {code!r}; available: "
                             f"{', '.join(available_packs())}", path="pack")
        return load_pack(code)

    def _pack_of(self, subject: str) -> Pack:
        code = self.store.pack_of(subject)
        if code is None:
            raise InputError(f"no subject {subject!r}", path="subject")
        return self.pack(code)

    def _subjects(self, pack: Pack) -> dict[str, Subject]:
        return {sid: s for sid, (_, s) in self.store.subjects(pack.code).items()
                if s is not None}

    def _key(self, pack: Pack) -> str:
        return snapshot_key(pack, self._subjects(pack))

    def _resume(self, pack: Pack) -> _Resumed:
        """The pack's fold, brought up to every stored event."""
        subjects = self._subjects(pack)
        key = snapshot_key(pack, subjects)
        resumed = self._warm.get(key) or self._load(key, pack)
        if resumed is not None and not self._still_exact(pack, resumed):
            resumed = None
        if resumed is None:
            # A full replay is the expensive case: always keep its result.
            resumed = _Resumed(Fold(pack, subjects), 0, unsaved=self.snapshot_every)
        tail = self.store.events(pack=pack.code, after=resumed.fold.horizon)
        resumed.fold.apply_all(tail)  # component by component: a cold start's replay
        resumed.applied += len(tail)
        resumed.unsaved += len(tail)
        if tail and self._due(resumed):
            self._save(key, resumed)
        self._warm = {key: resumed}  # one pack warm at a time keeps memory bounded
        return resumed

    def _due(self, resumed: _Resumed) -> bool:
        return resumed.unsaved >= max(self.snapshot_every, resumed.applied // SNAPSHOT_SHARE)

    def _still_exact(self, pack: Pack, resumed: _Resumed) -> bool:
        horizon = resumed.fold.horizon
        if horizon is None:
            return resumed.applied == 0
        return self.store.count_events(pack=pack.code, until=horizon) == resumed.applied

    def _load(self, key: str, pack: Pack) -> _Resumed | None:
        found = self.store.get_snapshot(key)
        if found is None:
            return None
        if not found[1].startswith(_MAGIC):
            return None  # written in another format: fold again rather than guess
        header, _, body = found[1].removeprefix(_MAGIC).partition(b"\n")
        return _Resumed(Fold.restore(body, pack), int(json.loads(header)["applied"]))

    def _save(self, key: str, resumed: _Resumed) -> None:
        horizon = resumed.fold.horizon
        if horizon is None:
            return
        header = json.dumps({"applied": resumed.applied}).encode()
        self.store.put_snapshot(key, horizon, _MAGIC + header + b"\n" + resumed.fold.snapshot())
        resumed.unsaved = 0


def _apply_each(fold: Fold, history: Sequence[Event], batch: Sequence[Event]) -> None:
    """Fold ``history`` one event at a time; a refusal names the event's place in ``batch``."""
    for event in history:
        try:
            fold.apply(event)
        except InputError as err:
            at = next((i for i, e in enumerate(batch) if e.id == event.id), None)
            raise err.within(path=None if at is None else f"events[{at}]") from None


def snapshot_key(pack: Pack, subjects: dict[str, Subject]) -> str:
    """``PACK/VERSION/DIGEST``: a new version or new subject attributes start a new fold."""
    attributes: dict[str, Any] = {sid: s.to_dict() for sid, s in sorted(subjects.items())}
    digest = hashlib.sha256(dumps([pack.overrides, attributes]).encode()).hexdigest()[:16]
    return f"{pack.code}/{pack.version}/{digest}"
