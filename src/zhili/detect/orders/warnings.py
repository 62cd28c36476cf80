"""Early warnings: for every scope, how far it is from its threshold as of the last assessment.

"LINE-A: 8 NRD disputes in 74 orders (10.8%): 2 more disputes freeze it for 30 days" — the
line merchants and agencies look at first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from .assess import Assessment
from .series import day_grid, qualifying, streak_candidates, window_series

PHRASE = {"line": "it", "ship_from": "its overseas lines", "store": "all non-Cainiao lines"}


def _freeze(n: int | None) -> str:
    return "freezes" if n == 1 else "freeze"


@dataclass(frozen=True)
class EarlyWarning:
    store: str
    family: str
    scope: str
    code: str
    orders: int
    events: int
    rate: float
    more_needed: int | None      # None: too few orders in the window to reach the threshold
    frozen: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


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
                    _message(scope, trig.event_name, orders, events, more, frozen,
                             PHRASE[fc.family.name], _duration(a, trig.code, nth))))
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
        days = [a.clock.date_of(a.day0 + last - k).isoformat() for k in reversed(range(run))]
        more = trig.streak_days - run
        tail = f"{_freeze(more)} {PHRASE[fc.family.name]} {_duration(a, trig.code)}".strip()
        message = (f"{scope}: {run} day{'s' if run > 1 else ''} in a row with "
                   f"{trig.event_name} ≥ {trig.threshold.rate_ppm / 10_000:g}% and ≥ "
                   f"{trig.threshold.min_count} ({', '.join(days)}): "
                   + ("frozen now" if frozen else f"{more} more such day{'s' if more > 1 else ''} "
                      f"{tail}"))
        out.append(EarlyWarning(store, fc.family.name, scope, trig.code, 0, 0, 0.0, more,
                                frozen, message))
    return out


def _message(scope: str, name: str, orders: int, events: int, more: int | None,
             frozen: bool, action: str, duration: str) -> str:
    rate = f"{100 * events / orders:.1f}%" if orders else "—"
    head = f"{scope}: {events} {name} in {orders} orders ({rate})"
    if frozen:
        return f"{head}: frozen now"
    if more is None:
        return f"{head}: too few orders in the window to reach the threshold"
    if more == 0:
        return f"{head}: at the threshold; the next assessment will " + \
            f"freeze {action} {duration}".strip()
    noun = ("dispute" if more == 1 else "disputes") if "NRD" in name else \
        (name.removesuffix("s") if more == 1 else name)
    return f"{head}: {more} more {noun} " + f"{_freeze(more)} {action} {duration}".strip()


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


def _duration(a: Assessment, code: str, nth: int = 1) -> str:
    """How long the pack's sanction for the ``nth`` hit of this rule lasts, in words."""
    rules = getattr(a.pack, "rules", {}) or {}
    rule = rules.get(code)
    if rule is None:
        return ""
    cons = rule.consequences
    if rule.repeats is not None:
        for tier in rule.repeats.tiers:
            first = tier.first.at(a.until) if tier.first is not None else 1
            last = tier.last.at(a.until) if tier.last is not None else nth
            if first <= nth <= last:
                cons = cons.merged(tier.consequences, replace=tier.replace)
    for spec in cons.sanctions:
        if spec.permanent:
            return "permanently"
        if spec.days is not None:
            return f"for {spec.days.at(a.until):g} days"
    return ""


def top(warnings: list[EarlyWarning], n: int) -> list[EarlyWarning]:
    return warnings[:n] if n > 0 else warnings
