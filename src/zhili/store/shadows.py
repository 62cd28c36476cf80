"""Shadows as every backend stores them: candidate rule sets registered beside a live pack.

A shadow names a live pack and a candidate rule set for it (a pack version, a drafted pack
file's text, parameter overrides, or a file with overrides), stored as a JSON mapping the store
does not interpret: ``zhili.shadow`` reads and validates it. The store only keeps it, lists it
and forgets it; folding a shadow writes nothing but its own checkpoints.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select

from ..errors import InputError
from ..i18n import _
from . import base
from .codec import dumps
from .schema import shadows

SHADOW_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True, slots=True)
class StoredShadow:
    """A registered shadow: its id, the live pack it shadows, the candidate and when."""

    id: str
    pack: str
    candidate: Mapping[str, Any] = field(default_factory=dict)
    created: dt.datetime | None = None


def check_shadow(shadow_id: object, pack: object, candidate: object) -> str:
    """The rules every backend applies before storing a shadow; returns its JSON text."""
    if not isinstance(shadow_id, str) or not SHADOW_ID.match(shadow_id):
        raise InputError(_("expected a shadow id of letters, digits, '_', '.' or '-' (at most "
                           "64, starting with a letter or digit), got %(shadow_id)r")
                         % {"shadow_id": shadow_id}, path="id")
    base.check_pack(pack)
    if not isinstance(candidate, Mapping) or not candidate:
        raise InputError(_("expected the candidate rule set as a mapping"), path="candidate")
    return dumps(dict(candidate))


def taken(shadow_id: str) -> InputError:
    return InputError(_("a shadow with the id %(shadow_id)r is already registered; remove it "
                        "first or choose another id") % {"shadow_id": shadow_id}, path="id")


class SqlShadows:
    """The shadow half of ``SqlStore`` (SQLite and PostgreSQL alike)."""

    engine: Engine
    _write: Callable[[], AbstractContextManager[Connection]]

    def put_shadow(self, shadow_id: str, pack: str, candidate: Mapping[str, Any],
                   created: dt.datetime) -> None:
        text = check_shadow(shadow_id, pack, candidate)
        with self._write() as conn:
            known = conn.execute(select(shadows.c.id).where(shadows.c.id == shadow_id)).first()
            if known is not None:
                raise taken(shadow_id)
            conn.execute(shadows.insert().values(id=shadow_id, pack=pack, candidate=text,
                                                 created_at=created))

    def shadows(self, pack: str | None = None) -> list[StoredShadow]:
        query = select(shadows.c.id, shadows.c.pack, shadows.c.candidate, shadows.c.created_at)
        if pack is not None:
            query = query.where(shadows.c.pack == pack)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(shadows.c.created_at, shadows.c.id)).all()
        return [StoredShadow(r.id, r.pack, json.loads(r.candidate), r.created_at) for r in rows]

    def remove_shadow(self, shadow_id: str) -> bool:
        with self._write() as conn:
            done = conn.execute(shadows.delete().where(shadows.c.id == shadow_id))
            return bool(done.rowcount)


class MemoryShadows:
    """The shadow half of ``MemoryStore``: the encoded form, like the databases."""

    _lock: threading.Lock

    def _init_shadows(self) -> None:
        self._shadows: dict[str, tuple[str, str, dt.datetime]] = {}

    def put_shadow(self, shadow_id: str, pack: str, candidate: Mapping[str, Any],
                   created: dt.datetime) -> None:
        text = check_shadow(shadow_id, pack, candidate)
        with self._lock:
            if shadow_id in self._shadows:
                raise taken(shadow_id)
            self._shadows[shadow_id] = (pack, text, created)

    def shadows(self, pack: str | None = None) -> list[StoredShadow]:
        with self._lock:
            rows = sorted(self._shadows.items(), key=lambda kv: (kv[1][2], kv[0]))
        return [StoredShadow(sid, p, json.loads(text), created)
                for sid, (p, text, created) in rows if pack is None or p == pack]

    def remove_shadow(self, shadow_id: str) -> bool:
        with self._lock:
            return self._shadows.pop(shadow_id, None) is not None
