"""A stand-in sanction book for unit tests of the assessment loop: every violation freezes its
scope for 30 days. The real book folds through the engine (tests marked with the engine)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from zhili.events import Event, Violation
from zhili.rules import load_pack

SANCTION = {"line_nrd_rate": "freeze_logistics_line", "ship_from_nrd_rate": "freeze_ship_from",
            "ship_from_sold_not_shipped": "freeze_ship_from",
            "store_nrd_streak": "freeze_non_cainiao_lines"}


class Pack:
    """What the assessment reads of a pack, for tests that replace the engine with a book."""

    code = "aliexpress"
    timezone = "Asia/Shanghai"
    rules: dict = {}
    detectors = load_pack("aliexpress").detectors
    path = None


class ThirtyDayBook:
    def __init__(self) -> None:
        self.freezes: dict[str, list[tuple[str, dt.datetime, dt.datetime | None]]] = {}
        self.applied: list[Event] = []

    def apply(self, events: Sequence[Event]) -> None:
        for e in events:
            self.applied.append(e)
            if isinstance(e, Violation) and e.code in SANCTION:
                kind = SANCTION[e.code]
                name = kind if e.code == "store_nrd_streak" else f"{kind}:{e.evidence['scope']}"
                end = None if e.code == "store_nrd_streak" else e.at + dt.timedelta(days=30)
                self.freezes.setdefault(e.subject or "", []).append((name, e.at, end))

    def active(self, store: str, at: dt.datetime) -> Mapping[str, dt.datetime | None]:
        return {name: end for name, start, end in self.freezes.get(store, [])
                if start <= at and (end is None or at < end)}
