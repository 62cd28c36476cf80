"""What each console page shows, gathered from the service (no HTML here)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from .. import notices
from ..api.auth import Principal
from ..api.service import Governance
from ..api.wire import state_out
from ..i18n import _
from ..sources import citation
from ..store.summaries import OPEN_APPEAL
from . import charts, documents_view, history, listing, names, orders_view, scan_view

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
    """Every visible subject's row, in id order (the static report lists them all)."""
    return sorted(listing.rows_of(gov, who, at), key=lambda r: r["id"])


def subject_page(gov: Governance, who: Principal, subject: str,
                 at: dt.datetime) -> dict[str, Any]:
    pack_code = gov.pack_of(who, subject)
    pack = _pack(pack_code)
    state = gov.state(who, subject, at)
    decisions = gov.decisions(who, subject, at)
    start = min([d.at for d in decisions] + [at - YEAR])
    past = history.history(lambda t: gov.states.state(subject, t), decisions, start, at)
    score_charts, unchanged = [], {}
    for name, points in past.scores.items():
        if len({v for _, v in points}) < 2:
            unchanged[name] = points[-1][1] if points else 0.0  # a flat line says nothing
            continue
        low, high = history.score_range(pack, name, points, at)
        score_charts.append(charts.line_chart(
            [charts.Series(names.name("score", name, pack_code), points)],
            history.band_rules(pack, name, at, lambda kind, code: names.name(kind, code,
                                                                              pack_code)),
            start, at, low=low, high=high,
            title=_("%(score)s, %(start)s to %(end)s") % {
                "score": names.name("score", name, pack_code), "start": f"{start:%Y-%m-%d}",
                "end": f"{at:%Y-%m-%d}"},
            tz=pack.timezone))
    timeline = charts.timeline(
        [charts.Span(names.name("sanction", sp.lane, pack_code), sp.label, sp.start, sp.end)
         for sp in past.spans], start, at, title=_("Sanctions over time"), tz=pack.timezone)
    appealed = {a.violation for a in state.appeals}
    window = pack.appeals.window_days.at(at) if pack.appeals else None
    registered = gov.subjects(who).get(subject, (pack_code, None))[1]
    categories = tuple(getattr(registered, "categories", ()) or ())
    documents = (documents_view.panel(gov, pack, subject, categories, at)
                 if documents_view.required_anywhere(pack) else None)
    return {
        "subject": subject, "subject_name": getattr(registered, "name", None), "pack": pack,
        "state": state_out(state), "score_charts": score_charts, "unchanged": unchanged,
        "timeline": timeline, "has_spans": bool(past.spans), "documents": documents,
        "violations": _violations(pack, state, decisions, window, at),
        "appealed": appealed, "may_appeal": who.role in ("admin", "merchant"),
        "has_orders": orders_view.has_orders(gov.store, subject),
        "holds_possible": bool(state.holds) or _holds_possible(pack),
    }


def _holds_possible(pack) -> bool:
    """Whether any rule of the pack may hold funds (else the holds card is left out)."""
    for rule in pack.rules.values():
        variants = [*rule.flags.values(), *(rule.repeats.tiers if rule.repeats else ())]
        if rule.consequences.holds or any(v.consequences.holds for v in variants):
            return True
    return False


def _violations(pack, state, decisions, window_days: float | None,
                at: dt.datetime) -> list[dict[str, Any]]:
    """Each recorded violation with every decision that followed from it, worded as the
    platform's notice, and whether it may still be appealed (within the pack's window)."""
    by_cause: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in decisions:
        by_cause[str(d.cause)].append(_explained(pack, d))

    def appealable(v) -> bool:
        return window_days is not None and at - v.at <= dt.timedelta(days=float(window_days))

    return [{"record": v, "decisions": by_cause.get(v.id, []), "appealable": appealable(v)}
            for v in sorted(state.violations, key=lambda v: v.at, reverse=True)]


def _explained(pack, d) -> dict[str, Any]:
    prov = d.provenance or {}
    assumption = prov.get("assumption")
    # The citation of the source; an assumption (how the rule was modelled where the source
    # is silent) is kept apart, for the analysts who read it.
    cited = citation(prov) or ("" if assumption else notices.source(d))
    return {"kind": d.kind, "kind_name": notices.kind_name(d.kind),
            "text": notices.notice(d, pack), "source": cited,
            "assumption": notices.assumption(assumption) if assumption else None}


def appeal_rows(gov: Governance, who: Principal, now: dt.datetime) -> list[dict[str, Any]]:
    rows = []
    for subject, appeal in gov.appeals(who, OPEN_APPEAL, now):
        left = (appeal.due - now) if appeal.due else None
        rows.append({"subject": subject, "appeal": appeal, "left": _countdown(left),
                     "urgency": _urgency(left)})
    return rows


def _countdown(left: dt.timedelta | None) -> str:
    if left is None:
        return _("no deadline")
    overdue = left < dt.timedelta(0)
    span = abs(left)
    days, hours = span.days, span.seconds // 3600
    text = (_("%(d)sd %(h)sh") % {"d": days, "h": hours} if days else
            _("%(h)sh %(m)sm") % {"h": hours, "m": span.seconds % 3600 // 60})
    return (_("overdue by %(time)s") if overdue else _("%(time)s left")) % {"time": text}


def _urgency(left: dt.timedelta | None) -> str:
    if left is None:
        return "calm"
    if left < dt.timedelta(0):
        return "overdue"
    return "urgent" if left < dt.timedelta(days=1) else "calm"


def logistics_page(gov: Governance, who: Principal, subject: str | None) -> dict[str, Any]:
    return orders_view.panel(gov, who, subject)


def scan_categories() -> list[str]:
    from ..api.scanning import scan_categories, scanner_available

    return scan_categories() if scanner_available() else []


def scan_result(text: str, pack: str | None, category: str | None,
                source: str = "seller") -> dict[str, Any]:
    return scan_view.result(text, pack, category, source)
