"""``violations_from_orders``: the AliExpress daily assessments (速卖通自发货履约规则 2022-07-19) as violations.

One Ibis pass aggregates the orders per scope and day on the chosen backend; the daily loop
(``driver``) then finds the determinations, folding them through the engine to learn what is
frozen. Violations carry deterministic ids ``CODE:SUBJECT:SCOPE:DATE`` (DATE: the assessed
local day; ``at``: its end, 24:00) and their evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import InputError
from ...events import Event, ExemptionDeclared, Violation, in_time_order
from ...i18n import _
from ...timekit import parse_instant
from . import backends
from .driver import SanctionBook, ScopeState, run_assessments
from .expressions import (
    BAD,
    NAME_COLUMNS,
    DayClock,
    day_numbers,
    fulfilment_counts,
    scope_names,
)
from .families import (
    MEMBER_BITS,
    Aggregate,
    Family,
    FamilyCounts,
    Trigger,
    aliexpress_families,
    code_aggregate,
    family_counts,
)
from .loading import OrdersInput, backend_readable, load_orders
from .series import PPM, day_grid, qualifying, runs, window_series
from .shipping import shipping_violations
from .thresholds import thresholds_for


@dataclass
class Assessment:
    """Everything one run found: violations, the per-scope aggregate, the book it folded."""

    pack: Any
    clock: DayClock
    day0: int
    n_days: int
    until: dt.datetime
    families: list[FamilyCounts]
    states: dict[tuple[str, str, str], ScopeState]
    violations: list[Violation]
    book: SanctionBook | None


def pack_of(pack: Any) -> Any:
    if isinstance(pack, str):
        from ...rules import load_pack

        return load_pack(pack)
    return pack


def order_source(orders: OrdersInput, con: Any, tz: str) -> Any:
    """An Ibis table: Parquet files are read by the backend; anything else is validated here."""
    if backend_readable(orders):
        return backends.order_table(con, orders)
    table = orders if isinstance(orders, pa.Table) else load_orders(orders, tz=tz)
    return backends.order_table(con, table)


def aggregate(orders: OrdersInput, *, tz: str, until: dt.datetime, clock: DayClock,
              events: Sequence[Event] = (), engine: str = "duckdb", con: Any = None,
              table: Any = None) -> Aggregate:
    """The per-(scope, day) counts of the orders, computed on ``engine``."""
    con = con or backends.connect(engine)
    table = table if table is not None else order_source(orders, con, tz)
    exemptions = [e for e in events if isinstance(e, ExemptionDeclared) and e.at <= until]
    listed = con.to_pyarrow(scope_names(table))
    names = {}
    for col in NAME_COLUMNS:
        rows = listed.filter(pc.equal(listed.column("column"), col))
        names[col] = (rows.column("name").combine_chunks(), rows.column("h").combine_chunks())
    # Group on the hashes only if they tell every name apart (else, rarely, on the names).
    hashed = all(len(pc.unique(h)) == len(h) for _, h in names.values())
    if not hashed:
        names = {col: (values, values) for col, (values, _) in names.items()}
    expr = fulfilment_counts(table, clock, exemptions, until, hashed=hashed)
    agg = day_numbers(con.to_pyarrow(expr))
    if (agg.column("flags").to_numpy() & BAD).any():
        # Only a file read by the backend can get here: let the loader name the row.
        load_orders(orders, tz=tz)
        raise InputError(_("the order table has rows the loader refuses"), file=str(orders))
    return Aggregate(agg, names)


def assess_orders(orders: OrdersInput, pack: Any, *, until: dt.datetime | str,
                  events: Iterable[Event] = (), engine: str = "duckdb",
                  book: SanctionBook | None = None, subjects: Any = None,
                  progress: Callable[[int, int], None] | None = None) -> Assessment:
    pack = pack_of(pack)
    tz = pack.timezone
    until = parse_instant(until, tz)
    clock = DayClock.for_zone(tz)
    events = [e for e in events if e.at <= until]
    last_day = clock.day_of(until) - 1                  # the last day whose end <= until
    cutoff = clock.start_of(last_day + 1)
    con = backends.connect(engine)
    table = order_source(orders, con, tz)
    th = thresholds_for(pack)
    shipping = shipping_violations(con, table, th, clock, cutoff)
    if not th.has("line_nrd_rate"):     # a pack without the AliExpress fulfilment rules
        return Assessment(pack, clock, last_day, 0, until, [], {}, shipping, book)
    agg = aggregate(orders, tz=tz, until=cutoff, clock=clock, events=events, con=con,
                    table=table)
    return assess_aggregate(agg, pack, until=until, events=events, book=book,
                            subjects=subjects, progress=progress, found=shipping)


@dataclass
class Resume:
    """Where a run picks up (``incremental``): the first local day to assess (a day number),
    the violations found before it, and the scopes' loop states, their floors as day numbers:
    (family, store, scope) → (floor or None, frozen_seen, described)."""

    first_day: int
    past: list[Violation]
    scopes: dict[tuple[str, str, str], tuple[int | None, bool, bool]]


def assess_aggregate(agg: Aggregate, pack: Any, *, until: dt.datetime,
                     events: Sequence[Event] = (), book: SanctionBook | None = None,
                     subjects: Any = None, progress: Callable[[int, int], None] | None = None,
                     found: Sequence[Violation] = (), resume: Resume | None = None,
                     loop: dict[tuple[str, str, str], ScopeState] | None = None) -> Assessment:
    """The daily assessments on the per-(scope, day) aggregate, as known at ``until``; with
    ``resume``, only the days from ``resume.first_day`` on (``loop`` receives every scope's
    loop state at the end)."""
    tz = pack.timezone
    clock = DayClock.for_zone(tz)
    last_day = clock.day_of(until) - 1
    past = resume.past if resume else []
    if book is None:
        from .folding import EngineBook

        book = EngineBook(pack, subjects)
    flags = agg.table.column("flags").to_numpy()
    member = (flags & sum(MEMBER_BITS.values())) != 0
    first = resume.first_day if resume else None
    placed = agg.table.column("placed_day").to_numpy()[member]
    starts = ([int(placed.min())] if len(placed) else []) + ([first] if first is not None else [])
    if not starts:
        return Assessment(pack, clock, last_day, 0, until, [], {}, list(found), book)
    day0 = min(starts)
    n_days = last_day - day0 + 1
    coded = code_aggregate(agg, day0)
    counts = [family_counts(coded, f, n_days) for f in aliexpress_families(thresholds_for(pack))]
    states: dict[tuple[str, str, str], ScopeState] = {}
    restored = {}
    if resume:
        book.apply(in_time_order([*past, *(e for e in events
                                           if e.at <= clock.start_of(resume.first_day))]))
        for key, (floor, frozen_seen, _) in resume.scopes.items():
            restored[key] = (None if floor is None else floor - day0, frozen_seen)

    def describe(state: ScopeState, code: str, day: int) -> Violation:
        states[(state.fc.family.name, state.store, state.scope)] = state
        return _violation(state, code, day, clock, day0, tz)

    start = first - day0 if first is not None else 0
    new = run_assessments(counts, book, clock=clock, day0=day0, n_days=n_days, events=events,
                          describe=describe, start=start, restored=restored, loop=loop,
                          resumed=resume is not None,
                          progress=(lambda d: progress(d + 1, n_days)) if progress else None)
    if resume:
        for key, (_, _, described) in resume.scopes.items():
            if described and loop is not None and key in loop:
                states.setdefault(key, loop[key])
    violations = sorted([*past, *new, *found], key=lambda v: (v.at, v.id))
    return Assessment(pack, clock, day0, n_days, until, counts, states, violations, book)


def violations_from_orders(orders: OrdersInput, pack: Any, *, until: dt.datetime | str,
                           events: Iterable[Event] = (), engine: str = "duckdb",
                           subjects: Any = None) -> list[Violation]:
    """The violations the daily assessments of 速卖通自发货履约规则 2022-07-19 raise up to ``until``."""
    return assess_orders(orders, pack, until=until, events=events, engine=engine,
                         subjects=subjects).violations


def _trigger(family: Family, code: str) -> Trigger:
    return next(t for t in family.triggers if t.code == code)


def _violation(state: ScopeState, code: str, day: int, clock: DayClock, day0: int,
               tz: str) -> Violation:
    family = state.fc.family
    trig = _trigger(family, code)
    c = state.fc.only(code, state.index)
    date = clock.date_of(day0 + day).isoformat()
    threshold = {"rate": trig.threshold.rate_ppm / PPM, "min_count": trig.threshold.min_count}
    evidence: dict[str, Any] = {"scope": state.scope, "family": family.name,
                                "threshold": threshold}
    if trig.streak_days:
        evidence.update(_streak_evidence(c, trig, day, state.floor, clock, day0))
    else:
        den, num = window_series(c, trig.window, state.floor)
        start = max(day - trig.window + 1, state.floor) if state.floored else \
            day - trig.window + 1
        orders, events = int(den[0, day]), int(num[0, day])
        evidence.update({
            "window": {"start": clock.date_of(day0 + start).isoformat(), "end": date,
                       "days": day - start + 1},
            "orders": orders, _count_key(trig): events,
            "rate": round(events / orders, 6) if orders else 0.0,
        })
    return Violation(id=f"{code}:{state.store}:{state.scope}:{date}",
                     at=clock.start_of(day0 + day + 1), subject=state.store, code=code,
                     evidence=evidence)


def _count_key(trig: Trigger) -> str:
    return "nrd" if trig.event_col == "nrd_day" else "sold_not_shipped"


def _streak_evidence(c: Any, trig: Trigger, day: int, floor: int, clock: DayClock,
                     day0: int) -> dict[str, Any]:
    """The qualifying consecutive days ending nearest the assessment, with their counts as
    known at it."""
    den, num = day_grid(c, np.zeros(1, np.int64))
    found = runs(qualifying(den, num, trig.threshold, trig.window, floor), trig.streak_days)
    last = int(np.flatnonzero(found[0, :, day])[-1])
    days = []
    for p in range(last - trig.streak_days + 1, last + 1):
        orders, nrd = int(den[0, p, day]), int(num[0, p, day])
        days.append({"date": clock.date_of(day0 + p).isoformat(), "orders": orders,
                     "nrd": nrd, "rate": round(nrd / orders, 6) if orders else 0.0})
    return {"days": days, "window": {"start": days[0]["date"], "end": days[-1]["date"],
                                     "days": trig.streak_days}}
