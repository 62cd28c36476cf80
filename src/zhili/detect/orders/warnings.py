"""Early warnings: for every scope, how far it is from its threshold as of the last assessment.

Each warning is a set of fields (scope, metric, counts, how many more events trigger which
sanction for how long); ``warning_text.render`` says it in the reader's language — "LINE-A：74
单中有 8 起未收到货纠纷（10.8%）；再有 2 起纠纷即触发冻结物流线路权限（为期 30 天）", the
line merchants and agencies look at first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from .assess import Assessment
from .series import day_grid, qualifying, streak_candidates, window_series
from .warning_text import render

# What a family's trigger counts, by the names people use (速卖通自发货履约规则 2022-07-19).
METRIC = {"nrd_day": "nrd", "sns_day": "sold_not_shipped"}


@dataclass(frozen=True)
class EarlyWarning:
    """How far one scope is from its threshold, as fields; ``message`` renders the sentence in
    the current language (``zhili.i18n``), so the CLI, API and console each say it in their
    reader's language."""

    store: str
    family: str                  # scope kind: line | ship_from | store
    scope: str                   # scope key: the line, the country, or "store"
    code: str
    orders: int
    events: int
    rate: float
    more_needed: int | None      # None: too few orders in the window to reach the threshold
    frozen: bool
    metric: str = "nrd"          # nrd | sold_not_shipped
    pack: str | None = None
    sanction: str | None = None  # the sanction code the threshold brings
    sanction_days: float | None = None
    sanction_permanent: bool = False
    streak_days: tuple[str, ...] = ()   # a store streak: the qualifying days so far
    threshold_rate: float | None = None
    threshold_count: int | None = None

    @property
    def message(self) -> str:
        return render(self.to_fields())

    def to_fields(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def to_dict(self) -> dict[str, Any]:
        """The fields and the sentence in the current language (JSON output, API)."""
        out = self.to_fields()
        out["streak_days"] = list(self.streak_days)
        return {**out, "message": self.message}


def early_warnings(a: Assessment) -> list[EarlyWarning]:
    """Window-rate scopes of every family, closest to their threshold first."""
    if not a.n_days:
        return []
    last = a.n_days - 1
    at = a.clock.start_of(a.day0 + a.n_days)
    out = []
    for fc in a.families:
        for trig in fc.family.triggers:
            if trig.streak_days:
                out += _streak_warnings(a, fc, trig, at)
                continue
            c = fc.counts[trig.code]
            den, num = window_series(c, trig.window)
            for index, (store, scope) in enumerate(fc.keys):
                state = a.states.get((fc.family.name, store, scope))
                orders, events = int(den[index, last]), int(num[index, last])
                frozen = False
                if state is not None:
                    frozen = fc.family.sanction_name(scope) in a.book.active(store, at) \
                        if a.book else False
                    d, n = window_series(fc.only(trig.code, index), trig.window, state.floor)
                    orders, events = int(d[0, last]), int(n[0, last])
                more = trig.threshold.more_needed(events, orders)
                nth = _prior(a, store, scope, {t.code for t in fc.family.triggers}) + 1
                out.append(EarlyWarning(
                    store, fc.family.name, scope, trig.code, orders, events,
                    round(events / orders, 6) if orders else 0.0, more, frozen,
                    **_about(a, fc, trig, nth)))
    out.sort(key=lambda w: (w.frozen, w.more_needed is None,
                            w.more_needed if w.more_needed is not None else 0,
                            -w.rate, w.store, w.scope))
    return out


def _streak_warnings(a: Assessment, fc: Any, trig: Any, at: dt.datetime) -> list[EarlyWarning]:
    """Stores with qualifying days in a row up to the last day, short of a streak (5.3)."""
    last = a.n_days - 1
    c = fc.counts[trig.code]
    out = []
    for index in streak_candidates(c, trig.threshold).tolist():
        store, scope = fc.keys[index]
        state = a.states.get((fc.family.name, store, scope))
        floor = state.floor if state is not None else 0
        den, num = day_grid(fc.only(trig.code, index), np.zeros(1, np.int64))
        q = qualifying(den, num, trig.threshold, trig.window, floor)[0, :, last]
        run = 0
        while run < trig.streak_days and last - run >= 0 and q[last - run]:
            run += 1
        if run == 0 or run >= trig.streak_days:
            continue
        frozen = bool(a.book and fc.family.sanction_name(scope) in a.book.active(store, at))
        days = tuple(a.clock.date_of(a.day0 + last - k).isoformat()
                     for k in reversed(range(run)))
        more = trig.streak_days - run
        out.append(EarlyWarning(store, fc.family.name, scope, trig.code, 0, 0, 0.0, more,
                                frozen, **_about(a, fc, trig, 1), streak_days=days,
                                threshold_rate=trig.threshold.rate_ppm / 1_000_000,
                                threshold_count=trig.threshold.min_count))
    return out


def _about(a: Assessment, fc: Any, trig: Any, nth: int) -> dict[str, Any]:
    days, permanent = _duration(a, trig.code, nth)
    return {"metric": METRIC.get(trig.event_col, trig.event_col),
            "pack": getattr(a.pack, "code", None), "sanction": fc.family.sanction,
            "sanction_days": days, "sanction_permanent": permanent}


def _prior(a: Assessment, store: str, scope: str, codes: set[str]) -> int:
    """Violations of these codes on this scope inside the pack's repeat window (the
    escalation counter: 3 freezes in 365 days make the 4th permanent)."""
    rules = getattr(a.pack, "rules", {}) or {}
    since = None
    for code in codes:
        rule = rules.get(code)
        if rule is not None and rule.repeats is not None and rule.repeats.rolling_days:
            since = a.until - dt.timedelta(days=float(rule.repeats.rolling_days.at(a.until)))
    return sum(1 for v in a.violations if v.subject == store and v.code in codes
               and v.evidence.get("scope") == scope and (since is None or v.at > since))


def _duration(a: Assessment, code: str, nth: int = 1) -> tuple[float | None, bool]:
    """How long the pack's sanction for the ``nth`` hit of this rule lasts: (days, permanent);
    (None, False) when the pack does not say."""
    rules = getattr(a.pack, "rules", {}) or {}
    rule = rules.get(code)
    if rule is None:
        return None, False
    cons = rule.consequences
    if rule.repeats is not None:
        for tier in rule.repeats.tiers:
            first = tier.first.at(a.until) if tier.first is not None else 1
            last = tier.last.at(a.until) if tier.last is not None else nth
            if first <= nth <= last:
                cons = cons.merged(tier.consequences, replace=tier.replace)
    for spec in cons.sanctions:
        if spec.permanent:
            return None, True
        if spec.days is not None:
            return float(spec.days.at(a.until)), False
    return None, False


def top(warnings: list[EarlyWarning], n: int) -> list[EarlyWarning]:
    return warnings[:n] if n > 0 else warnings
