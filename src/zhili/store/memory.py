"""The in-memory store: the reference backend, for tests and throwaway runs.

It keeps the encoded forms, not the objects it was given, so that it behaves exactly like the
databases: what comes back is what was stored, never an alias of the caller's data.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from ..events import Event
from . import base
from .base import AppendResult, Head, Summary, Tail
from .codec import decode_event, decode_subject, dumps, encode_event, encode_subject, subject_id
from .keyring import MemoryKeys
from .shadows import MemoryShadows


@dataclass(frozen=True, slots=True)
class _Row:
    seq: int
    id: str
    pack: str
    subject: str | None
    at: dt.datetime
    body: str


class MemoryStore(MemoryKeys, MemoryShadows):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._writers: dict[str, threading.Lock] = {}  # one writer of a pack at a time
        self._events: dict[str, _Row] = {}
        self._packs: dict[str, str] = {}  # subject -> pack
        self._subjects: dict[str, str] = {}  # subject -> encoded attributes
        self._decisions: list[tuple[dt.datetime, int, str | None, str, str]] = []
        self._decision_ids: set[str] = set()
        self._snapshots: dict[str, tuple[dt.datetime, bytes]] = {}
        self._init_keys()
        self._init_shadows()
        self._seq = 0
        self._heads: dict[str, Head] = {}
        self._checkpoints: dict[tuple[str, str], bytes] = {}  # (scope, component) -> data
        self._members: dict[tuple[str, str], str] = {}  # (scope, subject) -> component
        self._generations: dict[str, int] = {}
        self._summaries: dict[str, tuple[str, Summary]] = {}  # subject -> (scope, summary)

    def append(self, events: Sequence[Event], *, pack: str,
               guard: AbstractContextManager[object] | None = None) -> AppendResult:
        base.check_pack(pack)
        batch, repeated = base.unique_in_batch(events)
        bodies = [(e, encode_event(e)) for e in batch]
        with self._lock:
            writer = self._writers.setdefault(pack, threading.Lock())
        with writer, base.guarded(guard) as entered, self._lock:
            skipped = base.left_out(entered)
            batch = [e for e in batch if e.id not in skipped]
            bodies = [(e, body) for e, body in bodies if e.id not in skipped]
            wanted = base.subject_packs(batch, pack)
            for sid, want in wanted.items():
                known = self._packs.get(sid)
                if known is not None and known != want:
                    raise base.pack_conflict(sid, known, want)
            # Checks are done: from here on nothing can fail, so the batch is all or nothing.
            before = self._heads.get(pack, Head()).events
            stored, duplicates = [], list(repeated)
            for e, body in bodies:
                if e.id in self._events:
                    duplicates.append(e.id)
                    continue
                self._seq += 1
                self._events[e.id] = _Row(self._seq, e.id, pack, e.subject, e.at, body)
                stored.append(e.id)
            for sid, want in wanted.items():
                self._packs.setdefault(sid, want)
            if stored:
                head = self._heads.get(pack, Head())
                self._heads[pack] = Head(self._seq, head.subjects)
            after = self._heads.get(pack, Head()).events
        return AppendResult(stored=stored, duplicates=duplicates, moved=(before, after))

    def _rows(self, pack: str, until: dt.datetime | None) -> list[_Row]:
        with self._lock:
            rows = list(self._events.values())
        return [r for r in rows if r.pack == pack and (until is None or r.at <= until)]

    def events(self, *, pack: str, subjects: Collection[str] | None = None,
               after: dt.datetime | None = None,
               until: dt.datetime | None = None) -> list[Event]:
        wanted = set(subjects) if subjects is not None else None
        rows = [r for r in self._rows(pack, until)
                if (after is None or r.at > after)
                and (wanted is None or r.subject in wanted)]
        return sorted((decode_event(r.body) for r in rows), key=Event.sort_key)

    def stored_ids(self, ids: Collection[str]) -> set[str]:
        with self._lock:
            return {i for i in ids if i in self._events}

    def count_events(self, *, pack: str, until: dt.datetime | None = None) -> int:
        return len(self._rows(pack, until))

    def pack_of(self, subject: str) -> str | None:
        with self._lock:
            return self._packs.get(subject)

    def packs_of(self, ids: Collection[str], /) -> dict[str, str]:
        with self._lock:
            return {s: self._packs[s] for s in ids if s in self._packs}

    def put_subject(self, pack: str, subject: Any) -> None:
        base.check_pack(pack)
        sid, text = subject_id(subject), encode_subject(subject)
        with self._lock:
            known = self._packs.get(sid)
            if known is not None and known != pack:
                raise base.pack_conflict(sid, known, pack)
            self._packs[sid] = pack
            self._subjects[sid] = text
            head = self._heads.get(pack, Head())
            self._heads[pack] = Head(head.events, head.subjects + 1)

    def subjects(self, pack: str | None = None) -> dict[str, tuple[str, Any]]:
        with self._lock:
            packs, texts = dict(self._packs), dict(self._subjects)
        return {sid: (p, decode_subject(sid, texts.get(sid)))
                for sid, p in sorted(packs.items()) if pack is None or p == pack}

    def append_decisions(self, pack: str, decisions: Sequence[Mapping[str, Any]]) -> None:
        base.check_pack(pack)
        rows = [(*base.decision_fields(d), dumps(dict(d))) for d in decisions]
        with self._lock:
            for did, at, subject, _kind, body in rows:
                if did in self._decision_ids:
                    continue
                self._decision_ids.add(did)
                self._decisions.append((at, len(self._decisions), subject, pack, body))

    def decision_ids(self, ids: Collection[str]) -> set[str]:
        with self._lock:
            return {i for i in ids if i in self._decision_ids}

    def decisions(self, *, pack: str | None = None,
                  subject: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            rows = sorted(self._decisions, key=lambda r: (r[0], r[1]))
        return [json.loads(body) for _at, _seq, s, p, body in rows
                if (pack is None or p == pack) and (subject is None or s == subject)]

    def head(self, pack: str) -> Head:
        with self._lock:
            return self._heads.get(pack, Head())

    def tail(self, pack: str, after: int, known: Collection[str] = ()) -> Tail:
        with self._lock:
            rows = sorted((r for r in self._events.values() if r.pack == pack and r.seq > after),
                          key=lambda r: r.seq)
        last, wanted, met = base.tail_of(after, ((r.seq, r.id) for r in rows), known)
        bodies = {r.seq: r.body for r in rows}
        return Tail(last, [decode_event(bodies[q]) for q in wanted], met)

    def put_checkpoints(self, scope: str, generation: int,
                        components: Mapping[str, tuple[Sequence[str], bytes]]) -> None:
        with self._lock:
            for component, (members, data) in components.items():
                self._checkpoints[scope, component] = bytes(data)
                for sid in members:
                    self._members[scope, sid] = component
            if generation > self._generations.get(scope, 0):
                self._generations[scope] = generation

    def generation(self, scope: str) -> int:
        with self._lock:
            return self._generations.get(scope, 0)

    def checkpoint_of(self, scope: str, subject: str) -> bytes | None:
        return self.checkpoints_of(scope, [subject]).get(subject)

    def checkpoints_of(self, scope: str, subjects: Collection[str]) -> dict[str, bytes]:
        with self._lock:
            found = {sid: self._members.get((scope, sid)) for sid in subjects}
            return {sid: self._checkpoints[(scope, c)] for sid, c in found.items()
                    if c is not None and (scope, c) in self._checkpoints}

    def checkpoint_scopes(self) -> list[str]:
        with self._lock:
            return sorted({*self._generations, *(scope for scope, _c in self._checkpoints)})

    def drop_checkpoints(self, scope: str) -> None:
        with self._lock:
            self._generations.pop(scope, None)
            self._checkpoints = {k: v for k, v in self._checkpoints.items() if k[0] != scope}
            self._members = {k: v for k, v in self._members.items() if k[0] != scope}

    def put_summaries(self, scope: str, summaries: Mapping[str, Summary]) -> None:
        with self._lock:
            for sid, summary in summaries.items():
                self._summaries[sid] = (scope, summary)

    def summaries(self, scope: str) -> dict[str, Summary]:
        with self._lock:
            return {sid: summary for sid, (s, summary) in self._summaries.items() if s == scope}

    def put_snapshot(self, key: str, horizon: dt.datetime, data: bytes) -> None:
        with self._lock:
            self._snapshots[key] = (horizon, bytes(data))

    def get_snapshot(self, key: str) -> tuple[dt.datetime, bytes] | None:
        with self._lock:
            return self._snapshots.get(key)

    def close(self) -> None:
        """Nothing to release: the data lives and dies with the object."""
