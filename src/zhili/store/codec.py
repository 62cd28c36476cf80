"""How events, subjects and decisions become stored text, and come back unchanged.

Events are stored in their wire form (``event_to_dict``), read back by ``parse_event``, so the
database holds what the API accepts and a migration never has to know the dataclasses. Amounts
stay exact: the wire form turns a ``Decimal`` into a float, the store keeps its digits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from ..errors import InputError
from ..events import Event, event_to_dict, parse_event, valid_name, valid_text
from ..i18n import _


def _plain(value: Any) -> Any:
    """JSON has no decimals, instants or tuples: store them as exact text and lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def dumps(value: Any) -> str:
    """Stored JSON text; refused (InputError) when it holds what no backend can store alike."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=_plain)
    return valid_text(text, limit=len(text))


def encode_event(event: Event) -> str:
    wire = event_to_dict(event)
    for f in dataclasses.fields(event):
        value = getattr(event, f.name)
        if isinstance(value, Decimal):
            wire[f.name] = str(value)
    return dumps(wire)


def decode_event(text: str) -> Event:
    return parse_event(json.loads(text))


def subject_id(subject: Any) -> str:
    sid = subject.get("id") if isinstance(subject, Mapping) else getattr(subject, "id", None)
    if not isinstance(sid, str) or not sid:
        raise InputError(_("expected a subject with an id, got %(subject)r")
                         % {"subject": subject}, path="id")
    return checked_name(sid, "id")


def checked_name(value: str, path: str) -> str:
    """An id or subject as every backend stores it alike (no NUL, no lone surrogate)."""
    try:
        return valid_name(value)
    except InputError as err:
        raise err.within(path=path) from None


def subject_mapping(subject: Any) -> dict[str, Any]:
    """The scenario-style attribute mapping of a subject, without its id and unset fields."""
    items: Iterable[tuple[str, Any]]
    if isinstance(subject, Mapping):
        items = dict(subject).items()
    elif dataclasses.is_dataclass(subject) and not isinstance(subject, type):
        items = [(f.name, getattr(subject, f.name)) for f in dataclasses.fields(subject)]
    else:
        raise InputError(_("expected a subject (mapping or zhili.engine.Subject), got "
                           "%(subject)r") % {"subject": subject})
    return {k: v for k, v in items if k != "id" and v not in (None, (), [], False)}


def encode_subject(subject: Any) -> str:
    return dumps(subject_mapping(subject))


def decode_subject(sid: str, text: str | None) -> Any:
    """A ``zhili.engine.Subject`` when the engine is there; its mapping until then."""
    if text is None:
        return None
    mapping = json.loads(text)
    try:
        from ..engine import Subject
    except ImportError:
        return {"id": sid, **mapping}
    return Subject.from_mapping(sid, mapping)
