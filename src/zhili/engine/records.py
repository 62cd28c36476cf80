"""What the fold records: violations, sanctions, holds, notices, decisions and explanations.

Records are immutable named tuples: the fold replaces one in its list when it ends, so a copy
of a book can advance without touching the original. (Named tuples rather than frozen
dataclasses because a fold builds millions of them, and they build several times faster.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from sys import getsizeof
from typing import Any, NamedTuple

from ..timekit import fmt

_PLAIN = frozenset({str, int, float, bool, type(None)})


def _jsonable(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:  # most values: answered without the slower isinstance checks
        return value
    if kind is dict:
        return {k if type(k) is str else str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


_EMPTY: Mapping[str, Any] = {}  # shared default: records never change their mappings


class Fields(Mapping[str, Any]):
    """A decision's detail or inputs: an immutable mapping kept as two tuples, the keys shared
    by every mapping with the same keys. A fold keeps hundreds of thousands of them, and a small
    dict costs twice to three times as much."""

    __slots__ = ("_keys", "_values")

    def __init__(self, keys: tuple[str, ...], values: tuple[Any, ...]):
        self._keys = keys
        self._values = values

    @staticmethod
    def of(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
        """The mapping as fields (one per decision made: built without calling ``__init__``)."""
        if not mapping:
            return _EMPTY
        keys = tuple(mapping)
        found = _new_fields(Fields)
        found._keys = _SHARED_KEYS.get(keys) or _SHARED_KEYS.setdefault(keys, keys)
        found._values = tuple(mapping.values())
        return found

    def __getitem__(self, key: str) -> Any:
        try:
            return self._values[self._keys.index(key)]
        except ValueError:
            raise KeyError(key) from None

    def get(self, key: str, default: Any = None) -> Any:
        keys = self._keys
        return self._values[keys.index(key)] if key in keys else default

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __eq__(self, other: object) -> bool:
        if type(other) is Fields:
            return self._keys == other._keys and self._values == other._values
        return Mapping.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return Fields, (self._keys, self._values)


_SHARED_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {}
_new_fields = object.__new__


class Explanation(NamedTuple):
    """Why a decision was taken: the rule, its provenance, and what was compared."""

    rule: str
    text: str
    provenance: Mapping[str, Any] = _EMPTY
    inputs: Mapping[str, Any] = _EMPTY

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "text": self.text, **_jsonable(self.provenance),
                "inputs": _jsonable(self.inputs)}


class Decision(NamedTuple):
    at: dt.datetime
    subject: str
    kind: str
    rule: str
    pack: str
    version: str
    cause: str | None
    detail: Mapping[str, Any]
    # the explanation's own parts, kept flat: a fold makes hundreds of thousands of decisions;
    # the text as UTF-8 where that is smaller (``text`` reads it)
    wording: str | bytes
    provenance: Mapping[str, Any] = _EMPTY
    inputs: Mapping[str, Any] = _EMPTY
    seq: int = 0  # how many equal decisions (same cause, kind, rule) came before this one

    @property
    def text(self) -> str:
        wording = self.wording
        return wording if type(wording) is str else wording.decode()  # type: ignore[union-attr]

    @property
    def explanation(self) -> Explanation:
        """Why: the rule, the text, its source or assumption, and what was compared."""
        return Explanation(self.rule, self.text, self.provenance, self.inputs)

    @property
    def id(self) -> str:
        """What the decision is, not where it sits: a recomputed history keeps its ids."""
        cause = self.cause if self.cause is not None else self.at.isoformat()
        base = f"{cause}/{self.kind}/{self.rule}/{self.subject}"
        return f"{base}#{self.seq + 1}" if self.seq else base

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "subject": self.subject,
                "kind": self.kind, "rule": self.rule, "pack": self.pack,
                "version": self.version, "cause": self.cause, "detail": _jsonable(self.detail),
                "explanation": self.explanation.to_dict()}


class ViolationRecord(NamedTuple):
    id: str
    at: dt.datetime
    subject: str
    code: str
    item: str | None = None
    amount: Decimal | None = None
    flags: tuple[str, ...] = ()
    evidence: Mapping[str, Any] = _EMPTY
    occurrence: int = 1
    score: str | None = None      # the score the event said its deductions apply to

    def to_dict(self) -> dict[str, Any]:
        return _jsonable({"id": self.id, "at": self.at, "code": self.code, "item": self.item,
                          "amount": self.amount, "flags": list(self.flags),
                          "evidence": self.evidence, "occurrence": self.occurrence})


class Sanction(NamedTuple):
    kind: str
    scope: str | None
    start: dt.datetime
    end: dt.datetime | None          # None: open (permanent, or until a condition or band exit)
    rule: str
    cause: str | None
    band: int | None = None          # band-bound: lifted when the score leaves this band
    ladder_step: str | None = None   # while-below: lifted when the score climbs back
    until: str | None = None
    permanent: bool = False
    detail: Mapping[str, Any] = _EMPTY

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.scope}" if self.scope else self.kind

    def active(self, t: dt.datetime) -> bool:
        return self.start <= t and (self.end is None or t < self.end)

    def to_dict(self, tz: str) -> dict[str, Any]:
        how = ("permanent" if self.permanent else f"until {self.until}" if self.until
               else "while in band" if self.band else "while below threshold"
               if self.ladder_step else "timed")
        return _jsonable({"name": self.name, "kind": self.kind, "scope": self.scope,
                          "start": self.start, "end": self.end, "rule": self.rule,
                          "cause": self.cause, "lasts": how, "detail": self.detail,
                          "ends": fmt(self.end, tz) if self.end else how})


class Hold(NamedTuple):
    account: str
    amount: Decimal | None           # None: the whole account
    start: dt.datetime
    end: dt.datetime | None
    rule: str
    cause: str | None
    until: str | None = None
    scope: str | None = None         # e.g. the item whose goods payments are held

    def active(self, t: dt.datetime) -> bool:
        return self.start <= t and (self.end is None or t < self.end)

    def to_dict(self) -> dict[str, Any]:
        return _jsonable({"account": self.account, "amount": self.amount if self.amount is not None
                          else "all", "scope": self.scope, "start": self.start, "end": self.end,
                          "rule": self.rule, "cause": self.cause, "until": self.until})


class Notice(NamedTuple):
    kind: str
    at: dt.datetime
    rule: str
    cause: str | None

    def to_dict(self) -> dict[str, Any]:
        return _jsonable({"kind": self.kind, "at": self.at, "rule": self.rule,
                          "cause": self.cause})


@dataclass(frozen=True, slots=True)
class AppealState:
    id: str
    violation: str
    status: str
    filed_at: dt.datetime
    due: dt.datetime | None
    due_assumed_weekdays: bool = False
    material_due: dt.datetime | None = None
    complex: bool = False

    def to_dict(self) -> dict[str, Any]:
        return _jsonable({"id": self.id, "violation": self.violation, "status": self.status,
                          "filed_at": self.filed_at, "due": self.due,
                          "due_assumed_weekdays": self.due_assumed_weekdays,
                          "material_due": self.material_due, "complex": self.complex})


def compact_text(text: str) -> str | bytes:
    """The text as it costs least to keep: as it is when it is ASCII or Latin-1, or else as
    UTF-8 when that is smaller (most texts are ASCII with an arrow or a minus sign, which would
    make the whole string two bytes a character)."""
    if text.isascii():
        return text
    encoded = text.encode()
    return encoded if getsizeof(encoded) < getsizeof(text) else text
