"""What happens with the passing of time alone: natural-year resets and recovery cycles.

Both are functions of the instant the fold advances to, never of the wall clock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..rules import Pack
from ..timekit import natural_year, year_start
from .book import SubjectBook
from .effects import Effects, prov_of

_YEARS: dict[int, int] = {}


def _one_of_each(year: int) -> int:
    """The year as one shared int: every book holds its current year, and an int above 256 is
    an object of its own each time it is computed."""
    return _YEARS.setdefault(year, year)


class Clock:
    def __init__(self, pack: Pack, effects: Effects):
        self.pack = pack
        self.effects = effects
        self.tz = pack.timezone
        rec = pack.recovery
        self.cycle = dt.timedelta(days=float(rec.cycle_days.value)) if rec else None

    def advance(self, book: SubjectBook, t: dt.datetime) -> None:
        """Run every reset and recovery cycle that ends at or before ``t``."""
        if book.next_tick is not None and t < book.next_tick:
            return
        if book.year is None:
            book.year = _one_of_each(natural_year(t, self.tz))
        while True:
            next_year = year_start(book.year + 1, self.tz)
            next_cycle = (book.cycle_start + self.cycle
                          if self.cycle is not None and book.cycle_start is not None else None)
            if next_cycle is not None and next_cycle <= t and next_cycle < next_year:
                self._end_cycle(book, next_cycle)
                self._skip_idle_cycles(book, min(t, next_year))
            elif next_year <= t:
                self._reset_year(book, next_year)
            else:
                book.next_tick = min(next_year, next_cycle) if next_cycle else next_year
                return

    def _reset_year(self, book: SubjectBook, at: dt.datetime) -> None:
        book.year = _one_of_each(natural_year(at, self.tz))
        book.year_band_fees = Decimal(0)
        book.cycle_start = None
        for name, definition in self.pack.scores.items():
            if definition.reset != "natural_year":
                continue
            start = float(definition.start.at(at))
            if book.scores[name] != start:
                before = book.scores[name]
                self.effects.decide(book, at, "reset", f"scores.{name}.reset", None,
                                    {"score": name, "before": before, "after": start},
                                    f"natural year {book.year}: {name} {before:g} → {start:g}",
                                    prov_of(definition.start))
                self.effects.set_score(book, name, start, at, f"scores.{name}.reset", None,
                                       deduction=False)

    def _end_cycle(self, book: SubjectBook, end: dt.datetime) -> None:
        rec = self.pack.recovery
        assert rec is not None and book.cycle_start is not None
        minutes_needed = float(rec.min_live_hours.at(end)) * 60
        tx_needed = int(rec.min_transactions.at(end))
        earned = (book.cycle_clean and book.cycle_minutes >= minutes_needed
                  and book.cycle_transactions >= tx_needed)
        start_score = float(self.pack.scores[rec.score].start.at(end))
        current = book.scores[rec.score]
        if earned and current < start_score:
            new = min(start_score, current + float(rec.points.at(end)))
            self.effects.decide(
                book, end, "recovery", "recovery", None,
                {"score": rec.score, "before": current, "after": new},
                f"{rec.score} {current:g} → {new:g}: a clean {rec.cycle_days.value:g}-day cycle "
                f"with {book.cycle_minutes / 60:g} h live and {book.cycle_transactions} "
                "transaction(s)", prov_of(rec),
                {"cycle_start": book.cycle_start, "cycle_end": end, "clean": book.cycle_clean,
                 "live_minutes": book.cycle_minutes, "min_live_minutes": minutes_needed,
                 "transactions": book.cycle_transactions, "min_transactions": tx_needed})
            self.effects.set_score(book, rec.score, new, end, "recovery", None, deduction=False)
        book.cycle_start = None if book.scores[rec.score] >= start_score else end
        book.cycle_minutes = 0.0
        book.cycle_transactions = 0
        book.cycle_clean = True

    def _skip_idle_cycles(self, book: SubjectBook, until: dt.datetime) -> None:
        """Cycles with no activity at all earn nothing: step over them at once."""
        if book.cycle_start is None or self.cycle is None or book.cycle_minutes \
                or book.cycle_transactions:
            return
        idle = (until - book.cycle_start) // self.cycle
        if idle > 1:
            book.cycle_start += self.cycle * (idle - 1)

    def restart_cycle(self, book: SubjectBook, at: dt.datetime) -> None:
        """Cycles run back to back from the most recent deduction."""
        if self.cycle is None:
            return
        book.cycle_start = at
        book.next_tick = None
        book.cycle_minutes = 0.0
        book.cycle_transactions = 0
        book.cycle_clean = True
