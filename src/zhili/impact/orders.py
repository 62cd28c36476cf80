"""Impact over an order table: which lines, ship-from locations and stores would freeze under
the candidate's thresholds, and which freezes disappear (``zhili impact --orders``).

The table is read once: the assessment's per-(scope, day) aggregate (``assess.aggregate``)
holds counts, not verdicts, so the daily assessments run on it under each rule set's
thresholds. The shipping rules (late shipment, fake tracking) query the table with their own
thresholds; the candidate's query runs only when its shipping thresholds differ. Each side's
violations are folded through its own pack, and the folds are compared store by store like any
history (:mod:`zhili.impact.diff`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..detect.orders import backends
from ..detect.orders.assess import aggregate, assess_aggregate, order_source
from ..detect.orders.expressions import DayClock
from ..detect.orders.loading import OrdersInput
from ..detect.orders.shipping import shipping_violations
from ..detect.orders.thresholds import thresholds_for
from ..engine import Subject, replay
from ..events import Event, Violation
from ..rules import Pack
from .compare import Impact
from .diff import Summary, diff_subject, rule_changes

SHIPPING = ("detectors.late_shipment.", "detectors.fake_tracking.")


def compare_orders(orders: OrdersInput, base: Pack, candidate: Pack, until: dt.datetime, *,
                   engine: str = "duckdb", events: Sequence[Event] = (),
                   subjects: Mapping[str, Subject] | None = None,
                   progress: tuple[Callable[[int, int], None] | None,
                                   Callable[[int, int], None] | None] = (None, None)) -> Impact:
    """The daily assessments of ``orders`` up to ``until`` under both rule sets, compared as
    of ``until`` for every store either side found a violation for."""
    tz = base.timezone
    clock = DayClock.for_zone(tz)
    cutoff = clock.start_of(clock.day_of(until))      # the end of the last day assessed
    events = [e for e in events if e.at <= until]
    changes = rule_changes(base, candidate)
    con = backends.connect(engine)
    table = order_source(orders, con, tz)
    shipping = shipping_violations(con, table, thresholds_for(base), clock, cutoff)
    if any(ch.name.startswith(SHIPPING) for ch in changes):
        other = shipping_violations(con, table, thresholds_for(candidate), clock, cutoff)
    else:
        other = shipping
    agg = None
    if thresholds_for(base).has("line_nrd_rate") or thresholds_for(candidate).has("line_nrd_rate"):
        agg = aggregate(orders, tz=tz, until=cutoff, clock=clock, events=events, con=con,
                        table=table)
    found: list[list[Violation]] = []
    for pack, shipped, report in ((base, shipping, progress[0]), (candidate, other,
                                                                   progress[1])):
        if agg is None or not thresholds_for(pack).has("line_nrd_rate"):
            found.append(list(shipped))
            continue
        result = assess_aggregate(agg, pack, until=until, events=events, subjects=subjects,
                                  progress=report, found=shipped)
        found.append(result.violations)
    ledgers = [replay([*events, *v], pack, subjects) for v, pack in zip(found, (base, candidate),
                                                                        strict=True)]
    stores = sorted({v.subject for side in found for v in side if v.subject}
                    | {e.subject for e in events if e.subject})
    summary = Summary()
    diffs = []
    for store in stores:
        sides: list[Any] = []
        for ledger in ledgers:
            known = store in ledger.subjects
            sides += [ledger.decisions(store, until) if known else [],
                      ledger.state(store, until) if known else _nothing(ledger, store, until)]
        d = diff_subject(store, sides[0], sides[1], sides[2], sides[3], changes)
        summary.add(d)
        if d.changed:
            diffs.append(d)
    return Impact(base, candidate, until, changes, diffs, summary, len(stores))


def _nothing(ledger: Any, store: str, until: dt.datetime) -> Any:
    """A store's state where its side found nothing: the pack's state of a store with no
    event."""
    return replay([], ledger.pack, {store: Subject(store, kind=ledger.pack.subject_kind)}
                  ).state(store, until)


__all__ = ["compare_orders"]
