"""Domain objects (engine states and decisions) to wire models.

Instants leave the API as ISO 8601 with their offset, in the pack's zone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ..errors import PackError
from ..i18n import _
from ..notices import assumption as assumption_words
from ..notices import notice
from ..rules import load_pack
from ..sources import citation
from ..timekit import DEFAULT_ZONE, zone
from .models import (
    AppealOut,
    DecisionOut,
    ExplanationOut,
    HoldOut,
    NoticeOut,
    SanctionOut,
    StateOut,
    ViolationOut,
)


def instant(t: dt.datetime | None, tz: str = DEFAULT_ZONE) -> str | None:
    return None if t is None else t.astimezone(zone(tz)).isoformat()


def plain(value: Any) -> Any:
    """JSON-ready copies of the free-form mappings in decisions and evidence."""
    if isinstance(value, dt.datetime):
        return instant(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if hasattr(value, "to_dict"):
        return plain(value.to_dict())
    return value


def _money(value: Decimal | bool | None) -> float | bool | None:
    if value is None or isinstance(value, bool):
        return value
    return float(value)


def lasts(s) -> str:
    """How a sanction ends, in the words of the engine's records."""
    if s.permanent:
        return "permanent"
    if s.until:
        return f"until {s.until}"
    if s.band is not None:
        return "while in band"
    return "while below threshold" if s.ladder_step else "timed"


def sanction_out(s) -> SanctionOut:
    return SanctionOut(name=s.name, kind=s.kind, scope=s.scope, start=instant(s.start) or "",
                       end=instant(s.end), lasts=lasts(s), rule=s.rule, cause=s.cause)


def hold_out(h) -> HoldOut:
    return HoldOut(account=h.account, amount=_money(h.amount), start=instant(h.start) or "",
                   end=instant(h.end), until=h.until, rule=h.rule, cause=h.cause)


def violation_out(v) -> ViolationOut:
    evidence = getattr(v, "evidence", None) or {}
    return ViolationOut(id=v.id, code=v.code, at=instant(v.at) or "",
                        item=getattr(v, "item", None),
                        scope=getattr(v, "scope", None) or evidence.get("scope"))


def notice_out(n) -> NoticeOut:
    return NoticeOut(kind=n.kind, at=instant(n.at) or "", rule=getattr(n, "rule", None),
                     cause=getattr(n, "cause", None))


def appeal_out(subject: str, a) -> AppealOut:
    return AppealOut(id=a.id, subject=subject, violation=a.violation, status=a.status,
                     filed_at=instant(a.filed_at) or "", due=instant(a.due),
                     due_assumed_weekdays=bool(a.due_assumed_weekdays),
                     material_due=instant(a.material_due), complex=a.complex)


def state_out(state) -> StateOut:
    return StateOut(
        subject=state.subject, pack=state.pack, version=str(state.version),
        as_of=instant(state.as_of) or "", scores={k: float(v) for k, v in state.scores.items()},
        band=state.band, fees=float(state.fees),
        held={k: _money(v) for k, v in state.held.items()},  # type: ignore[misc]
        holds=[hold_out(h) for h in state.holds],
        sanctions=[sanction_out(s) for s in state.sanctions],
        violations=[violation_out(v) for v in state.violations],
        notices=[notice_out(n) for n in state.notices],
        appeals=[appeal_out(state.subject, a) for a in state.appeals],
    )


def decision_out(d) -> DecisionOut:
    e = d.explanation
    return DecisionOut(
        id=d.id, at=instant(d.at) or "", subject=d.subject, kind=d.kind, rule=d.rule,
        pack=d.pack, version=str(d.version), cause=None if d.cause is None else str(d.cause),
        detail=plain(dict(d.detail or {})),
        explanation=explanation_out(e).model_copy(update={"notice": _notice(d)}),
    )


def _notice(d) -> str:
    try:
        pack = load_pack(d.pack)
    except PackError:  # a pack this installation does not ship: the engine's sentence
        return str(d.text)
    return notice(d, pack)


def explanation_out(e) -> ExplanationOut:
    """The rule's provenance: a source (its title, date and quote) or an assumption with its
    reason."""
    prov = dict(getattr(e, "provenance", None) or {})
    source = citation(prov)
    assumption = assumption_words(prov["assumption"]) if prov.get("assumption") else None
    if prov.get("override"):
        assumption = _("A value overridden for a what-if run")
    return ExplanationOut(rule=e.rule, source=source, assumption=assumption,
                          inputs=plain(dict(e.inputs or {})), text=e.text)
