"""The state file of the incremental order assessment: one DuckDB database.

Tables: ``meta`` (format, pack fingerprint, the last assessed day, the window start, the
exemptions applied), ``orders`` (the keys of each order placed in the window, by ``oid``: the
128-bit MD5 of its ``order_id``, so that finding the changed orders among millions compares
fixed-width integers instead of strings, and reads the same in every DuckDB version), ``cells`` (those orders counted per key: the per-(scope, day) cells), ``violations``
(every violation found, as its event mapping) and ``scopes`` (each scope's loop state). Key
columns hold no nulls, so that cells join on them: an absent day is ``NO_DAY`` (never on or
before an assessed day), an absent line ``NO_LINE``. A run works in one transaction: a refused
or failed run leaves the file as it was (a first run that fails leaves no file).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from ...errors import InputError
from ...events import ExemptionDeclared
from ...i18n import N_, _
from .expressions import BAD, IN_LINE, IN_SHIP_FROM, IN_STORE, LEAVES_SHIP_FROM, DayClock

FORMAT = "2"
NO_DAY = 2**31 - 1
NO_LINE = "\x00"
KEY_COLUMNS = ("store", "line", "ship_from", "flags", "placed_day", "notice_day", "nrd_day",
               "sns_day")
KEYS = ", ".join(KEY_COLUMNS)
ORDER_KEY = "md5_number(order_id)"
MEMORY_LIMIT = "4GB"
SCHEMA = """
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE orders (oid UHUGEINT, store VARCHAR, line VARCHAR, ship_from VARCHAR,
  flags TINYINT, placed_day INTEGER, notice_day INTEGER, nrd_day INTEGER, sns_day INTEGER,
  placed_at TIMESTAMPTZ);
CREATE TABLE cells (store VARCHAR, line VARCHAR, ship_from VARCHAR, flags TINYINT,
  placed_day INTEGER, notice_day INTEGER, nrd_day INTEGER, sns_day INTEGER, n BIGINT);
CREATE TABLE violations (at_time TIMESTAMPTZ, id VARCHAR, body VARCHAR);
CREATE TABLE scopes (family VARCHAR, store VARCHAR, scope VARCHAR, floor INTEGER,
  frozen_seen BOOLEAN, described BOOLEAN);
"""

# The facts of an order and the day each became known: a change to one known by the state's
# assessment would rewrite that assessment. (name, columns, flag bits, the day it is known)
FACTS = (
    (N_("the order (store, ship-from, time, buyer's line)"), ("store", "ship_from", "placed_day"),
     IN_SHIP_FROM | BAD, "placed_day"),
    (N_("its shipping notice (line, time)"), ("line", "notice_day"),
     IN_LINE | IN_STORE | LEAVES_SHIP_FROM, "notice_day"),
    (N_("its NRD dispute"), ("nrd_day",), 0, "nrd_day"),
    (N_("its sold-not-shipped closing"), ("sns_day",), 0, "sns_day"),
)


class State:
    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path):
        self.con = con
        self.path = path
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        self.meta = meta
        self.last_day = int(meta["last_day"]) if "last_day" in meta else None
        self.horizon = int(meta["horizon"]) if "horizon" in meta else None
        self.cells_from = int(meta["cells_from"]) if "cells_from" in meta else None
        self.keep_days = int(meta["keep_days"])
        self.exemptions: list[str] = json.loads(meta.get("exemptions", "[]"))

    def error(self, message: str) -> InputError:
        return InputError(message, file=str(self.path))

    def merge(self, clock: DayClock) -> None:
        """Subtract the old keys of the changed orders (table ``delta_keys``) from the cells and
        add the new ones. One join of the changes with the kept orders (``pair``: new keys and
        ``old_*`` keys) serves the checks and the update."""
        new = {c: f"d.{c}" for c in KEY_COLUMNS}
        new["line"] = f"coalesce(d.line, '{NO_LINE}')"
        for c in ("notice_day", "nrd_day", "sns_day"):
            new[c] = f"coalesce(d.{c}, {NO_DAY})"
        cols = ", ".join(f"{expr} AS {c}" for c, expr in new.items())
        old = ", ".join(f"o.{c} AS old_{c}" for c in KEY_COLUMNS)
        self.con.execute(f"""CREATE TEMP TABLE pair AS SELECT d.order_id, d.oid, {cols},
            d.placed_at, o.oid IS NOT NULL AS known, o.rowid AS old_row, {old}
            FROM (SELECT *, {ORDER_KEY} AS oid FROM delta_keys) d
            LEFT JOIN orders o ON o.oid = d.oid""")
        self._refuse_old(clock)
        olds = ", ".join(f"old_{c} AS {c}" for c in KEY_COLUMNS)
        self.con.execute(f"""CREATE TEMP TABLE change AS SELECT {KEYS}, sum(n) AS n FROM (
              SELECT {olds}, -1 AS n FROM pair WHERE known
              UNION ALL SELECT {KEYS}, 1 FROM pair) GROUP BY ALL HAVING sum(n) <> 0""")
        if self.last_day is not None:
            # By row id: the join above found them; a second join on the key would read
            # every kept order's key again.
            self.con.execute("DELETE FROM orders WHERE rowid IN "
                             "(SELECT old_row FROM pair WHERE known)")
        self.con.execute(f"INSERT INTO orders SELECT oid, {KEYS}, placed_at FROM pair")
        on = " AND ".join(f"cells.{c} = change.{c}" for c in KEY_COLUMNS)
        if self.cells_from is not None:       # cells before it were dropped: never count again
            self.con.execute("DELETE FROM change WHERE placed_day < ?", [self.cells_from])
        self.con.execute(f"""CREATE TEMP TABLE touched AS SELECT {KEYS}, sum(n) AS n FROM (
              SELECT {KEYS}, n FROM cells SEMI JOIN change USING ({KEYS})
              UNION ALL SELECT {KEYS}, n FROM change) GROUP BY ALL""")
        self.con.execute(f"DELETE FROM cells USING change WHERE {on}")
        self.con.execute(f"INSERT INTO cells SELECT {KEYS}, n FROM touched WHERE n <> 0")

    def _refuse_old(self, clock: DayClock) -> None:
        if self.horizon is not None:
            row = self.con.execute("""SELECT order_id, placed_day FROM pair
                WHERE placed_day < ? ORDER BY placed_day, order_id LIMIT 1""",
                                   [self.horizon]).fetchone()
            if row:
                raise self.error(
                    _("order %(id)s was placed on %(day)s, before the state's window (rows of "
                      "orders placed from %(start)s on may change): assess without --state, or "
                      "keep more days in a new state")
                    % {"id": row[0], "day": clock.date_of(row[1]),
                       "start": clock.date_of(self.horizon)})
        if self.last_day is None:
            return
        last = self.last_day
        row = self.con.execute("""SELECT order_id, placed_day FROM pair
            WHERE NOT known AND placed_day <= ? ORDER BY placed_day, order_id LIMIT 1""",
                               [last]).fetchone()
        if row:
            raise self.error(
                _("order %(id)s placed on %(day)s is new to the state, which is assessed up to "
                  "%(last)s: it would change assessments already made; a change must come after "
                  "the state (or assess without --state)")
                % {"id": row[0], "day": clock.date_of(row[1]), "last": clock.date_of(last)})
        for what, cols, bits, day in FACTS:
            differs = " OR ".join([f"{c} <> old_{c}" for c in cols]
                                  + ([f"(flags & {bits}) <> (old_flags & {bits})"] if bits else []))
            row = self.con.execute(f"""SELECT order_id, least({day}, old_{day}) FROM pair
                WHERE known AND ({differs}) AND least({day}, old_{day}) <= ?
                ORDER BY 2, 1 LIMIT 1""", [last]).fetchone()
            if row:
                raise self.error(
                    _("order %(id)s: %(fact)s changed on a day the state has assessed "
                      "(%(day)s; assessed up to %(last)s): it would change assessments already "
                      "made; assess without --state")
                    % {"id": row[0], "fact": _(what), "day": clock.date_of(row[1]),
                       "last": clock.date_of(last)})

    def cells(self, exemptions: Sequence[ExemptionDeclared]) -> str:
        """A table of the cells with the orders placed inside ``exemptions`` left out."""
        inside: list[str] = []
        params: list[Any] = []
        for e in exemptions:
            cond = "placed_at >= ?"
            params.append(e.start)
            if e.end is not None:
                cond += " AND placed_at < ?"
                params.append(e.end)
            if e.scope != "all":
                cond += " AND (line = ? OR ship_from = ?)"
                params += [e.scope, e.scope]
            inside.append(f"({cond})")
        if not inside:
            return "cells"
        exempt = (f"UNION ALL SELECT {KEYS}, -count(*) FROM orders WHERE {' OR '.join(inside)} "
                  "GROUP BY ALL")
        self.con.execute(f"""CREATE OR REPLACE TEMP TABLE assessed_cells AS
            SELECT {KEYS}, sum(n)::BIGINT AS n FROM (SELECT {KEYS}, n FROM cells {exempt})
            GROUP BY ALL""", params)
        return "assessed_cells"

    def violations(self) -> list[dict[str, Any]]:
        return [json.loads(body) for (body,) in
                self.con.execute("SELECT body FROM violations ORDER BY at_time, id").fetchall()]

    def scopes(self) -> dict[tuple[str, str, str], tuple[int | None, bool, bool]]:
        rows = self.con.execute("SELECT family, store, scope, floor, frozen_seen, described "
                                "FROM scopes").fetchall()
        return {(f, s, sc): (floor, bool(seen), bool(described))
                for f, s, sc, floor, seen, described in rows}

    def save(self, *, new: list[dict[str, Any]],
             scopes: dict[tuple[str, str, str], tuple[int | None, bool, bool]], last_day: int,
             horizon: int, cells_from: int, exemptions: list[str]) -> None:
        if new:
            self.con.executemany("INSERT INTO violations VALUES (?, ?, ?)",
                                 [[v["at"], v["id"], json.dumps(v, ensure_ascii=False,
                                                                default=str)] for v in new])
        self.con.execute("DELETE FROM scopes")
        if scopes:
            self.con.executemany("INSERT INTO scopes VALUES (?, ?, ?, ?, ?, ?)",
                                 [[*key, *value] for key, value in sorted(scopes.items())])
        # Orders placed before the next run's windows can never count again; their rows are
        # kept ``keep_days`` so that a late change to one is told apart from an old fact.
        self.con.execute("DELETE FROM orders WHERE placed_day < ?", [horizon])
        self.con.execute("DELETE FROM cells WHERE placed_day < ?", [cells_from])
        for key, value in (("last_day", str(last_day)), ("horizon", str(horizon)),
                           ("cells_from", str(cells_from)),
                           ("exemptions", json.dumps(exemptions))):
            self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


@contextmanager
def open_state(path: str | Path, fingerprint: str, keep_days: int) -> Iterator[State]:
    """The state at ``path`` (created if missing) for the pack with this ``fingerprint``;
    everything done inside is committed at the end, or not at all."""
    path = Path(path)
    created = not path.exists()
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as err:
        raise InputError(_("not a readable state file (%(reason)s)") % {"reason": err},
                         file=str(path)) from None
    ok = False
    try:
        con.execute("SET TimeZone = 'UTC'")
        # A first run keys every order of the table: beyond this DuckDB spills to disk
        # (beside the file) rather than growing past the memory a daily job is given.
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.begin()
        if created:
            con.execute(SCHEMA)
            con.executemany("INSERT INTO meta VALUES (?, ?)",
                            [["format", FORMAT], ["pack", fingerprint],
                             ["keep_days", str(keep_days)]])
        _check(con, path, fingerprint)
        yield State(con, path)
        con.commit()
        ok = True
    finally:
        if not ok:
            con.rollback()
        con.close()
        if created and not ok:
            path.unlink(missing_ok=True)
            Path(f"{path}.wal").unlink(missing_ok=True)


def _check(con: duckdb.DuckDBPyConnection, path: Path, fingerprint: str) -> None:
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    except duckdb.Error:
        raise InputError(_("not an order-assessment state (no meta table)"),
                         file=str(path)) from None
    if meta.get("format") != FORMAT:
        raise InputError(_("state format %(found)r; this version reads %(format)r")
                         % {"found": meta.get("format"), "format": FORMAT},
                         file=str(path))
    if meta.get("pack") != fingerprint:
        raise InputError(_("the state was made by pack %(made)s, this run assesses with "
                           "%(now)s (another version or other parameters): start a new state "
                           "or assess without --state")
                         % {"made": meta.get("pack"), "now": fingerprint}, file=str(path))
