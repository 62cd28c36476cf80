"""Parameters: every number a rule uses, dated by effective date, with its provenance."""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import PackError
from ..i18n import _
from ..sources import citation
from ..timekit import parse_instant

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "十": 10, "首": 1}


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a value comes from: a sentence of a source document, or a stated assumption."""

    ref: str | None = None
    title: str | None = None          # the source document, by its title
    date: str | None = None           # … and its date of publication
    quote: str | None = None
    assumption: str | None = None
    override: bool = False
    _dict: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Many decisions cite the same provenance: build its mapping once, share it read-only.
        object.__setattr__(self, "_dict", self._as_dict())

    @property
    def is_assumption(self) -> bool:
        return self.assumption is not None

    def describe(self) -> str:
        if self.override:
            return _("A value overridden for a what-if run")
        if self.assumption is not None:
            # The shipped packs' assumptions are in the catalog (notices.assumption).
            return _("Assumption: %(why)s") % {"why": _(self.assumption)}
        return citation(self._dict) or ""

    def to_dict(self) -> Mapping[str, Any]:
        return self._dict

    def _as_dict(self) -> dict[str, Any]:
        if self.override:
            return {"override": True}
        if self.assumption is not None:
            return {"assumption": self.assumption}
        return {"source": self.title, "date": self.date, "quote": self.quote}


@dataclass(frozen=True, slots=True)
class Param:
    """A named value, possibly changing at effective dates, with its provenance."""

    name: str
    starts: tuple[dt.datetime | None, ...]
    values: tuple[Any, ...]
    provenance: Provenance
    _cutoffs: tuple[dt.datetime, ...] = field(default=(), repr=False)

    def at(self, t: dt.datetime | None = None) -> Any:
        if len(self.values) == 1 or t is None:
            return self.values[-1] if t is None else self.values[0]
        i = bisect_right(self._cutoffs, t)
        return self.values[max(i, 0)]

    @property
    def value(self) -> Any:
        return self.values[-1]


def make_param(name: str, starts: list[dt.datetime | None], values: list[Any],
               provenance: Provenance) -> Param:
    order = sorted(range(len(values)), key=lambda i: (starts[i] is not None, starts[i] or 0))
    s = tuple(starts[i] for i in order)
    v = tuple(values[i] for i in order)
    # values[k] applies from starts[k]; the first applies before any later start too.
    cutoffs = tuple(x for x in s[1:] if x is not None)
    return Param(name, s, v, provenance, cutoffs)


def number_in_quote(value: Any, quote: str) -> bool:
    """Whether a sourced number actually appears in its quoted sentence.

    Accepts Arabic digits (``15``), percentages written for ratios (``50%`` for 0.5), and single
    Chinese numerals (``二次`` for 2, ``首次`` for 1).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True
    numbers = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", quote)}
    numbers |= {float(n) / 100 for n in re.findall(r"(\d+(?:\.\d+)?)\s*%", quote)}
    numbers |= {float(v) for ch, v in _CN_DIGITS.items() if ch in quote}
    return float(value) in numbers or float(-value) in numbers


def parse_values(node: Any, name: str, tz: str, file: str) -> tuple[list, list]:
    """The (starts, values) of a parameter node: a scalar, ``value:`` or dated ``values:``."""
    if isinstance(node, Mapping) and "values" in node:
        entries = node["values"]
        if not isinstance(entries, list) or not entries:
            raise PackError(_("expected a non-empty list of {from, value}"), file=file, path=name)
        starts, values = [], []
        for i, entry in enumerate(entries):
            if not isinstance(entry, Mapping) or "value" not in entry:
                raise PackError(_("expected {from: DATE, value: V}"), file=file,
                                path=f"{name}.values[{i}]")
            start = entry.get("from")
            starts.append(parse_instant(start, tz) if start is not None else None)
            values.append(entry["value"])
        return starts, values
    if isinstance(node, Mapping):
        if "value" not in node:
            raise PackError(_("expected `value:` or `values:`"), file=file, path=name)
        return [None], [node["value"]]
    return [None], [node]
