"""Database URLs and SQLAlchemy engines, with the settings each backend needs to be safe.

SQLite runs in WAL mode so readers never block the writer, with ``synchronous=FULL`` so an
acknowledged batch survives a crash of the machine, not only of the process, and a busy timeout
so concurrent writers queue instead of failing. Writes start with ``BEGIN IMMEDIATE``: taking
the write lock up front avoids the deadlock two deferred transactions hit when both upgrade a
read lock to a write lock.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ..errors import InputError
from ..i18n import N_, _

WRITE = "zhili_write"  # execution option marking a connection that is about to write
BUSY_TIMEOUT_MS = 30_000
_EXPECTED = "expected memory://, sqlite:///PATH or postgresql://USER@HOST:PORT/DB"


def default_url() -> str:
    """``$ZHILI_DB``, else a SQLite file in the user's data directory."""
    from_env = os.environ.get("ZHILI_DB", "").strip()
    if from_env:
        return from_env
    folder = Path(platformdirs.user_data_dir("zhili"))
    return f"sqlite:///{folder / 'zhili.db'}"


def sqlalchemy_url(url: str) -> str:
    """The URL SQLAlchemy should open: PostgreSQL always through psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(_("not a database URL: %(url)r; %(expected)s")
                         % {"url": url, "expected": _EXPECTED}, path="db") from None
    backend, _plus, driver = parsed.drivername.partition("+")
    if backend in ("postgresql", "postgres"):
        if driver not in ("", "psycopg"):
            raise InputError(_("PostgreSQL is reached through psycopg 3, not %(driver)r")
                             % {"driver": driver},
                             path="db")
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite" and driver in ("", "pysqlite"):
        if not parsed.database or parsed.database == ":memory:":
            raise InputError(_("a SQLite URL needs a file path (sqlite:///PATH); use memory:// "
                               "for a throwaway store"), path="db")
        return url
    raise InputError(_("unsupported database URL %(url)r; %(expected)s")
                     % {"url": url, "expected": _EXPECTED}, path="db")


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event, not the driver, decide when a transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get(WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str) -> Engine:
    target = sqlalchemy_url(url)
    if target.startswith("sqlite"):
        path = make_url(target).database
        if path:
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(target)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(target, pool_pre_ping=True)


# SQLite's reasons that a person's own file causes, in the catalog (other drivers' first
# lines are shown as they are: they name hosts, roles and databases).
_DRIVER_REASONS = {"file is not a database": N_("the file is not a SQLite database"),
                   "unable to open database file": N_("the database file cannot be opened")}


def database_error(engine: Engine, err: Exception, upgrading: bool = False) -> InputError:
    """One line for a database that cannot be reached or used: the URL (without its
    password) and the driver's own first line."""
    shown = make_url(engine.url).render_as_string(hide_password=True)
    cause = getattr(err, "orig", None) or err  # the driver's own message, if any
    first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    if first in _DRIVER_REASONS:
        first = _(_DRIVER_REASONS[first])
    message = (_("cannot upgrade the database %(url)s: %(reason)s") if upgrading
               else _("cannot open the database %(url)s: %(reason)s"))
    return InputError(message % {"url": shown, "reason": first}, path="db")
