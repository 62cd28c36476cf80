"""The Ibis expressions over the order table; they run unchanged on DuckDB and on Spark.

The daily assessments of 速卖通自发货履约规则 2022-07-19 need, for every scope, the orders placed per local day and
when each of their disputes landed. One pass over the order table reduces it to counts per
(store, line, ship-from, rule membership, placed day, NRD day, sold-not-shipped day); everything
sequential (freezes, windows, streaks) then runs over that small aggregate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as dt_
import pyarrow as pa
from ibis import _

from ...events import ExemptionDeclared
from ...i18n import gettext
from ...timekit import zone

SECONDS_PER_DAY = 86_400
MICROS = 1_000_000
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

            raise InputError(gettext("time zone %(tz)s has daylight saving; order assessment "
                                     "needs a zone with a fixed UTC offset") % {"tz": tz})
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
        """The local day number of ``ts`` (days since 1970-01-01 local), as an int32 column.

        Integer maths on epoch microseconds: ``unix_micros`` is Spark's name, and Ibis emits
        DuckDB's ``epoch_us`` for it, which reads the stored integer. Date casts or epoch
        seconds of a TIMESTAMPTZ go through DuckDB's ICU calendar and cost about 2.5 s per
        20 million rows and column on one core; this costs almost nothing. The floor division
        compiles to a double division: exact here, as days since 1970 stay far below 2**17."""
        local = unix_micros(ts) + self.offset_seconds * MICROS
        return (local // (SECONDS_PER_DAY * MICROS)).cast("int32")


@ibis.udf.scalar.builtin
def unix_micros(ts: dt_.timestamp) -> dt_.int64:  # type: ignore[empty-body]
    """Microseconds since the epoch of a timestamp (Spark ``unix_micros``, DuckDB ``epoch_us``)."""


def day_numbers(table: pa.Table) -> pa.Table:
    """Date columns of a backend result as day numbers (days since 1970-01-01, local); the
    day columns ``DayClock.expr`` makes already are."""
    for i, field in enumerate(table.schema):
        if pa.types.is_date32(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.int32()))
    return table


def _exempt(orders: ibis.Table, exemptions: Sequence[ExemptionDeclared]) -> ibis.Value:
    """Orders placed inside a declared exemption (速卖通自发货履约规则 2022-07-19, force majeure): they leave both
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


# Bits of the ``flags`` key: rule memberships and the invalid-row flag, one small integer key in
# place of four boolean ones (fewer keys make the hash aggregation cheaper).
IN_LINE, IN_SHIP_FROM, IN_STORE, BAD, LEAVES_SHIP_FROM = 1, 2, 4, 8, 16


# The scope columns. The aggregation groups on 64-bit hashes of them (integer keys: the hash
# aggregation costs half as much as on strings) and ``scope_names`` lists each column's
# distinct values with their hash, so that the caller can check the hash is one-to-one on them
# and map the keys back; if it is not, it asks again with ``hashed=False``.
NAME_COLUMNS = ("store", "line", "ship_from")


@ibis.udf.scalar.builtin
def xxhash64(value: dt_.string) -> dt_.int64:  # type: ignore[empty-body]
    """A 64-bit hash of a string (Spark ``xxhash64``; a macro over ``hash`` on DuckDB)."""


def scope_names(orders: ibis.Table) -> ibis.Table:
    """Each scope column's distinct values (``name``, null included) with their hash ``h``."""
    # The literal is added after ``distinct``: a constant key still costs a hash per row.
    parts = [orders.select(name=orders[col]).distinct().cast({"name": "string"})
             .mutate(column=ibis.literal(col)) for col in NAME_COLUMNS]
    names = parts[0].union(*parts[1:])
    return names.mutate(h=xxhash64(names.name))


def fulfilment_counts(orders: ibis.Table, clock: DayClock,
                      exemptions: Sequence[ExemptionDeclared] = (),
                      until: dt.datetime | None = None, hashed: bool = True) -> ibis.Table:
    """Orders counted per scope membership and day: the one full pass over the order table.

    ``order_keys`` of every order, counted by ``known_counts`` as known at ``until`` (a local
    midnight: the end of the last assessed day).
    """
    t = orders
    if exemptions:
        t = t.filter(~_exempt(t, exemptions))
    last = None if until is None else clock.day_of(until) - 1
    return known_counts(order_keys(t, clock, hashed=hashed), last)


def order_keys(t: ibis.Table, clock: DayClock, *, hashed: bool = True,
               ids: bool = False) -> ibis.Table:
    """Each order's keys: store, line (null if none), ship_from (their ``xxhash64`` if
    ``hashed``), ``flags`` and the local day numbers of the order (``placed_day``), of its
    shipping notice naming a line (``notice_day``), its NRD dispute (``nrd_day``) and its
    sold-not-shipped closing (``sns_day``); with ``ids`` also ``order_id`` and ``placed_at``.

    The bits of ``flags``: ``IN_LINE``, shipped on an assessed line (5.1); ``IN_SHIP_FROM``,
    overseas ship-from with no Cainiao overseas-warehouse line chosen by the buyer (5.2);
    ``LEAVES_SHIP_FROM``, the notice names a Cainiao overseas-warehouse line, so the order
    leaves 5.2 on the notice's day; ``IN_STORE``, shipped on a non-Cainiao line (5.3); ``BAD``,
    a row ``load_orders`` would refuse. Line and store memberships start on ``notice_day``
    (速卖通自发货履约规则 2022-07-19: nothing after an assessment is used).
    """
    shipped = t.line.notnull() & t.ship_notice_at.notnull()
    members = ((shipped & t.line_assessed.fill_null(True), IN_LINE),
               ((t.ship_from != CROSS_BORDER) & ~t.buyer_line_cainiao_overseas_wh, IN_SHIP_FROM),
               (shipped & ~t.line_cainiao, IN_STORE),
               (_invalid(t), BAD),
               (shipped & t.line_cainiao_overseas_wh, LEAVES_SHIP_FROM))
    flags = sum((cond.fill_null(False).cast("int8") * bit for cond, bit in members),
                ibis.literal(0, "int8"))
    names = {col: xxhash64(t[col]) if hashed else t[col] for col in NAME_COLUMNS}
    extra = {"order_id": t.order_id, "placed_at": t.placed_at} if ids else {}
    return t.select(
        **extra,
        **names,
        flags=flags.cast("int8"),
        placed_day=clock.expr(t.placed_at),
        notice_day=clock.expr(ibis.ifelse(shipped, t.ship_notice_at, ibis.null())),
        nrd_day=clock.expr(t.nrd_at),
        sns_day=clock.expr(t.sold_not_shipped_at),
    )


KEYS = ("store", "line", "ship_from", "flags", "placed_day", "notice_day", "nrd_day", "sns_day")
DAY_KEYS = ("notice_day", "nrd_day", "sns_day")


def known_counts(keys: ibis.Table, last: int | None) -> ibis.Table:
    """Order keys (or counts of them, column ``n``) counted per key as known at the end of
    local day ``last`` (None: everything): orders placed later are left out and later days
    are null: they were not known at any assessment that is run."""
    t = keys
    if last is not None:
        t = t.filter(t.placed_day <= last)
        t = t.mutate(**{col: ibis.ifelse(t[col] <= last, t[col], ibis.null())
                        for col in DAY_KEYS})
    n = t.n.sum() if "n" in t.columns else _.count()
    return t.group_by(list(KEYS)).aggregate(n=n)


def _invalid(t: ibis.Table) -> ibis.Value:
    """Rows a Parquet file read by the backend may hold that ``load_orders`` would refuse, in
    the columns this assessment reads: an empty required cell, a notice or dispute before the
    order. They are flagged in the same pass (a bit of ``flags``) rather than in a second
    scan. Columns it does not read (order_id, amount, bonded; duplicate ids) are left to
    ``load_orders``: reading 100 million order ids would double the assessment's cost."""
    bad = ibis.literal(False)
    for name in ("store", "placed_at", "ship_from", "line_cainiao", "line_cainiao_overseas_wh",
                 "buyer_line_cainiao_overseas_wh"):
        bad = bad | t[name].isnull()
    # One comparison: ``least`` skips nulls on both engines (null only if all three are).
    first = ibis.least(t.ship_notice_at, t.nrd_at, t.sold_not_shipped_at)
    return bad | (first < t.placed_at).fill_null(False)
