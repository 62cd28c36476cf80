"""One subject's account of the fold: its running state and its timeline.

The timeline (score series, fees, sanctions, holds, notices, violations, decisions) is
append-only, apart from a record being replaced when it ends; so the state as of any instant up
to the fold's horizon is a lookup, not a replay.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .records import AppealState, Decision, Hold, Notice, Sanction, ViolationRecord
from .subjects import Subject


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

    def state_at(self, t: dt.datetime) -> AppealState:
        status, material_due = self.status_at(t)
        return AppealState(self.id, self.violation, status, self.filed_at, self.due,
                           self.due_assumed, material_due, self.complex)


@dataclass
class SubjectBook:
    subject: Subject
    starts: dict[str, float]
    year: int | None = None
    scores: dict[str, float] = field(default_factory=dict)
    series: dict[str, list[tuple[dt.datetime, float]]] = field(default_factory=dict)
    depth: int = 0
    year_band_fees: Decimal = Decimal(0)
    fee_times: list[dt.datetime] = field(default_factory=list)
    fee_totals: list[Decimal] = field(default_factory=list)   # running totals, for bisect
    deposit: Decimal = Decimal(0)
    outstanding: Decimal = Decimal(0)
    required_deposit: Decimal | None = None
    sanctions: list[Sanction] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    violations: list[ViolationRecord] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    appeals: dict[str, AppealBook] = field(default_factory=dict)
    occurrences: dict[tuple[str, str | None], list[dt.datetime]] = field(default_factory=dict)
    cycle_start: dt.datetime | None = None
    next_tick: dt.datetime | None = None   # the clock has nothing to do before this instant
    decision_counts: dict[tuple[Any, ...], int] = field(default_factory=dict)
    cycle_minutes: float = 0.0
    cycle_transactions: int = 0
    cycle_clean: bool = True
    ladder_counts: dict[str, int] = field(default_factory=dict)
    # (instant, deposit balance, outstanding fees, required deposit) after each change
    money: list[tuple[dt.datetime, Decimal, Decimal, Decimal | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.scores:
            self.scores = dict(self.starts)
        self.series = {name: [] for name in self.starts}
        self.deposit = self.subject.deposit or Decimal(0)

    def clone(self) -> SubjectBook:
        """A copy that can advance on its own; records are frozen, so lists copy shallowly."""
        other = SubjectBook.__new__(SubjectBook)
        other.__dict__.update(self.__dict__)
        other.scores = dict(self.scores)
        other.series = {k: list(v) for k, v in self.series.items()}
        for name in ("fee_times", "fee_totals", "sanctions", "holds", "notices", "violations",
                     "decisions", "money"):
            setattr(other, name, list(getattr(self, name)))
        other.appeals = {k: AppealBook(**{**v.__dict__, "history": list(v.history)})
                         for k, v in self.appeals.items()}
        other.occurrences = {k: list(v) for k, v in self.occurrences.items()}
        other.ladder_counts = dict(self.ladder_counts)
        other.decision_counts = dict(self.decision_counts)
        return other

    # -- lookups as of an instant (up to the fold's horizon) ----------------------------------
    def score_at(self, name: str, t: dt.datetime) -> float:
        points = self.series[name]
        i = bisect_right(points, t, key=lambda p: p[0])
        return points[i - 1][1] if i else self.starts[name]

    def fees_at(self, t: dt.datetime) -> Decimal:
        i = bisect_right(self.fee_times, t)
        return self.fee_totals[i - 1] if i else Decimal(0)

    def note_money(self, at: dt.datetime) -> None:
        self.money.append((at, self.deposit, self.outstanding, self.required_deposit))

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
