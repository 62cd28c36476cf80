"""Event types of SCENARIOS.md as frozen dataclasses, and their parsing.

Events are facts with a time. Parsing is strict: an unknown type or field is an error, never
ignored, and every error names the field and what was expected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from functools import cache, partial
from operator import attrgetter
from typing import Any, ClassVar

from .errors import EventError, InputError
from .i18n import N_, _
from .timekit import DEFAULT_ZONE, parse_instant


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    at: dt.datetime
    subject: str | None
    type: ClassVar[str] = ""
    # Ties at one instant fold in this order, so that the result never depends on input order:
    # facts about money and links first, then violations, then what reacts to them.
    rank: ClassVar[int] = 50

    def sort_key(self) -> tuple[dt.datetime, int, str]:
        return (self.at, self.rank, self.id)


@dataclass(frozen=True, slots=True)
class Violation(Event):
    code: str = ""
    item: str | None = None
    amount: Decimal | None = None
    flags: tuple[str, ...] = ()
    evidence: Mapping[str, Any] = field(default_factory=dict)
    score: str | None = None
    type: ClassVar[str] = "violation"
    rank: ClassVar[int] = 40


@dataclass(frozen=True, slots=True)
class LiveSession(Event):
    minutes: float = 0.0
    transactions: int = 0
    type: ClassVar[str] = "live_session"
    rank: ClassVar[int] = 30


@dataclass(frozen=True, slots=True)
class ContentPublished(Event):
    channel: str = ""
    text: str = ""
    category: str | None = None
    item: str | None = None
    type: ClassVar[str] = "content_published"
    rank: ClassVar[int] = 40


@dataclass(frozen=True, slots=True)
class DepositPaid(Event):
    amount: Decimal = Decimal(0)
    type: ClassVar[str] = "deposit_paid"
    rank: ClassVar[int] = 10


@dataclass(frozen=True, slots=True)
class AppealFiled(Event):
    violation: str = ""
    complex: bool = False
    materials: tuple[str, ...] = ()
    type: ClassVar[str] = "appeal_filed"
    rank: ClassVar[int] = 60


@dataclass(frozen=True, slots=True)
class MaterialRequested(Event):
    appeal: str = ""
    type: ClassVar[str] = "material_requested"
    rank: ClassVar[int] = 61


@dataclass(frozen=True, slots=True)
class MaterialSubmitted(Event):
    appeal: str = ""
    type: ClassVar[str] = "material_submitted"
    rank: ClassVar[int] = 62


@dataclass(frozen=True, slots=True)
class AppealDecided(Event):
    appeal: str = ""
    outcome: str = ""
    type: ClassVar[str] = "appeal_decided"
    rank: ClassVar[int] = 63


@dataclass(frozen=True, slots=True)
class RectificationCompleted(Event):
    violation: str | None = None
    type: ClassVar[str] = "rectification_completed"
    rank: ClassVar[int] = 55


@dataclass(frozen=True, slots=True)
class DocumentSubmitted(Event):
    doc_type: str = ""
    valid_until: dt.datetime | None = None
    doc_id: str | None = None
    item: str | None = None
    batch: str | None = None
    type: ClassVar[str] = "document_submitted"
    rank: ClassVar[int] = 20


@dataclass(frozen=True, slots=True)
class DocumentReviewed(Event):
    doc_id: str = ""
    result: str = ""
    type: ClassVar[str] = "document_reviewed"
    rank: ClassVar[int] = 21


@dataclass(frozen=True, slots=True)
class DocumentDeadline(Event):
    doc_type: str = ""
    due: dt.datetime | None = None
    type: ClassVar[str] = "document_deadline"
    rank: ClassVar[int] = 22


@dataclass(frozen=True, slots=True)
class InspectionEnabled(Event):
    type: ClassVar[str] = "inspection_enabled"
    rank: ClassVar[int] = 20


@dataclass(frozen=True, slots=True)
class InspectionResult(Event):
    order: str = ""
    appearance: str = ""
    material: str = ""
    type: ClassVar[str] = "inspection_result"
    rank: ClassVar[int] = 35


@dataclass(frozen=True, slots=True)
class SpotCheckResult(Event):
    item: str = ""
    result: str = ""
    supplier: str | None = None
    amount: Decimal | None = None  # the item's goods payments of the last 30 days, if known
    type: ClassVar[str] = "spot_check_result"
    rank: ClassVar[int] = 35


@dataclass(frozen=True, slots=True)
class DropShippingDetermined(Event):
    items: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    type: ClassVar[str] = "drop_shipping_determined"
    rank: ClassVar[int] = 40


@dataclass(frozen=True, slots=True)
class FraudDetermined(Event):
    reason: str = ""
    type: ClassVar[str] = "fraud_determined"
    rank: ClassVar[int] = 40


@dataclass(frozen=True, slots=True)
class ExemptionDeclared(Event):
    scope: str = "all"
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    reason: str = ""
    type: ClassVar[str] = "exemption_declared"
    rank: ClassVar[int] = 5


@dataclass(frozen=True, slots=True)
class LinkObserved(Event):
    other: str = ""
    via: str = ""
    type: ClassVar[str] = "link_observed"
    rank: ClassVar[int] = 8


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        Violation, LiveSession, ContentPublished, DepositPaid, AppealFiled, MaterialRequested,
        MaterialSubmitted, AppealDecided, RectificationCompleted, DocumentSubmitted,
        DocumentReviewed, DocumentDeadline, InspectionEnabled, InspectionResult,
        SpotCheckResult, DropShippingDetermined, FraudDetermined, ExemptionDeclared, LinkObserved,
    )
}

# Fields a type must have, and the closed vocabularies some fields take.
REQUIRED: dict[str, tuple[str, ...]] = {
    "violation": ("code",),
    "live_session": ("minutes",),
    "content_published": ("channel", "text"),
    "deposit_paid": ("amount",),
    "appeal_filed": ("violation",),
    "material_requested": ("appeal",),
    "material_submitted": ("appeal",),
    "appeal_decided": ("appeal", "outcome"),
    "document_submitted": ("doc_type", "valid_until"),
    "document_reviewed": ("doc_id", "result"),
    "document_deadline": ("doc_type", "due"),
    "inspection_result": ("order", "appearance", "material"),
    "spot_check_result": ("item", "result"),
    "fraud_determined": ("reason",),
    "exemption_declared": ("start", "end"),
    "link_observed": ("other", "via"),
}
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("content_published", "channel"): ("title", "detail", "live", "chat", "video"),
    ("appeal_decided", "outcome"): ("granted", "denied"),
    ("document_reviewed", "result"): ("accepted", "noncompliant", "falsified"),
    ("inspection_result", "appearance"): ("pass", "fail"),
    ("inspection_result", "material"): ("pass", "fail"),
    ("spot_check_result", "result"): ("pass", "fail"),
    ("fraud_determined", "reason"): ("illegal_profit", "abnormal_price", "fake_delivery"),
    ("link_observed", "via"): ("licence", "legal_rep", "device", "ip"),
}
SUBJECTLESS = frozenset({"exemption_declared"})


def _money(value: object) -> Decimal:
    if isinstance(value, bool):
        raise InputError(_("expected an amount in CNY, got %(value)r") % {"value": value})
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InputError(_("expected an amount in CNY, got %(value)r") % {"value": value}) from None
    if not amount.is_finite() or amount < 0:
        raise InputError(_("expected a non-negative amount in CNY, got %(value)r")
                         % {"value": value})
    return amount


# Bounds of what an event may carry: ids and subjects fit the store's indexed columns, a text
# is longer than any listing or live transcript the rules read.
MAX_NAME_CHARS = 200
MAX_TEXT_CHARS = 200_000
LONE_SURROGATE = N_("expected Unicode text, got a lone surrogate (such as \\ud800)")
_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(value: str, limit: int = MAX_TEXT_CHARS) -> str:
    """``value`` when it is text every backend stores alike; an InputError saying why not.

    A lone UTF-16 surrogate (JSON allows ``"\\ud800"``) is not Unicode text: no database can
    store it.
    """
    if len(value) > limit:
        raise InputError(_("expected at most %(limit)s characters, got %(n)s")
                         % {"limit": f"{limit:,}", "n": f"{len(value):,}"})
    if not value.isascii() and _SURROGATE.search(value):
        raise InputError(_(LONE_SURROGATE))
    return value


def valid_name(value: str, limit: int = MAX_NAME_CHARS) -> str:
    """An id or subject: valid text without control characters (PostgreSQL refuses NUL)."""
    valid_text(value, limit)
    if not value.isprintable():
        raise InputError(_("expected an id without control characters, got %(value)s")
                         % {"value": repr(value)})
    return value


def _text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(_("expected text, got %(value)r") % {"value": value})
    return valid_text(str(value))


def _name(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(_("expected text, got %(value)r") % {"value": value})
    return valid_name(str(value))


def _texts(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list | tuple):
        raise InputError(_("expected a list, got %(value)r") % {"value": value})
    return tuple(_text(v) for v in value)


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(_("expected a number, got %(value)r") % {"value": value})
    if value < 0:
        raise InputError(_("expected a non-negative number, got %(value)r") % {"value": value})
    return float(value)


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(_("expected a whole number ≥ 0, got %(value)r") % {"value": value})
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise InputError(_("expected true or false, got %(value)r") % {"value": value})
    return value


def _mapping(value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError(_("expected a mapping, got %(value)r") % {"value": value})
    _check_nested(value)
    return dict(value)


def _check_nested(value: object) -> None:
    """Every text inside free-form evidence is valid text too."""
    if isinstance(value, str):
        valid_text(value)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            _check_nested(k)
            _check_nested(v)
    elif isinstance(value, list | tuple):
        for v in value:
            _check_nested(v)


# The readers of plain fields, by name for the columnar reading of events tables.
read_number, read_count, read_flag, read_text = _number, _count, _flag, _text


def field_reader(kind: str, name: str, tz: str = DEFAULT_ZONE) -> Callable[[object], Any]:
    """The function that reads field ``name`` of a ``kind`` event (before any check of its
    choices, ``CHOICES``)."""
    f = next(f for f in fields(EVENT_TYPES[kind]) if f.name == name)
    return _converter(name, str(f.type), tz)


def _converter(name: str, annotation: str, tz: str) -> Callable[[object], Any]:
    if name in ("amount",):
        return _money
    if name in ("flags", "materials", "items"):
        return _texts
    if name == "minutes":
        return _number
    if name == "transactions":
        return _count
    if name == "complex":
        return _flag
    if name == "evidence":
        return _mapping
    if "datetime" in annotation:
        return lambda v: parse_instant(v, tz)
    return _text


def _auto_id(kind: str, raw: Mapping[str, Any]) -> str:
    """A deterministic id for an event given without one, from its content."""
    canonical = json.dumps({k: raw[k] for k in sorted(raw)}, default=str, ensure_ascii=False)
    digest = hashlib.sha1(canonical.encode()).hexdigest()[:12]
    return f"{kind}:{raw.get('subject', '-')}:{digest}"


@cache
def _schema(kind: str, tz: str) -> dict[str, Callable[[object], Any]]:
    """Each field of an event type with the function that reads it (made once per type and
    zone: event files hold millions of events)."""
    out: dict[str, Callable[[object], Any]] = {}
    for f in fields(EVENT_TYPES[kind]):
        if f.name == "at":
            out[f.name] = partial(parse_instant, tz=tz)
        elif f.name in ("id", "subject"):
            out[f.name] = _name
        else:
            convert = _converter(f.name, str(f.type), tz)
            allowed = CHOICES.get((kind, f.name))
            out[f.name] = _one_of(convert, allowed) if allowed else convert
    return out


def _one_of(convert: Callable[[object], Any], allowed: Sequence[str]
            ) -> Callable[[object], Any]:
    def checked(value: object) -> Any:
        converted = convert(value)
        if converted not in allowed:
            raise InputError(_("expected one of %(value)s, got %(value2)r")
                             % {"value": ', '.join(allowed), "value2": value})
        return converted
    return checked


def parse_event(raw: object, tz: str = DEFAULT_ZONE) -> Event:
    """One event from a mapping, as written in scenario files, JSONL or the API."""
    if not isinstance(raw, Mapping):
        raise EventError(_("expected an event mapping, got %(raw)r") % {"raw": raw})
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in EVENT_TYPES:
        known = ", ".join(sorted(EVENT_TYPES))
        raise EventError(_("unknown event type %(kind)r; expected one of: %(known)s")
                         % {"kind": kind, "known": known}, path="type")
    cls = EVENT_TYPES[kind]
    schema = _schema(kind, tz)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "type":
            continue
        convert = schema.get(key)
        if convert is None:
            allowed = ", ".join(sorted(set(schema) | {"type"}))
            raise EventError(_("unknown field for a %(kind)s event; allowed: %(allowed)s")
                             % {"kind": kind, "allowed": allowed}, path=key)
        if value is None and key not in ("at", "subject", "id"):
            continue
        try:
            values[key] = convert(value)
        except InputError as err:
            raise EventError(err.message, path=key) from None
    if "at" not in values:
        raise EventError(_("missing: every event needs `at`"), path="at")
    if kind not in SUBJECTLESS and not values.get("subject"):
        raise EventError(_("missing: a %(kind)s event needs `subject`")
                         % {"kind": kind}, path="subject")
    if kind in SUBJECTLESS:
        values.setdefault("subject", None)
    for name in REQUIRED.get(kind, ()):
        if name not in values:
            raise EventError(_("missing: a %(kind)s event needs `%(name)s`")
                             % {"kind": kind, "name": name}, path=name)
    if not values.get("id"):
        values["id"] = _auto_id(kind, raw)
    return cls(**values)


def parse_events(raws: Iterable[object], tz: str = DEFAULT_ZONE, *, file: str | None = None,
                 path: str = "events") -> list[Event]:
    out = []
    for i, raw in enumerate(raws):
        try:
            out.append(parse_event(raw, tz))
        except InputError as err:
            raise err.within(file=file, path=f"{path}[{i}]") from None
    return out


def event_to_dict(event: Event) -> dict[str, Any]:
    """The wire form of an event: the mapping ``parse_event`` reads back to the same event."""
    out: dict[str, Any] = {"id": event.id, "type": event.type, "at": event.at.isoformat()}
    if event.subject is not None:
        out["subject"] = event.subject
    for f in fields(event):
        if f.name in ("id", "at", "subject"):
            continue
        value = getattr(event, f.name)
        if value is None or value == () or value == {} or (f.name == "complex" and not value):
            continue
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = int(value) if value == value.to_integral_value() else float(value)
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Mapping):
            value = dict(value)
        out[f.name] = value
    return out


def in_time_order(events: Iterable[Event]) -> list[Event]:
    """Events deduplicated by id (the first one given wins) and sorted for the fold."""
    seen: dict[str, Event] = {}
    for event in events:
        seen.setdefault(event.id, event)
    # The order of Event.sort_key, (at, rank, id), in two stable passes: single-key passes
    # compare faster than one pass over tuples.
    return sorted(sorted(seen.values(), key=_TIE_BREAK), key=_AT)


_TIE_BREAK = attrgetter("rank", "id")
_AT = attrgetter("at")
