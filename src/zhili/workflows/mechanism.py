"""Warehouse inspection in the engine (微信小店严打无货源店铺 2026-03-24), registered at import.

Each ``inspection_result`` goes through the per-order state machine of
:mod:`zhili.workflows.inspection`, so an impossible step (a result for a store that never
enabled inspection, a fourth attempt) stops the fold with a clear error naming the event. A
failed attempt is recorded as the violation ``inspection_failed`` with the order as its
``item``; the pack's rule counts them per order and its repeat tier gives the
``order_cancellation_required`` notice on the last allowed one. That tier's occurrence number
is also the attempt limit the state machine enforces, so the pack holds the number once.

Packs without an ``inspection_failed`` rule do not run inspections: their inspection events are
left to the engine's determinations, if any.
"""

from __future__ import annotations

from ..engine import ViolationRecord, register_mechanism
from ..engine.fold import ComponentFold
from ..events import Event, InspectionEnabled, InspectionResult
from ..rules import Pack
from ..timekit import local_date
from .inspection import OrderState, StoreInspections, apply_event

RULE = "inspection_failed"
CANCELLATION = "order_cancellation_required"


def max_attempts(pack: Pack) -> int | None:
    """The attempt limit: the occurrence at which the pack requires cancellation."""
    rule = pack.rules.get(RULE)
    if rule is None or rule.repeats is None:
        return None
    for tier in rule.repeats.tiers:
        if CANCELLATION in tier.consequences.notices and tier.first is not None:
            return int(tier.first.value)
    return None


def _stores(fold: ComponentFold) -> dict[str, StoreInspections]:
    found = getattr(fold, "zhili_inspections", None)
    if found is None:
        found = {}
        fold.zhili_inspections = found  # type: ignore[attr-defined]
    return found


def on_event(fold: ComponentFold, event: Event) -> None:
    if not isinstance(event, InspectionResult | InspectionEnabled):
        return
    limit = max_attempts(fold.pack)
    if limit is None:
        return
    record = apply_event(_stores(fold), event, limit)
    if record is None or not isinstance(event, InspectionResult) or event.subject is None:
        return
    attempt = record.attempts[-1]
    if attempt.passed:
        return
    day = local_date(event.at, fold.pack.timezone).isoformat()
    fold.violate(ViolationRecord(
        f"{RULE}:{event.subject}:{event.order}#{attempt.number}:{day}", event.at,
        event.subject, RULE, item=event.order,
        evidence={"scope": event.order, "attempt": attempt.number, "max_attempts": limit,
                  "appearance": event.appearance, "material": event.material,
                  "event": event.id,
                  "cancellation_required": record.state is OrderState.CANCELLATION_REQUIRED},
    ))


register_mechanism(on_event, types=("inspection_enabled", "inspection_result"))
