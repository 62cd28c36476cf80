"""Who chooses the time and the id of what a caller submits.

A merchant states facts about its own conduct (an appeal, material, a document, a
rectification), and deadlines are judged on when it stated them. So the server's clock is the
time of everything a merchant submits: a client's ``at`` serves only as a check, and one more
than ``SKEW`` from the server's clock is refused rather than trusted. The platform's own
imports (admin and reviewer keys) keep their times, which may lie in the past, but never later
than the server's clock plus ``SKEW``: nothing is recorded before it happens.

Ids are scoped the same way. Every id a merchant gives is stored as ``merchant:SUBJECT:ID``
(and one it leaves out is drawn at random there), so a merchant can neither claim an id the
platform or a detector will use (detector ids are deterministic) nor learn whether an id
exists outside its own namespace: the ``duplicates`` of its answer can only be its own.
The ``merchant:`` prefix is reserved; the platform's ids may not use it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..errors import InputError
from ..events import Event, parse_events
from ..i18n import _
from .auth import Principal

SKEW = dt.timedelta(minutes=5)
MERCHANT_NAMESPACE = "merchant:"


def merchant_id(subject: str, given: str | None) -> str:
    """The stored id of a merchant's event: its own id, inside its subject's namespace."""
    return f"{MERCHANT_NAMESPACE}{subject}:{given or uuid.uuid4().hex}"


def stamped(who: Principal, given: dt.datetime | None, now: dt.datetime,
            path: str = "at") -> dt.datetime:
    """The time to record for a submission by ``who``, given ``at`` (or None) at ``now``."""
    if given is None:
        return now
    if who.role == "merchant":
        if abs(given - now) > SKEW:
            raise InputError(_(
                "a merchant's submissions take the server's time (%(now)s); the `at` given "
                "(%(given)s) is more than %(minutes)d minutes from it: omit `at`")
                % {"now": now.isoformat(), "given": given.isoformat(), "minutes": _minutes()},
                path=path)
        return now
    if given > now + SKEW:
        raise InputError(_(
            "expected a time no later than the server's clock (%(now)s) plus %(minutes)d "
            "minutes, got %(given)s: events are recorded once they happen")
            % {"now": now.isoformat(), "given": given.isoformat(), "minutes": _minutes()},
            path=path)
    return given


def admit(who: Principal, raws: Sequence[Mapping[str, Any]], now: dt.datetime,
          check: Callable[[Sequence[Event]], None]) -> list[Event]:
    """The events of a POST as they are stored: ids scoped, times stamped for ``who``.

    ``check`` sees the events as parsed, before their times are judged, so that a caller
    who may not post them at all hears that first. Errors name the event (``[i].field``), as
    the parser's do.
    """
    filled = []
    for i, raw in enumerate(raws):
        if not isinstance(raw, Mapping):
            raise InputError(_("expected an event mapping, got %(raw)r")
                             % {"raw": raw}, path=f"[{i}]")
        item = dict(raw)
        if who.role != "merchant":
            _check_platform_id(item.get("id"), f"[{i}].id")
        if item.get("at") is None:
            item["at"] = now
        filled.append(item)
    events = parse_events(filled, path="")
    check(events)
    admitted = []
    for i, (raw, event) in enumerate(zip(filled, events, strict=True)):
        at = stamped(who, event.at, now, path=f"[{i}].at")
        changes: dict[str, Any] = {"at": at} if at != event.at else {}
        if who.role == "merchant" and event.subject is not None:
            changes["id"] = merchant_id(event.subject, raw.get("id"))
        admitted.append(dataclasses.replace(event, **changes) if changes else event)
    return admitted


def _check_platform_id(value: object, path: str) -> None:
    if isinstance(value, str) and value.startswith(MERCHANT_NAMESPACE):
        raise InputError(_("ids starting with %(prefix)s are merchants' own; choose another "
                           "id") % {"prefix": repr(MERCHANT_NAMESPACE)}, path=path)


def _minutes() -> int:
    return int(SKEW.total_seconds() // 60)
