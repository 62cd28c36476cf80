"""Instants, natural years, cycles and Chinese working days.

Nothing here reads the clock: every function takes the instant it reasons about.
"""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from .errors import InputError
from .i18n import _

UTC = dt.UTC
DEFAULT_ZONE = "Asia/Shanghai"

# Dates alone, and with a time, as people and Chinese back offices write them: 2026-6-30,
# 2026/01/28 01:44:47, 2026年6月30日, 2026.6.30 (unpadded fields parse too).
DAY_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d")
DATE_FORMATS = (*(f"{day}{sep}{time}" for day in DAY_FORMATS for sep in (" ", "")
                  if sep or day.endswith("日") for time in ("%H:%M:%S", "%H:%M")),
                *DAY_FORMATS)
_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", *DATE_FORMATS)
# Every instant zhili reads lies in these years. The rules, the working-day calendar and the
# time arithmetic of the engine (a year's end, a 365-day window) mean nothing far outside
# them, and year 1 or 9999 would overflow that arithmetic instead of being refused.
FIRST_YEAR, LAST_YEAR = 2000, 2100


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def parse_instant(value: object, tz: str = DEFAULT_ZONE) -> dt.datetime:
    """An aware instant from a datetime, a date (its local midnight) or a string.

    Strings are ISO 8601 or a form of ``DATE_FORMATS`` (``2026/01/28 01:44:47``,
    ``2026年6月30日``); without an offset they are local to ``tz``.
    """
    if isinstance(value, dt.datetime):
        return in_range(value if value.tzinfo else value.replace(tzinfo=zone(tz)), value)
    if isinstance(value, dt.date):
        return in_range(dt.datetime(value.year, value.month, value.day, tzinfo=zone(tz)), value)
    if not isinstance(value, str):
        raise InputError(_("expected a date-time such as 2026-03-02 10:00, got %(value)r")
                         % {"value": value})
    text = value.strip()
    parsed: dt.datetime | None = None
    try:  # ISO 8601 (``2026-03-02 10:00`` is ISO too), in C: event files hold millions
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        for fmt in _FORMATS:  # what ISO does not take: unpadded fields, 2026-3-2 9:00
            try:
                parsed = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise InputError(
            _("expected a date-time such as 2026-03-02 10:00 or ISO 8601, got %(value)r")
            % {"value": value})
    return in_range(parsed if parsed.tzinfo else parsed.replace(tzinfo=zone(tz)), value)


def in_range(t: dt.datetime, given: object = None) -> dt.datetime:
    """``t`` itself when its year lies in FIRST_YEAR..LAST_YEAR; an InputError otherwise."""
    if not FIRST_YEAR <= t.year <= LAST_YEAR:
        shown = t.isoformat() if given is None else repr(given)
        raise InputError(_("expected an instant in the years %(first)d-%(last)d, got "
                           "%(given)s") % {"first": FIRST_YEAR, "last": LAST_YEAR,
                                           "given": shown})
    return t


def bare_date(value: object) -> dt.date | None:
    """The day of a date given without a time (``2026-06-30``, ``2026年6月30日``), else None."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        for day_format in DAY_FORMATS:
            try:
                return dt.datetime.strptime(value.strip(), day_format).date()
            except ValueError:
                continue
    return None


def is_date_only(value: object) -> bool:
    """True for a bare ISO date (``2026-10-13``), which in scenario expectations matches a whole
    local day (the scenario format's own rule; ``--as-of`` takes every form of ``bare_date``)."""
    if isinstance(value, dt.datetime):
        return False
    if isinstance(value, dt.date):
        return True
    if isinstance(value, str):
        try:
            dt.date.fromisoformat(value.strip())
            return len(value.strip()) == 10
        except ValueError:
            return False
    return False


def parse_as_of(value: object, tz: str = DEFAULT_ZONE) -> tuple[dt.datetime, bool]:
    """The instant an ``--as-of``/``as_of`` means, and whether it was a bare date.

    A bare date (``2026-06-30``) means the end of that local day, so that the day itself counts:
    its last microsecond, 23:59:59.999999. Anything else is ``parse_instant``.
    """
    day = bare_date(value)
    if day is None:
        return parse_instant(value, tz), False
    return in_range(dt.datetime.combine(day, dt.time.max, tzinfo=zone(tz)), value), True


def local_date(t: dt.datetime, tz: str = DEFAULT_ZONE) -> dt.date:
    return t.astimezone(zone(tz)).date()


def natural_year(t: dt.datetime, tz: str = DEFAULT_ZONE) -> int:
    """The natural year (1 Jan 00:00 to 31 Dec 24:00 local time) that ``t`` falls in."""
    return t.astimezone(zone(tz)).year


@lru_cache(maxsize=1024)
def year_start(year: int, tz: str = DEFAULT_ZONE) -> dt.datetime:
    return dt.datetime(year, 1, 1, tzinfo=zone(tz))


def day_start(day: dt.date, tz: str = DEFAULT_ZONE) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=zone(tz))


def is_working_day(day: dt.date) -> tuple[bool, bool]:
    """(is a Chinese statutory working day, whether this was assumed Monday-Friday).

    ``chinese-calendar`` knows only the years whose holiday arrangements are published;
    for any other year we fall back to Monday-Friday and say so.
    """
    return _is_working_day(day)


@lru_cache(maxsize=4096)
def _is_working_day(day: dt.date) -> tuple[bool, bool]:
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day)), False
    except NotImplementedError:
        return day.weekday() < 5, True


def add_working_days(t: dt.datetime, n: int, tz: str = DEFAULT_ZONE) -> tuple[dt.datetime, bool]:
    """The same time of day on the n-th working day after ``t``'s local date.

    ``t``'s own date does not count. Returns the instant and whether any day on the way was
    outside the calendar's data (and so assumed Monday-Friday).
    """
    local = t.astimezone(zone(tz))
    day = local.date()
    assumed = False
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        working, guessed = is_working_day(day)
        assumed = assumed or guessed
        if working:
            counted += 1
    result = dt.datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone(tz))
    return result, assumed


def fmt(t: dt.datetime | None, tz: str = DEFAULT_ZONE) -> str:
    """A local instant for people: ``2026-03-02 10:00`` (seconds only when present)."""
    if t is None:
        return "permanent"
    d = t.astimezone(zone(tz))
    text = f"{d.year:04d}-{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d}"
    return f"{text}:{d.second:02d}" if d.second else text
