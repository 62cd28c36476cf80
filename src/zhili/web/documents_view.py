"""The documents panel of a subject: what the pack requires, what is on file, what expires
and what is missing, and what each failure costs under the pack's rules.

The registry names, per document, the rule a failure triggers; the rule's consequences (points,
sanctions, holds, fees) are read from the pack at the instant shown, so the panel states the
same cost the engine would decide.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..api.service import Governance
from ..documents import DocumentStatus, documents_as_of, load_registry
from ..i18n import _
from ..rules import Pack
from ..rules.model import Consequences
from .names import name

# The order a person reads a document list in: what hurts first, what is fine last.
SEVERITY = ("falsified", "overdue", "expired", "noncompliant", "missing", "incomplete",
            "expiring", "pending_review", "valid")


def cost(pack: Pack, code: str | None, at: dt.datetime) -> str:
    """What a violation of ``code`` costs on its first occurrence, in a few words."""
    rule = pack.rules.get(code) if code else None
    if rule is None:
        return ""
    return describe(pack, rule.consequences, at) or _("notice only")


def describe(pack: Pack, cons: Consequences, at: dt.datetime) -> str:
    parts = []
    for score, p in cons.deduct:
        # A "down" score (credit) loses points; an "up" one (penalty points) gains them.
        up = getattr(pack.scores.get(score), "direction", "down") == "up"
        parts.append((_("%(score)s +%(points)s") if up else _("%(score)s −%(points)s"))
                     % {"score": name("score", score, pack.code), "points": _num(p.at(at))})
    for s in cons.sanctions:
        if s.permanent:
            parts.append(_("%(sanction)s, permanently") % {"sanction": name("sanction", s.kind, pack.code)})
        elif s.days is not None:
            parts.append(_("%(sanction)s for %(days)s days")
                         % {"sanction": name("sanction", s.kind, pack.code), "days": _num(s.days.at(at))})
        else:
            parts.append(name("sanction", s.kind, pack.code))
    for h in cons.holds:
        parts.append(_("hold on %(account)s") % {"account": name("account", h.account, pack.code)})
    if cons.fee is not None:
        parts.append(_("fee ¥%(amount)s") % {"amount": _num(cons.fee.at(at))})
    return "; ".join(parts)


def _num(value: Any) -> str:
    number = float(value)
    return f"{number:g}"


def panel(gov: Governance, pack: Pack, subject: str, categories: tuple[str, ...],
          at: dt.datetime) -> list[dict[str, Any]]:
    """One row per required document (per batch for batch documents), worst first."""
    events = gov.store.events(pack=pack.code, subjects=[subject], until=at)
    statuses = documents_as_of(events, pack.code, {subject: categories}, at,
                               tz=pack.timezone)[subject]
    registry = load_registry()
    rows: list[dict[str, Any]] = []
    for status in statuses:
        req = registry.spec(pack.code, status.doc_type)
        failures = {failure: code for failure, code in (req.consequences if req else {}).items()
                    if code}
        rows.append({
            "status": status,
            # What happens now (the state's rule), or else what would happen if it lapsed.
            "now": cost(pack, status.code, at) if status.code else "",
            "if_failed": [{"failure": f, "code": c, "cost": cost(pack, c, at)}
                          for f, c in failures.items()] if status.ok else [],
        })
    rows.sort(key=lambda r: _severity(r["status"]))
    return rows


def _severity(status: DocumentStatus) -> int:
    return SEVERITY.index(status.state) if status.state in SEVERITY else len(SEVERITY)


def required_anywhere(pack: Pack) -> bool:
    """Whether the pack requires any document at all (else the panel is not shown)."""
    return bool(load_registry().for_pack(pack.code))
