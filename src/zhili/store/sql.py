"""The SQL store: SQLite (WAL, the embedded default) and PostgreSQL, through SQLAlchemy Core.

One implementation serves both: the only dialect-specific pieces are the upsert constructs and
how a write transaction begins (see ``engines``). Every write is one transaction, so a batch is
stored whole or not at all, and ``INSERT .. ON CONFLICT DO NOTHING`` makes ingestion idempotent
by event id even when two writers race on the same batch.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..events import Event
from . import base
from .base import AppendResult, Head, Summary, Tail
from .codec import decode_event, decode_subject, dumps, encode_event, encode_subject, subject_id
from .engines import WRITE
from .keyring import SqlKeys
from .schema import (
    checkpoint_members,
    checkpoint_scopes,
    checkpoints,
    decisions,
    events,
    heads,
    snapshots,
    subject_summaries,
    subjects,
)
from .shadows import SqlShadows

UTC = dt.UTC
_CHUNK = 500  # parameters per IN (...) list, well under SQLite's limit


class SqlStore(SqlKeys, SqlShadows):
    def __init__(self, engine: Engine):
        self.engine = engine
        self._insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE: True})
            with conn.begin():
                yield conn

    def _claim_subjects(self, conn: Connection, wanted: Mapping[str, str]) -> None:
        """Record the pack of each new subject; refuse one that already belongs to another."""
        ids = sorted(wanted)
        for i in range(0, len(ids), _CHUNK):
            conn.execute(
                self._insert(subjects).on_conflict_do_nothing(index_elements=["id"]),
                [{"id": sid, "pack": wanted[sid], "attributes": None}
                 for sid in ids[i:i + _CHUNK]],
            )
        for sid, known in _packs(conn, ids).items():
            if known != wanted[sid]:
                raise base.pack_conflict(sid, known, wanted[sid])

    def _lock_head(self, conn: Connection, pack: str) -> int:
        """Lock the pack's head row before writing: writers of a pack then commit one after
        the other, so event seqs become visible in order and a reader's cursor skips none.
        Returns the head's last event seq."""
        stmt = self._insert(heads).values(pack=pack, events=0, subjects=0)
        return int(conn.execute(stmt.on_conflict_do_update(
            index_elements=["pack"], set_={"events": heads.c.events})
            .returning(heads.c.events)).scalar_one())

    def append(self, batch: Sequence[Event], *, pack: str,
               guard: AbstractContextManager[object] | None = None) -> AppendResult:
        base.check_pack(pack)
        unique, repeated = base.unique_in_batch(batch)
        rows = [{"id": e.id, "pack": pack, "subject": e.subject, "type": e.type, "at": e.at,
                 "body": encode_event(e)} for e in unique]
        if not rows:
            return AppendResult(stored=[], duplicates=repeated)
        # The guard is entered once the head is locked, and left after the commit.
        with ExitStack() as committed, self._write() as conn:
            before = self._lock_head(conn, pack)
            skipped = base.left_out(committed.enter_context(base.guarded(guard)))
            if skipped:
                unique = [e for e in unique if e.id not in skipped]
                rows = [r for r in rows if r["id"] not in skipped]
            self._claim_subjects(conn, base.subject_packs(unique, pack))
            stmt = (self._insert(events).on_conflict_do_nothing(index_elements=["id"])
                    .returning(events.c.id, events.c.seq))
            seqs = {str(i): int(seq) for i, seq in conn.execute(stmt, rows)} if rows else {}
            if seqs:
                conn.execute(heads.update().where(heads.c.pack == pack)
                             .values(events=max(seqs.values())))
        new = set(seqs)
        stored = [e.id for e in unique if e.id in new]
        duplicates = [e.id for e in unique if e.id not in new] + repeated
        return AppendResult(stored=stored, duplicates=duplicates,
                            moved=(before, max(seqs.values(), default=before)))

    def events(self, *, pack: str, subjects: Collection[str] | None = None,
               after: dt.datetime | None = None,
               until: dt.datetime | None = None) -> list[Event]:
        query = select(events.c.body).where(events.c.pack == pack)
        if subjects is not None:
            query = query.where(events.c.subject.in_(base.storable(subjects)))
        if after is not None:
            query = query.where(events.c.at > after)
        if until is not None:
            query = query.where(events.c.at <= until)
        with self.engine.connect() as conn:
            bodies = conn.execute(query.order_by(events.c.at, events.c.seq)).scalars().all()
        return sorted((decode_event(b) for b in bodies), key=Event.sort_key)

    def stored_ids(self, ids: Collection[str]) -> set[str]:
        return self._present(events.c.id, ids)

    def decision_ids(self, ids: Collection[str]) -> set[str]:
        return self._present(decisions.c.id, ids)

    def _present(self, column: Any, ids: Collection[str]) -> set[str]:
        """Which of ``ids`` the id ``column`` holds, in IN lists of ``_CHUNK``."""
        wanted, found = base.storable(set(ids)), set()
        with self.engine.connect() as conn:
            for i in range(0, len(wanted), _CHUNK):
                found |= set(conn.execute(select(column).where(
                    column.in_(wanted[i:i + _CHUNK]))).scalars())
        return found

    def count_events(self, *, pack: str, until: dt.datetime | None = None) -> int:
        query = select(func.count()).select_from(events).where(events.c.pack == pack)
        if until is not None:
            query = query.where(events.c.at <= until)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def pack_of(self, subject: str) -> str | None:
        if not base.storable([subject]):
            return None  # never stored; PostgreSQL would refuse the query itself
        with self.engine.connect() as conn:
            return conn.execute(select(subjects.c.pack)
                                .where(subjects.c.id == subject)).scalar_one_or_none()

    def packs_of(self, ids: Collection[str], /) -> dict[str, str]:
        with self.engine.connect() as conn:
            return _packs(conn, base.storable(set(ids)))

    def put_subject(self, pack: str, subject: Any) -> None:
        base.check_pack(pack)
        sid, text = subject_id(subject), encode_subject(subject)
        with self._write() as conn:
            self._lock_head(conn, pack)
            self._claim_subjects(conn, {sid: pack})
            conn.execute(subjects.update().where(subjects.c.id == sid)
                         .values(attributes=text))
            conn.execute(heads.update().where(heads.c.pack == pack)
                         .values(subjects=heads.c.subjects + 1))

    def subjects(self, pack: str | None = None) -> dict[str, tuple[str, Any]]:
        query = select(subjects.c.id, subjects.c.pack, subjects.c.attributes)
        if pack is not None:
            query = query.where(subjects.c.pack == pack)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(subjects.c.id)).all()
        return {sid: (p, decode_subject(sid, text)) for sid, p, text in rows}

    def append_decisions(self, pack: str, batch: Sequence[Mapping[str, Any]]) -> None:
        base.check_pack(pack)
        rows = []
        for decision in batch:
            did, at, subject, kind = base.decision_fields(decision)
            rows.append({"id": did, "pack": pack, "subject": subject, "kind": kind, "at": at,
                         "body": dumps(dict(decision))})
        if not rows:
            return
        with self._write() as conn:
            conn.execute(self._insert(decisions).on_conflict_do_nothing(index_elements=["id"]),
                         rows)

    def decisions(self, *, pack: str | None = None,
                  subject: str | None = None) -> list[dict[str, Any]]:
        query = select(decisions.c.body)
        if pack is not None:
            query = query.where(decisions.c.pack == pack)
        if subject is not None:
            if not base.storable([subject]):
                return []
            query = query.where(decisions.c.subject == subject)
        with self.engine.connect() as conn:
            bodies = conn.execute(query.order_by(decisions.c.at, decisions.c.seq)).scalars()
            return [json.loads(b) for b in bodies]

    def head(self, pack: str) -> Head:
        with self.engine.connect() as conn:
            row = conn.execute(select(heads.c.events, heads.c.subjects)
                               .where(heads.c.pack == pack)).first()
        return Head() if row is None else Head(int(row.events), int(row.subjects))

    def tail(self, pack: str, after: int, known: Collection[str] = ()) -> Tail:
        query = (select(events.c.seq, events.c.id)
                 .where(events.c.pack == pack, events.c.seq > after).order_by(events.c.seq))
        with self.engine.connect() as conn:
            rows = [(int(seq), str(eid)) for seq, eid in conn.execute(query)]
            last, wanted, met = base.tail_of(after, rows, known)
            bodies: dict[int, str] = {}
            for i in range(0, len(wanted), _CHUNK):
                bodies.update((int(q), b) for q, b in conn.execute(
                    select(events.c.seq, events.c.body).where(
                        events.c.seq.in_(wanted[i:i + _CHUNK]))))
        return Tail(last, [decode_event(bodies[q]) for q in wanted], met)

    def put_checkpoints(self, scope: str, generation: int,
                        components: Mapping[str, tuple[Sequence[str], bytes]]) -> None:
        data = [{"scope": scope, "component": c, "data": bytes(d)}
                for c, (_, d) in components.items()]
        members = {sid: c for c, (ms, _) in components.items() for sid in ms}
        with self._write() as conn:
            if data:
                stmt = self._insert(checkpoints)
                conn.execute(stmt.on_conflict_do_update(
                    index_elements=["scope", "component"], set_={"data": stmt.excluded.data}),
                    data)
            ids = sorted(members)
            for i in range(0, len(ids), _CHUNK):
                stmt = self._insert(checkpoint_members)
                conn.execute(stmt.on_conflict_do_update(
                    index_elements=["scope", "subject"],
                    set_={"component": stmt.excluded.component}),
                    [{"scope": scope, "subject": sid, "component": members[sid]}
                     for sid in ids[i:i + _CHUNK]])
            stmt = self._insert(checkpoint_scopes).values(scope=scope, generation=generation)
            higher = case((stmt.excluded.generation > checkpoint_scopes.c.generation,
                           stmt.excluded.generation), else_=checkpoint_scopes.c.generation)
            conn.execute(stmt.on_conflict_do_update(index_elements=["scope"],
                                                    set_={"generation": higher}))

    def generation(self, scope: str) -> int:
        with self.engine.connect() as conn:
            found = conn.execute(select(checkpoint_scopes.c.generation)
                                 .where(checkpoint_scopes.c.scope == scope)).scalar()
        return int(found or 0)

    def checkpoint_of(self, scope: str, subject: str) -> bytes | None:
        return self.checkpoints_of(scope, [subject]).get(subject)

    def checkpoints_of(self, scope: str, subjects: Collection[str]) -> dict[str, bytes]:
        query = (select(checkpoint_members.c.subject, checkpoints.c.component, checkpoints.c.data)
                 .join(checkpoint_members,
                       (checkpoint_members.c.scope == checkpoints.c.scope)
                       & (checkpoint_members.c.component == checkpoints.c.component))
                 .where(checkpoint_members.c.scope == scope))
        wanted, found = base.storable(set(subjects)), {}
        shared: dict[str, bytes] = {}  # a component's bytes once, however many members ask
        with self.engine.connect() as conn:
            for i in range(0, len(wanted), _CHUNK):
                rows = conn.execute(query.where(
                    checkpoint_members.c.subject.in_(wanted[i:i + _CHUNK])))
                for sid, component, data in rows:
                    found[sid] = shared.setdefault(component, bytes(data))
        return found

    def checkpoint_scopes(self) -> list[str]:
        with self.engine.connect() as conn:
            found = set(conn.execute(select(checkpoint_scopes.c.scope)).scalars())
            found |= set(conn.execute(select(checkpoints.c.scope).distinct()).scalars())
        return sorted(found)

    def drop_checkpoints(self, scope: str) -> None:
        with self._write() as conn:
            for table in (checkpoint_scopes, checkpoint_members, checkpoints):
                conn.execute(table.delete().where(table.c.scope == scope))

    def put_summaries(self, scope: str, summaries: Mapping[str, Summary]) -> None:
        rows = [{"subject": sid, "scope": scope, "component": s.component, "seq": s.seq,
                 "since": s.since, "until": s.until, "data": s.data}
                for sid, s in sorted(summaries.items())]
        if not rows:
            return
        with self._write() as conn:
            for i in range(0, len(rows), _CHUNK):
                stmt = self._insert(subject_summaries)
                conn.execute(stmt.on_conflict_do_update(
                    index_elements=["subject"],
                    set_={name: stmt.excluded[name] for name in
                          ("scope", "component", "seq", "since", "until", "data")}),
                    rows[i:i + _CHUNK])

    def summaries(self, scope: str) -> dict[str, Summary]:
        t = subject_summaries.c
        query = select(t.subject, t.component, t.seq, t.since, t.until, t.data).where(
            t.scope == scope)
        with self.engine.connect() as conn:
            return {sid: Summary(component, int(seq), since, until, data)
                    for sid, component, seq, since, until, data in conn.execute(query)}

    def put_snapshot(self, key: str, horizon: dt.datetime, data: bytes) -> None:
        stmt = self._insert(snapshots).values(key=key, horizon=horizon, data=bytes(data))
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={"horizon": stmt.excluded.horizon, "data": stmt.excluded.data})
        with self._write() as conn:
            conn.execute(stmt)

    def get_snapshot(self, key: str) -> tuple[dt.datetime, bytes] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(snapshots.c.horizon, snapshots.c.data)
                               .where(snapshots.c.key == key)).first()
        return None if row is None else (row.horizon, bytes(row.data))

    def close(self) -> None:
        self.engine.dispose()


def _packs(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    """id -> pack of the known subjects among ``ids``, in IN lists of ``_CHUNK``."""
    found: dict[str, str] = {}
    for i in range(0, len(ids), _CHUNK):
        rows = conn.execute(select(subjects.c.id, subjects.c.pack)
                            .where(subjects.c.id.in_(ids[i:i + _CHUNK])))
        found.update((sid, pack) for sid, pack in rows)
    return found
