"""Persistence: an append-only event and decision store behind one small interface.

    store = open_store("sqlite:///zhili.db")      # or memory://, postgresql://USER@HOST/DB
    result = store.append(events, pack="wechat_channels")
    state = StateService(store).state("c1", as_of)

Backends: ``memory://`` (tests), SQLite in WAL mode (the embedded default) and PostgreSQL.
See ``docs/storage.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import ROLES, AppendResult, EventStore, Head, StoredKey
from .engines import database_error, default_url, make_engine
from .memory import MemoryStore
from .shadows import StoredShadow
from .sql import SqlStore

if TYPE_CHECKING:
    from .state import StateService

__all__ = [
    "ROLES", "AppendResult", "EventStore", "Head", "MemoryStore", "SqlStore", "StateService",
    "StoredKey", "StoredShadow", "default_url", "open_store",
]


def open_store(url: str | None = None, *, migrate: bool = True) -> EventStore:
    """The store at ``url`` (None: ``$ZHILI_DB`` or the user's SQLite file).

    With ``migrate`` (the default) the schema is created or upgraded first, so a new SQLite
    file just works; pass ``migrate=False`` where a deployment runs ``zhili db upgrade`` itself.
    """
    target = url or default_url()
    if target.strip().lower() in ("memory://", "memory:"):
        return MemoryStore()
    engine = make_engine(target)
    if migrate:
        from sqlalchemy.exc import SQLAlchemyError

        from .migrate import upgrade

        try:
            upgrade(engine)
        except SQLAlchemyError as err:  # unreachable, refused, or not a database at all
            engine.dispose()
            raise database_error(engine, err) from None
    return SqlStore(engine)


def __getattr__(name: str) -> object:
    # StateService needs the engine; importing it lazily keeps the store usable without it.
    if name == "StateService":
        from .state import StateService

        return StateService
    raise AttributeError(name)
