"""The sanction book backed by the engine: order violations are folded with the scenario's
events through ``zhili.engine.Fold``, so freezes, their escalation, ``fraud_determined`` and
appeals are the pack's, not re-implemented here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from ...errors import InputError
from ...events import Event


class EngineBook:
    def __init__(self, pack: Any, subjects: Mapping[str, Any] | None = None):
        from ...engine import Fold

        self.fold = Fold(pack, dict(subjects or {}))
        self._ledger: Any = None

    def apply(self, events: Sequence[Event]) -> None:
        for event in events:
            self.fold.apply(event)
        self._ledger = None

    def ledger(self) -> Any:
        if self._ledger is None:
            self._ledger = self.fold.ledger()
        return self._ledger

    def active(self, store: str, at: dt.datetime) -> Mapping[str, dt.datetime | None]:
        try:
            state = self.ledger().state(store, at)
        except InputError:      # the store has no event in the fold yet: nothing is active
            return {}
        return {s.name: s.end for s in state.sanctions}
