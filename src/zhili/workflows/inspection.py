"""Pre-shipment warehouse inspection (入仓质检, 先检后发), 微信小店严打无货源店铺 2026-03-24, as a state machine.

A store first enables inspection and configures its submission information
(``inspection_enabled``). Each of its orders is then submitted to the platform's QC centre,
checked for appearance and material, and either passes (the platform packs and ships it) or
fails. A failed order may be submitted again, at most ``max_attempts`` times in all; when the
last attempt fails the order must be cancelled by agreement with the buyer
(``order_cancellation_required``).

Everything here is pure: a transition returns a new value and never mutates. An impossible
transition (a result for a store that never enabled inspection, a fourth attempt, shipping an
order that has not passed) raises :class:`InspectionTransitionError` naming the order, its
state and what would have been allowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum

from ..errors import InputError
from ..events import Event, InspectionEnabled, InspectionResult, in_time_order
from ..i18n import _
from ..timekit import fmt


class InspectionTransitionError(InputError):
    """An inspection step that the flow does not allow from the order's current state."""


class OrderState(Enum):
    """Where one order is in the flow."""

    NEW = "new"  # the store inspects; the order has not been submitted yet
    SUBMITTED = "submitted"  # at the QC centre, awaiting the appearance and material checks
    FAILED = "failed"  # an attempt failed and attempts remain: it may be submitted again
    PASSED = "passed"  # both checks passed: the platform packs it
    SHIPPED = "shipped"  # the platform shipped it
    CANCELLATION_REQUIRED = "cancellation_required"  # the last allowed attempt failed
    CANCELLED = "cancelled"  # cancelled by agreement with the buyer


# The explicit transition table: action -> states it may start from. Anything else is refused.
ALLOWED_FROM: Mapping[str, frozenset[OrderState]] = {
    "submit": frozenset({OrderState.NEW, OrderState.FAILED}),
    "record_checks": frozenset({OrderState.SUBMITTED}),
    "ship": frozenset({OrderState.PASSED}),
    "cancel": frozenset({OrderState.CANCELLATION_REQUIRED}),
}
TERMINAL = frozenset({OrderState.SHIPPED, OrderState.CANCELLED})


@dataclass(frozen=True, slots=True)
class Attempt:
    """One inspection of an order at the QC centre."""

    number: int
    submitted_at: dt.datetime
    checked_at: dt.datetime | None = None
    appearance: str | None = None  # "pass" | "fail"
    material: str | None = None

    @property
    def passed(self) -> bool:
        return self.appearance == "pass" and self.material == "pass"


@dataclass(frozen=True, slots=True)
class OrderInspection:
    """The inspection record of one order."""

    store: str
    order: str
    max_attempts: int
    state: OrderState = OrderState.NEW
    attempts: tuple[Attempt, ...] = ()
    changed_at: dt.datetime | None = None

    def _refuse(self, action: str, why: str | None = None) -> InspectionTransitionError:
        allowed = ", ".join(sorted(s.value for s in ALLOWED_FROM[action]))
        reason = why or f"it is {self.state.value}; {action} needs one of: {allowed}"
        return InspectionTransitionError(
            _("order %(order)s of store %(store)s: cannot %(action)s: %(reason)s")
            % {"order": self.order, "store": self.store, "action": action, "reason": reason},
            path=f"inspection.{self.order}",
        )

    def _check(self, action: str, at: dt.datetime) -> None:
        if self.state not in ALLOWED_FROM[action]:
            if action == "submit" and self.state is OrderState.CANCELLATION_REQUIRED:
                raise self._refuse(action, f"attempt {len(self.attempts) + 1} would exceed the "
                                           f"limit of {self.max_attempts} inspections per order")
            raise self._refuse(action)
        if self.changed_at is not None and at < self.changed_at:
            raise self._refuse(action, f"{fmt(at)} is before its last step at "
                                       f"{fmt(self.changed_at)}")

    def submit(self, at: dt.datetime) -> OrderInspection:
        """Send the order to the QC centre (again, after a failure)."""
        self._check("submit", at)
        attempt = Attempt(number=len(self.attempts) + 1, submitted_at=at)
        return replace(self, state=OrderState.SUBMITTED, attempts=(*self.attempts, attempt),
                       changed_at=at)

    def record_checks(self, at: dt.datetime, appearance: str, material: str) -> OrderInspection:
        """The QC centre's appearance and material checks of the current attempt."""
        self._check("record_checks", at)
        for name, value in (("appearance", appearance), ("material", material)):
            if value not in ("pass", "fail"):
                raise InspectionTransitionError(_("expected pass or fail, got %(value)r")
                                                % {"value": value},
                                                path=f"inspection.{self.order}.{name}")
        done = replace(self.attempts[-1], checked_at=at, appearance=appearance,
                       material=material)
        attempts = (*self.attempts[:-1], done)
        if done.passed:
            state = OrderState.PASSED
        elif done.number >= self.max_attempts:
            state = OrderState.CANCELLATION_REQUIRED
        else:
            state = OrderState.FAILED
        return replace(self, state=state, attempts=attempts, changed_at=at)

    def ship(self, at: dt.datetime) -> OrderInspection:
        self._check("ship", at)
        return replace(self, state=OrderState.SHIPPED, changed_at=at)

    def cancel(self, at: dt.datetime) -> OrderInspection:
        self._check("cancel", at)
        return replace(self, state=OrderState.CANCELLED, changed_at=at)

    def inspect(self, at: dt.datetime, appearance: str, material: str) -> OrderInspection:
        """An ``inspection_result``: the submission it implies, then the checks.

        Scenario files record only results, so a result on a new or failed order is also its
        submission at the same instant.
        """
        submitted = self.submit(at) if self.state is not OrderState.SUBMITTED else self
        return submitted.record_checks(at, appearance, material)


@dataclass(frozen=True, slots=True)
class CancellationRequired:
    """The notice raised when an order failed its last allowed inspection."""

    store: str
    order: str
    at: dt.datetime
    attempts: int
    kind: str = "order_cancellation_required"


@dataclass(frozen=True, slots=True)
class StoreInspections:
    """One store's inspection programme: whether it is enabled and every order's record."""

    store: str
    max_attempts: int
    enabled_at: dt.datetime | None = None
    orders: Mapping[str, OrderInspection] = field(default_factory=dict)

    def enable(self, at: dt.datetime) -> StoreInspections:
        # Enabling twice is a repeated configuration, not an error: the first instant stands.
        return self if self.enabled_at is not None else replace(self, enabled_at=at)

    def order(self, order: str) -> OrderInspection:
        return self.orders.get(order) or OrderInspection(self.store, order, self.max_attempts)

    def inspect(self, order: str, at: dt.datetime, appearance: str,
                material: str) -> StoreInspections:
        if self.enabled_at is None or at < self.enabled_at:
            since = f" (enabled only at {fmt(self.enabled_at)})" if self.enabled_at else ""
            raise InspectionTransitionError(
                _("store %(store)s has no warehouse inspection enabled at %(value)s%(since)s: "
                  "an inspection result for order %(order)s is impossible")
                % {"store": self.store, "value": fmt(at), "since": since, "order": order},
                path=f"inspection.{order}",
            )
        updated = self.order(order).inspect(at, appearance, material)
        return replace(self, orders={**self.orders, order: updated})


def apply_event(stores: dict[str, StoreInspections], event: Event,
                max_attempts: int) -> OrderInspection | None:
    """Fold one inspection event into ``stores`` (updated in place).

    Returns the order record an ``inspection_result`` changed (None for anything else); an
    impossible step raises :class:`InspectionTransitionError` naming the event.
    """
    if not isinstance(event, InspectionEnabled | InspectionResult) or event.subject is None:
        return None
    store = stores.get(event.subject) or StoreInspections(event.subject, max_attempts)
    if isinstance(event, InspectionEnabled):
        stores[event.subject] = store.enable(event.at)
        return None
    try:
        store = store.inspect(event.order, event.at, event.appearance, event.material)
    except InspectionTransitionError as err:
        raise InspectionTransitionError(err.message, path=f"events.{event.id}") from None
    stores[event.subject] = store
    return store.orders[event.order]


def run_inspections(events: Iterable[Event], max_attempts: int,
                    ) -> tuple[dict[str, StoreInspections], list[CancellationRequired]]:
    """Fold the inspection events of any number of stores, in time order.

    Returns every store's programme and the ``order_cancellation_required`` notices, in time
    order. Raises :class:`InspectionTransitionError` on the first impossible step.
    """
    if max_attempts < 1:
        raise InputError(_("max_attempts must be at least 1, got %(max_attempts)s")
                         % {"max_attempts": max_attempts})
    stores: dict[str, StoreInspections] = {}
    notices: list[CancellationRequired] = []
    for event in in_time_order(events):
        record = apply_event(stores, event, max_attempts)
        if record is not None and record.state is OrderState.CANCELLATION_REQUIRED:
            notices.append(CancellationRequired(record.store, record.order, event.at,
                                                len(record.attempts)))
    return stores, notices
