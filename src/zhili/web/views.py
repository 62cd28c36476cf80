"""What each console page shows, gathered from the service (no HTML here)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from ..api.auth import Principal
from ..api.service import OPEN_APPEAL, Governance
from ..api.wire import decision_out, state_out
from . import charts, history, orders_view, scan_view

YEAR = dt.timedelta(days=365)


def pack_codes() -> list[str]:
    try:
        from ..rules import available_packs
    except ImportError:
        return []
    return list(available_packs())


def _pack(code: str):
    from ..rules import load_pack

    return load_pack(code)


def subject_rows(gov: Governance, who: Principal, at: dt.datetime) -> list[dict[str, Any]]:
    rows = []
    registered = gov.subjects(who)
    for sid, state in gov.states_of(who, at):
        pack, subject = registered[sid]
        rows.append({
            "id": sid, "pack": pack, "kind": getattr(subject, "kind", None),
            "scores": state.scores, "band": state.band, "fees": state.fees,
            # Several causes may impose the same sanction; the list names each once.
            "sanctions": list(dict.fromkeys(s.name for s in state.sanctions)),
            "holds": len(state.holds), "violations": len(state.violations),
            "open_appeals": sum(a.status in OPEN_APPEAL for a in state.appeals),
        })
    return rows


def subject_page(gov: Governance, who: Principal, subject: str,
                 at: dt.datetime) -> dict[str, Any]:
    pack_code = gov.pack_of(who, subject)
    pack = _pack(pack_code)
    state = gov.state(who, subject, at)
    decisions = gov.decisions(who, subject, at)
    start = min([d.at for d in decisions] + [at - YEAR])
    past = history.history(lambda t: gov.states.state(subject, t), decisions, start, at)
    score_charts = []
    for name, points in past.scores.items():
        low, high = history.score_range(pack, name, points, at)
        score_charts.append(charts.line_chart(
            [charts.Series(name, points)], history.band_rules(pack, name, at), start, at,
            low=low, high=high, title=f"{name} score, {start:%Y-%m-%d} to {at:%Y-%m-%d}",
            tz=pack.timezone))
    timeline = charts.timeline(past.spans, start, at, title="sanctions over time",
                               tz=pack.timezone)
    appealed = {a.violation for a in state.appeals}
    window = pack.appeals.window_days.at(at) if pack.appeals else None
    return {
        "subject": subject, "pack": pack, "state": state_out(state),
        "score_charts": score_charts,
        "timeline": timeline, "violations": _violations(state, decisions, window, at),
        "appealed": appealed, "may_appeal": who.role in ("admin", "merchant"),
        "has_orders": orders_view.has_orders(gov.store, subject),
    }


def _violations(state, decisions, window_days: float | None,
                at: dt.datetime) -> list[dict[str, Any]]:
    """Each recorded violation with every decision that followed from it, explained, and
    whether it may still be appealed (within the pack's window after the decision)."""
    by_cause: dict[str, list[Any]] = defaultdict(list)
    for d in decisions:
        by_cause[str(d.cause)].append(decision_out(d))
    def appealable(v) -> bool:
        return window_days is not None and at - v.at <= dt.timedelta(days=float(window_days))

    return [{"record": v, "decisions": by_cause.get(v.id, []), "appealable": appealable(v)}
            for v in sorted(state.violations, key=lambda v: v.at, reverse=True)]


def appeal_rows(gov: Governance, who: Principal, now: dt.datetime) -> list[dict[str, Any]]:
    rows = []
    for subject, appeal in gov.appeals(who, OPEN_APPEAL, now):
        left = (appeal.due - now) if appeal.due else None
        rows.append({"subject": subject, "appeal": appeal, "left": _countdown(left),
                     "urgency": _urgency(left)})
    return rows


def _countdown(left: dt.timedelta | None) -> str:
    if left is None:
        return "no deadline"
    overdue = left < dt.timedelta(0)
    span = abs(left)
    days, hours = span.days, span.seconds // 3600
    text = f"{days}d {hours}h" if days else f"{hours}h {span.seconds % 3600 // 60}m"
    return f"overdue by {text}" if overdue else f"{text} left"


def _urgency(left: dt.timedelta | None) -> str:
    if left is None:
        return "calm"
    if left < dt.timedelta(0):
        return "overdue"
    return "urgent" if left < dt.timedelta(days=1) else "calm"


def logistics_page(gov: Governance, who: Principal, subject: str | None) -> dict[str, Any]:
    return orders_view.panel(gov, who, subject)


def scan_result(text: str, pack: str | None, category: str | None) -> dict[str, Any]:
    return scan_view.result(text, pack, category)
