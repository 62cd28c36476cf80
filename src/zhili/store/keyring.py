"""API keys and console sessions, as every backend stores them.

A key is stored as its SHA-256 hash with its role, subject, creation, optional expiry,
revocation and last use; a console session as the hash of a random token pointing at the key
it signed in with. Revoking a key is a row update that the next lookup sees, so a running server
refuses the key (and every session opened with it) at the next request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy import Connection, Engine, select

from ..errors import InputError
from ..i18n import _
from . import base
from .base import StoredKey
from .schema import api_keys, sessions

UTC = dt.UTC


class SqlKeys:
    """The key and session half of ``SqlStore`` (SQLite and PostgreSQL alike)."""

    engine: Engine
    _write: Callable[[], AbstractContextManager[Connection]]  # SqlStore's write transaction

    def create_key(self, role: str, subject: str | None, key_hash: str, *,
                   expires: dt.datetime | None = None) -> str:
        base.check_key(role, subject, key_hash)
        kid = base.new_key_id()
        with self._write() as conn:
            taken = conn.execute(select(api_keys.c.id)
                                 .where(api_keys.c.key_hash == key_hash)).first()
            if taken is not None:
                raise InputError(_("this key is already stored"), path="key_hash")
            conn.execute(api_keys.insert().values(
                id=kid, role=role, subject=subject, key_hash=key_hash,
                created_at=dt.datetime.now(UTC), expires_at=expires))
        return kid

    def find_key(self, key_hash: str) -> StoredKey | None:
        with self.engine.connect() as conn:
            return _one(conn, api_keys.c.key_hash == key_hash)

    def list_keys(self) -> list[StoredKey]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(*_KEY).order_by(api_keys.c.created_at, api_keys.c.id))
            return [_key(row) for row in rows]

    def revoke_key(self, key_id: str, at: dt.datetime) -> bool:
        with self._write() as conn:
            done = conn.execute(api_keys.update()
                                .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                                .values(revoked_at=at))
            if done.rowcount:
                conn.execute(sessions.delete().where(sessions.c.key_id == key_id))
            return bool(done.rowcount) or _exists(conn, key_id)

    def key_used(self, key_id: str, at: dt.datetime) -> None:
        with self._write() as conn:
            conn.execute(api_keys.update().where(api_keys.c.id == key_id)
                         .values(last_used_at=at))

    def open_session(self, token_hash: str, key_id: str, expires: dt.datetime) -> None:
        with self._write() as conn:
            conn.execute(sessions.insert().values(token_hash=token_hash, key_id=key_id,
                                                  expires_at=expires))

    def session_key(self, token_hash: str) -> tuple[StoredKey, dt.datetime] | None:
        with self.engine.connect() as conn:
            found = conn.execute(select(sessions.c.key_id, sessions.c.expires_at)
                                 .where(sessions.c.token_hash == token_hash)).first()
            if found is None:
                return None
            key = _one(conn, api_keys.c.id == found.key_id)
        return None if key is None else (key, found.expires_at)

    def end_session(self, token_hash: str) -> None:
        with self._write() as conn:
            conn.execute(sessions.delete().where(sessions.c.token_hash == token_hash))


_KEY = (api_keys.c.id, api_keys.c.role, api_keys.c.subject, api_keys.c.created_at,
        api_keys.c.expires_at, api_keys.c.revoked_at, api_keys.c.last_used_at)


def _key(row) -> StoredKey:
    return StoredKey(id=row.id, role=row.role, subject=row.subject, created=row.created_at,
                     expires=row.expires_at, revoked=row.revoked_at, last_used=row.last_used_at)


def _one(conn: Connection, where) -> StoredKey | None:
    row = conn.execute(select(*_KEY).where(where)).first()
    return None if row is None else _key(row)


def _exists(conn: Connection, key_id: str) -> bool:
    return conn.execute(select(api_keys.c.id).where(api_keys.c.id == key_id)).first() is not None


class MemoryKeys:
    """The key and session half of ``MemoryStore``."""

    _lock: threading.Lock

    def _init_keys(self) -> None:
        self._keys: dict[str, StoredKey] = {}  # hash -> key
        self._sessions: dict[str, tuple[str, dt.datetime]] = {}  # token hash -> key id, end

    def create_key(self, role: str, subject: str | None, key_hash: str, *,
                   expires: dt.datetime | None = None) -> str:
        base.check_key(role, subject, key_hash)
        key = StoredKey(id=base.new_key_id(), role=role, subject=subject,
                        created=dt.datetime.now(UTC), expires=expires)
        with self._lock:
            if key_hash in self._keys:
                raise InputError(_("this key is already stored"), path="key_hash")
            self._keys[key_hash] = key
        return key.id

    def find_key(self, key_hash: str) -> StoredKey | None:
        with self._lock:
            return self._keys.get(key_hash)

    def list_keys(self) -> list[StoredKey]:
        with self._lock:
            return sorted(self._keys.values(), key=lambda k: (k.created or dt.datetime.min, k.id))

    def _update(self, key_id: str, **changes) -> StoredKey | None:
        for digest, key in self._keys.items():
            if key.id == key_id:
                self._keys[digest] = dataclasses.replace(key, **changes)
                return key
        return None

    def revoke_key(self, key_id: str, at: dt.datetime) -> bool:
        with self._lock:
            before = next((k for k in self._keys.values() if k.id == key_id), None)
            if before is None:
                return False
            if before.revoked is None:
                self._update(key_id, revoked=at)
                self._sessions = {t: s for t, s in self._sessions.items() if s[0] != key_id}
            return True

    def key_used(self, key_id: str, at: dt.datetime) -> None:
        with self._lock:
            self._update(key_id, last_used=at)

    def open_session(self, token_hash: str, key_id: str, expires: dt.datetime) -> None:
        with self._lock:
            self._sessions[token_hash] = (key_id, expires)

    def session_key(self, token_hash: str) -> tuple[StoredKey, dt.datetime] | None:
        with self._lock:
            found = self._sessions.get(token_hash)
            if found is None:
                return None
            key = next((k for k in self._keys.values() if k.id == found[0]), None)
        return None if key is None else (key, found[1])

    def end_session(self, token_hash: str) -> None:
        with self._lock:
            self._sessions.pop(token_hash, None)
