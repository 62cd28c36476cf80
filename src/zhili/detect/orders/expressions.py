"""The Ibis expressions over the order table; they run unchanged on DuckDB and on Spark.

The daily assessments of RULES 5.4 need, for every scope, the orders placed per local day and
when each of their disputes landed. One pass over the order table reduces it to counts per
(store, line, ship-from, rule membership, placed day, NRD day, sold-not-shipped day); everything
sequential (freezes, windows, streaks) then runs over that small aggregate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import pyarrow as pa
from ibis import _

from ...events import ExemptionDeclared
from ...timekit import zone

SECONDS_PER_DAY = 86_400
CROSS_BORDER = "CN"  # SCENARIOS.md: ship_from `CN` = cross-border from China


@dataclass(frozen=True)
class DayClock:
    """Local day numbers (days since 1970-01-01 local) for a zone with a fixed UTC offset.

    Day arithmetic happens inside the backend as integer maths on epoch seconds, which every
    backend computes identically; a zone with daylight saving would need per-row offsets, so
    it is refused rather than approximated (all six packs use Asia/Shanghai, UTC+8 since 1991).
    """

    offset_seconds: int
    tz: str = "UTC"

    @classmethod
    def for_zone(cls, tz: str, around: Sequence[dt.datetime] = ()) -> DayClock:
        probes = [dt.datetime(y, m, 1, tzinfo=dt.UTC) for y in (2000, 2026) for m in (1, 7)]
        offsets = {zone(tz).utcoffset(p.astimezone(zone(tz)).replace(tzinfo=None))
                   for p in (*probes, *around)}
        if len(offsets) != 1:
            from ...errors import InputError

            raise InputError(f"time zone {tz} has daylight saving; order assessment needs a "
                             "zone with a fixed UTC offset")
        offset = offsets.pop()
        assert offset is not None
        return cls(int(offset.total_seconds()), tz)

    def day_of(self, t: dt.datetime) -> int:
        return int((t.timestamp() + self.offset_seconds) // SECONDS_PER_DAY)

    def start_of(self, day: int) -> dt.datetime:
        """Local midnight starting ``day``, as an instant in the zone (reads as 00:00)."""
        return dt.datetime.fromtimestamp(day * SECONDS_PER_DAY - self.offset_seconds,
                                         zone(self.tz))

    def date_of(self, day: int) -> dt.date:
        return dt.date(1970, 1, 1) + dt.timedelta(days=day)

    def expr(self, ts: ibis.Value) -> ibis.Value:
        """The local date of ``ts`` (a date column; ``day_numbers`` turns it into day numbers).

        Shifting by the fixed offset and casting to a date is backend-neutral when the session
        time zone is UTC (``backends.connect`` sets it), and twice as fast in DuckDB as
        arithmetic on epoch seconds."""
        return (ts + ibis.interval(seconds=self.offset_seconds)).date()


def day_numbers(table: pa.Table) -> pa.Table:
    """Date columns of a backend result as day numbers (days since 1970-01-01, local)."""
    for i, field in enumerate(table.schema):
        if pa.types.is_date32(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.int32()))
    return table


def _exempt(orders: ibis.Table, exemptions: Sequence[ExemptionDeclared]) -> ibis.Value:
    """Orders placed inside a declared exemption (RULES 5.4, force majeure): they leave both
    numerator and denominator. A scope names a line or a ship-from country, or `all`."""
    hit = ibis.literal(False)
    for ex in exemptions:
        inside = orders.placed_at >= ex.start
        if ex.end is not None:
            inside = inside & (orders.placed_at < ex.end)
        if ex.scope != "all":
            inside = inside & ((orders.line.fill_null("") == ex.scope)
                               | (orders.ship_from == ex.scope))
        hit = hit | inside
    return hit


def fulfilment_counts(orders: ibis.Table, clock: DayClock,
                      exemptions: Sequence[ExemptionDeclared] = (),
                      until: dt.datetime | None = None) -> ibis.Table:
    """Orders counted per scope membership and day: the one full pass over the order table.

    ``in_line``: shipped on an assessed line (5.1). ``in_ship_from``: overseas ship-from, with no
    Cainiao overseas-warehouse line chosen by the buyer or used in the notice (5.2).
    ``in_store``: shipped on a non-Cainiao line (5.3). Days of disputes after ``until`` are
    dropped: they were not known at any assessment that is run.
    """
    t = orders
    if exemptions:
        t = t.filter(~_exempt(t, exemptions))
    if until is not None:
        t = t.filter(t.placed_at < until)
    not_ow = ~(t.buyer_line_cainiao_overseas_wh | t.line_cainiao_overseas_wh.fill_null(False))
    shipped = t.line.notnull() & t.ship_notice_at.notnull()
    nrd = t.nrd_at if until is None else ibis.ifelse(t.nrd_at < until, t.nrd_at, ibis.null())
    sns = t.sold_not_shipped_at
    if until is not None:
        sns = ibis.ifelse(sns < until, sns, ibis.null())
    keyed = t.select(
        store=t.store,
        line=t.line.fill_null(""),
        ship_from=t.ship_from,
        in_line=shipped & t.line_assessed.fill_null(True),
        in_ship_from=(t.ship_from != CROSS_BORDER) & not_ow,
        in_store=shipped & ~t.line_cainiao,
        placed_day=clock.expr(t.placed_at),
        nrd_day=clock.expr(nrd),
        sns_day=clock.expr(sns),
        bad=_invalid(t),
    )
    keyed = keyed.filter(_.in_line | _.in_ship_from | _.in_store | _.bad)
    keys = ["store", "line", "ship_from", "in_line", "in_ship_from", "in_store", "placed_day",
            "nrd_day", "sns_day", "bad"]
    return keyed.group_by(keys).aggregate(n=_.count())


def _invalid(t: ibis.Table) -> ibis.Value:
    """Rows a Parquet file read by the backend may hold that ``load_orders`` would refuse, in
    the columns this assessment reads: an empty required cell, a notice or dispute before the
    order. They are flagged in the same pass (one more boolean key) rather than in a second
    scan. Columns it does not read (order_id, amount, bonded; duplicate ids) are left to
    ``load_orders``: reading 100 million order ids would double the assessment's cost."""
    bad = ibis.literal(False)
    for name in ("store", "placed_at", "ship_from", "line_cainiao", "line_cainiao_overseas_wh",
                 "buyer_line_cainiao_overseas_wh"):
        bad = bad | t[name].isnull()
    for name in ("ship_notice_at", "nrd_at", "sold_not_shipped_at"):
        bad = bad | (t[name] < t.placed_at).fill_null(False)
    return bad


def order_span(orders: ibis.Table) -> ibis.Table:
    """First and last order time: where the daily assessments start."""
    return orders.aggregate(first=orders.placed_at.min(), last=orders.placed_at.max())
