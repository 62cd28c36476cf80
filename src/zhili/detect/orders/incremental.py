"""Incremental order assessment: what the rules need, kept between runs in a DuckDB file.

A platform assesses every day on a table that only grows. ``assess_incrementally`` keeps, in
an embedded DuckDB file (``statefile``): the per-(scope, day) cells of the orders placed in
the last days any future window can reach, each such order's keys (so that an updated row can
be subtracted before it is added again), the violations found so far and each scope's loop
state (the floor a freeze left, whether it is frozen). A run reads only the changes since the
last one — new orders and updated rows, keyed by ``order_id`` — and assesses only the days
after the state's; the results are those of a full assessment of the merged table.

Two kinds of change could not give those results, and are refused (nothing is written):
a change dated before the state's assessment (a new order, dispute, notice or closing the last
run did not know), which would rewrite assessments already made; and a row of an order placed
before the state's window, whose keys are no longer kept. A state made with another pack
version or other parameters is refused too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import InputError
from ...events import Event, ExemptionDeclared, Violation, event_to_dict, parse_event
from ...i18n import _
from ...timekit import parse_instant
from . import backends, statefile
from .assess import Assessment, Resume, assess_aggregate, order_source, pack_of
from .driver import ScopeState
from .expressions import BAD, DayClock, day_numbers, known_counts, order_keys
from .families import Aggregate
from .loading import OrdersInput, load_orders
from .statefile import KEY_COLUMNS, NO_DAY
from .thresholds import thresholds_for

KEEP_DAYS = 90   # default: rows of orders placed this many days back may still change


def assess_incrementally(changes: OrdersInput, pack: Any, *, state: str | Path,
                         until: dt.datetime | str, events: Iterable[Event] = (),
                         engine: str = "duckdb", subjects: Any = None,
                         keep_days: int | None = None,
                         progress: Callable[[int, int], None] | None = None) -> Assessment:
    """The daily assessments up to ``until`` from the state at ``state`` (created if missing)
    and the ``changes`` since it (the whole table on the first run). ``keep_days`` (set when
    the state is created; default ``KEEP_DAYS``): how far back, in days of placing, order
    rows may still change (a dispute opened on an order of 60 days ago); older rows are
    refused. At least the rules' own reach (their window and streak lookback)."""
    pack = pack_of(pack)
    tz = pack.timezone
    until = parse_instant(until, tz)
    clock = DayClock.for_zone(tz)
    th = thresholds_for(pack)
    if not th.has("line_nrd_rate") or th.has("late_shipment") or th.has("fake_tracking"):
        raise InputError(_("--state keeps the AliExpress fulfilment assessments (速卖通自发货履约规则 2022-07-19); "
                           "pack %(pack)s has other order rules: assess it without --state")
                         % {"pack": pack.code})
    events = [e for e in events if e.at <= until]
    last_day = clock.day_of(until) - 1
    reach = max(int(th.value("window_days")), int(th.value("store_nrd_streak.lookback_days")))
    with statefile.open_state(state, fingerprint(pack), keep_days or KEEP_DAYS) as st:
        if keep_days is not None and keep_days != st.keep_days:
            raise InputError(_("the state keeps %(kept)d days of order rows; it cannot change "
                               "to %(asked)d") % {"kept": st.keep_days, "asked": keep_days},
                             file=str(state))
        if st.keep_days < reach:
            raise InputError(_("--keep-days must be at least %(days)d (the rules' window)")
                             % {"days": reach}, file=str(state))
        if st.last_day is not None and last_day <= st.last_day:
            raise InputError(_("the state is assessed up to %(day)s; --as-of must reach a "
                               "later day") % {"day": clock.date_of(st.last_day)},
                             file=str(state))
        exemptions = [e for e in events if isinstance(e, ExemptionDeclared)]
        _check_exemptions(st, exemptions, clock)
        _key_changes(st, changes, engine, clock, tz)
        st.merge(clock)
        agg = _aggregate(st, exemptions, last_day)
        resume = None
        if st.last_day is not None:
            resume = Resume(st.last_day + 1, [_violation(v, tz) for v in st.violations()],
                            st.scopes())
        loop: dict[tuple[str, str, str], ScopeState] = {}
        result = assess_aggregate(agg, pack, until=until, events=events, subjects=subjects,
                                  progress=progress, resume=resume, loop=loop)
        assessed = clock.start_of(st.last_day + 1) if st.last_day is not None else None
        st.save(new=[event_to_dict(v) for v in result.violations
                     if assessed is None or v.at > assessed],
                # A scope with no cells left this run (its orders fell out of the window)
                # keeps the loop state it had: a freeze's floor still bounds the window of
                # its next violation, whenever new orders bring it back.
                scopes={**(resume.scopes if resume else {}),
                        **{key: (s.floor + result.day0 if s.floored else None, s.frozen_seen,
                                 key in result.states) for key, s in loop.items()}},
                last_day=last_day, horizon=last_day + 2 - st.keep_days,
                cells_from=last_day + 2 - reach,
                exemptions=sorted(e.id for e in exemptions))
    return result


def _key_changes(st: statefile.State, changes: OrdersInput, engine: str, clock: DayClock,
                 tz: str) -> None:
    """The changes' order keys as the state's temporary table ``delta_keys``. A Parquet file
    is read by DuckDB inside the state itself (a first run may hold every order), anything
    else is validated by ``load_orders`` first; on Spark the keys come back as Arrow."""
    parquet = isinstance(changes, str | Path) and Path(changes).suffix.lower() in (".parquet",
                                                                                  ".pq")
    if engine == "duckdb":
        con = ibis.duckdb.from_connection(st.con)
        if parquet:
            backends.check_parquet_schema(Path(str(changes)))
            table = con.read_parquet(str(changes), table_name="zhili_changes")
        else:
            table = ibis.memtable(load_orders(changes, tz=tz))
        con.create_table("delta_keys", order_keys(table, clock, hashed=False, ids=True),
                         temp=True)
    else:
        spark = backends.connect(engine)
        table = order_source(changes, spark, tz)
        keys = day_numbers(spark.to_pyarrow(order_keys(table, clock, hashed=False, ids=True)))
        st.con.register("delta_arrow", keys)
        st.con.execute("CREATE TEMP TABLE delta_keys AS SELECT * FROM delta_arrow")
        st.con.unregister("delta_arrow")
    if parquet:
        bad = st.con.execute(f"SELECT count(*) FROM delta_keys WHERE flags & {BAD} <> 0"
                             ).fetchone()
        if bad and bad[0]:
            load_orders(changes, tz=tz)      # names the row
            raise InputError(_("the order table has rows the loader refuses"),
                             file=str(changes))
        twice = st.con.execute("SELECT order_id FROM delta_keys GROUP BY order_id "
                               "HAVING count(*) > 1 ORDER BY order_id LIMIT 1").fetchone()
        if twice:
            raise InputError(_("duplicate order_id %(id)r") % {"id": twice[0]},
                             file=str(changes),
                             path="column order_id")


def fingerprint(pack: Any) -> str:
    """The pack's code, version and every parameter value (overrides included): a state is
    only read back by the pack that made it."""
    params = {**pack.params, **{f"detectors.{k}": v for k, v in pack.detectors.items()}}
    text = json.dumps([pack.code, pack.version,
                       sorted((name, repr(p.starts), repr(p.values)) for name, p in params.items())])
    return f"{pack.code}@{pack.version}#{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def _violation(raw: dict[str, Any], tz: str) -> Violation:
    event = parse_event(raw, tz)
    assert isinstance(event, Violation)
    return event


def _check_exemptions(st: statefile.State, exemptions: list[ExemptionDeclared],
                      clock: DayClock) -> None:
    """An exemption takes its orders out of every assessment, past ones too: one the state
    has not applied may not reach back before the state's assessment, and none it applied may
    be missing."""
    if st.last_day is None:
        return
    assessed = clock.start_of(st.last_day + 1)
    given = {e.id for e in exemptions}
    for missing in sorted(set(st.exemptions) - given):
        raise InputError(_("exemption %(id)s was applied by the state but is not among the "
                           "events: assess without --state to drop it") % {"id": missing})
    for e in exemptions:
        if e.id not in st.exemptions and (e.start is None or e.start < assessed):
            start = e.start.isoformat() if e.start else _("with no start")
            raise InputError(_("exemption %(id)s starts %(start)s, before the state's "
                               "assessment of %(at)s: it would change assessments already "
                               "made; assess without --state")
                             % {"id": e.id, "start": start, "at": assessed.isoformat()})


def _aggregate(st: statefile.State, exemptions: list[ExemptionDeclared],
               last_day: int) -> Aggregate:
    """The state's cells as known at the end of ``last_day``, exempt orders left out."""
    cells = st.cells(exemptions)
    table = ibis.duckdb.from_connection(st.con).table(cells)
    days = {col: ibis.ifelse(table[col] == NO_DAY, ibis.null(), table[col])
            for col in ("notice_day", "nrd_day", "sns_day")}
    table = table.mutate(line=ibis.ifelse(table.line == statefile.NO_LINE, ibis.null(),
                                          table.line), **days)
    counted = known_counts(table.select(*KEY_COLUMNS, "n"), last_day)
    agg = counted.filter(counted.n > 0).to_pyarrow()
    names = {}
    for col in ("store", "line", "ship_from"):
        values = pc.unique(agg.column(col).combine_chunks().cast(pa.string()))
        names[col] = (values, values)
    return Aggregate(agg, names)
