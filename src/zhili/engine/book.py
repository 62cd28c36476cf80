"""One subject's account of the fold: its running state and its timeline.

The timeline (score series, fees, sanctions, holds, notices, violations, decisions) is
append-only, apart from a record being replaced when it ends; so the state as of any instant up
to the fold's horizon is a lookup, not a replay.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from .records import AppealState, Decision, Hold, Notice, Sanction, ViolationRecord
from .slots import NO_KEYS, NOTHING, Slotted, copy_map
from .subjects import Subject

_ZERO = Decimal(0)


@dataclass
class AppealBook:
    """An appeal's history: (instant, status) changes, and its deadlines."""

    id: str
    violation: str
    filed_at: dt.datetime
    complex: bool
    due: dt.datetime | None
    due_assumed: bool
    history: list[tuple[dt.datetime, str]] = field(default_factory=list)
    material_due: dt.datetime | None = None

    def status_at(self, t: dt.datetime) -> tuple[str, dt.datetime | None]:
        status, material_due = "open", None
        for at, s in self.history:
            if at > t:
                break
            status = s
        if status == "awaiting_material":
            material_due = self.material_due
            if material_due is not None and t > material_due:
                status = "lapsed"
        return status, material_due

    def clone(self) -> AppealBook:
        return replace(self, history=list(self.history))

    def state_at(self, t: dt.datetime) -> AppealState:
        status, material_due = self.status_at(t)
        return AppealState(self.id, self.violation, status, self.filed_at, self.due,
                           self.due_assumed, material_due, self.complex)


_new_book = object.__new__
_LISTS = ("fee_times", "fee_totals", "sanctions", "holds", "notices", "violations", "decisions",
          "money")
_MAPS = ("series", "appeals", "occurrences", "decision_counts", "ladder_counts")


class SubjectBook(Slotted):
    """One subject's running state and timeline. A book exists for every subject a fold has
    met, most of them quiet: so it has slots, not a dictionary, and its timelines and maps
    start as one shared empty value each, made the book's own by their first entry; its scores
    are the pack's starting scores until one of them changes."""

    __slots__ = ("subject", "starts", "year", "scores", "depth", "year_band_fees", "deposit",
                 "outstanding", "required_deposit", "cycle_start", "next_tick", "cycle_minutes",
                 "cycle_transactions", "cycle_clean", *_LISTS, *_MAPS)

    subject: Subject
    starts: dict[str, float]
    year: int | None
    scores: dict[str, float]   # shared with ``starts`` until a score changes (``set_score``)
    depth: int
    year_band_fees: Decimal
    deposit: Decimal
    outstanding: Decimal
    required_deposit: Decimal | None
    cycle_start: dt.datetime | None
    next_tick: dt.datetime | None   # the clock has nothing to do before this instant
    cycle_minutes: float
    cycle_transactions: int
    cycle_clean: bool
    fee_times: list[dt.datetime]
    fee_totals: list[Decimal]   # running totals, for bisect
    sanctions: list[Sanction]
    holds: list[Hold]
    notices: list[Notice]
    violations: list[ViolationRecord]
    decisions: list[Decision]
    # (instant, deposit balance, outstanding fees, required deposit) after each change
    money: list[tuple[dt.datetime, Decimal, Decimal, Decimal | None]]
    series: dict[str, list[tuple[dt.datetime, float]]]
    appeals: dict[str, AppealBook]
    occurrences: dict[tuple[str, str | None], list[dt.datetime]]
    # the index in ``decisions`` of the first decision of each cause (of each instant, for
    # decisions of no cause): where counting equal decisions starts (``Effects.decide``)
    decision_counts: dict[Any, int]
    ladder_counts: dict[str, int]

    def __init__(self, subject: Subject, starts: dict[str, float]):
        self.subject = subject
        self.starts = starts
        self.scores = starts
        self.year = self.required_deposit = self.cycle_start = self.next_tick = None
        self.depth = self.cycle_transactions = 0
        self.year_band_fees = self.outstanding = _ZERO
        self.deposit = subject.deposit or _ZERO
        self.cycle_minutes = 0.0
        self.cycle_clean = True
        # one statement each, not a loop over the names: a fold makes a book per subject
        self.fee_times = self.fee_totals = self.sanctions = self.holds = NOTHING  # type: ignore
        self.notices = self.violations = self.decisions = self.money = NOTHING  # type: ignore
        self.series = self.appeals = self.occurrences = NO_KEYS  # type: ignore[assignment]
        self.decision_counts = self.ladder_counts = NO_KEYS  # type: ignore[assignment]

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        counts = self.decision_counts
        if counts and isinstance(next(iter(counts)), tuple):
            # A checkpoint from before: counts by (cause, kind, rule), where the index of each
            # cause's first decision is read now (``Effects.decide``).
            first: dict[Any, int] = {}
            for i, d in enumerate(self.decisions):
                first.setdefault(d.at if d.cause is None else d.cause, i)
            self.decision_counts = first

    def add(self, name: str, entry: Any) -> None:
        """Append ``entry`` to the timeline ``name``, making the book's own list first."""
        entries = getattr(self, name)
        if entries is NOTHING:
            setattr(self, name, [entry])
        else:
            entries.append(entry)

    def keyed(self, name: str) -> dict[Any, Any]:
        """The book's own map ``name``, made on first use."""
        found = getattr(self, name)
        if found is NO_KEYS:
            found = {}
            setattr(self, name, found)
        return found

    def set_score(self, name: str, value: float, at: dt.datetime) -> None:
        if self.scores is self.starts:
            self.scores = dict(self.starts)
        self.scores[name] = value
        self.keyed("series").setdefault(name, []).append((at, value))

    def clone(self) -> SubjectBook:
        """A copy that can advance on its own; records are frozen, so lists copy shallowly.
        Written out field by field: marks inside components clone books every few events, and a
        loop over the slot names cost several times as much. (A full slice of a shared empty
        tuple is that tuple: it stays shared.)"""
        other = _new_book(SubjectBook)
        other.subject, other.starts, other.year = self.subject, self.starts, self.year
        other.scores = self.scores if self.scores is self.starts else dict(self.scores)
        other.depth, other.year_band_fees = self.depth, self.year_band_fees
        other.deposit, other.outstanding = self.deposit, self.outstanding
        other.required_deposit, other.cycle_start = self.required_deposit, self.cycle_start
        other.next_tick, other.cycle_minutes = self.next_tick, self.cycle_minutes
        other.cycle_transactions, other.cycle_clean = self.cycle_transactions, self.cycle_clean
        other.fee_times, other.fee_totals = self.fee_times[:], self.fee_totals[:]
        other.sanctions, other.holds = self.sanctions[:], self.holds[:]
        other.notices, other.violations = self.notices[:], self.violations[:]
        other.decisions, other.money = self.decisions[:], self.money[:]
        other.series = (self.series if self.series is NO_KEYS
                        else {k: v[:] for k, v in self.series.items()})
        other.appeals = (self.appeals if self.appeals is NO_KEYS
                         else {k: v.clone() for k, v in self.appeals.items()})
        other.occurrences = (self.occurrences if self.occurrences is NO_KEYS
                             else {k: v[:] for k, v in self.occurrences.items()})
        other.decision_counts = copy_map(self.decision_counts)
        other.ladder_counts = copy_map(self.ladder_counts)
        return other

    # -- lookups as of an instant (up to the fold's horizon) ----------------------------------
    def score_at(self, name: str, t: dt.datetime) -> float:
        points = self.series.get(name, NOTHING)
        i = bisect_right(points, t, key=lambda p: p[0])
        return points[i - 1][1] if i else self.starts[name]

    def fees_at(self, t: dt.datetime) -> Decimal:
        i = bisect_right(self.fee_times, t)
        return self.fee_totals[i - 1] if i else Decimal(0)

    def note_money(self, at: dt.datetime) -> None:
        self.add("money", (at, self.deposit, self.outstanding, self.required_deposit))

    def money_at(self, t: dt.datetime) -> tuple[Decimal, Decimal, Decimal | None]:
        i = bisect_right(self.money, t, key=lambda m: m[0])
        if not i:
            return self.subject.deposit or Decimal(0), Decimal(0), None
        _, deposit, outstanding, required = self.money[i - 1]
        return deposit, outstanding, required

    def sanctions_at(self, t: dt.datetime) -> list[Sanction]:
        return [s for s in self.sanctions if s.active(t)]

    def holds_at(self, t: dt.datetime) -> list[Hold]:
        return [h for h in self.holds if h.active(t)]

    def held_at(self, t: dt.datetime) -> dict[str, Any]:
        held: dict[str, Any] = {}
        for h in self.holds_at(t):
            if h.amount is None or held.get(h.account) is True:
                held[h.account] = True
            else:
                held[h.account] = held.get(h.account, Decimal(0)) + h.amount
        return held

    def violations_at(self, t: dt.datetime) -> list[ViolationRecord]:
        return [v for v in self.violations if v.at <= t]

    def notices_at(self, t: dt.datetime) -> list[Notice]:
        return [n for n in self.notices if n.at <= t]

    def appeals_at(self, t: dt.datetime) -> list[AppealState]:
        return [a.state_at(t) for a in self.appeals.values() if a.filed_at <= t]
