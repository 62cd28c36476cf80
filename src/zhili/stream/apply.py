"""What a consumer does with one batch of messages, against the store: the half that needs no
network, so that it is tested on its own.

Events go through the service's own ingestion (``Governance.ingest`` with the platform's
rights): the same parsing, the same checks, the same per-component late refold, the same store,
so the REST API serving that store sees what the stream brought. A batch the rules refuse is
taken apart message by message, and only the messages refused are set aside.

The decisions of every component a batch reached are read again up to that component's last
event; those the decision log does not hold yet are the batch's news. They are published
before they are logged, so that a consumer killed in between publishes them again when the
batch comes back (at least once; the decision id tells a repeat).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..api.auth import Principal
from ..api.service import Governance
from ..engine import Decision, Subject
from ..errors import InputError
from ..events import LinkObserved, event_to_dict
from ..i18n import _
from .layout import Item

# The stream is the platform's own log: its producers have an admin's rights.
PLATFORM = Principal(key_id="stream", role="admin")


@dataclass
class Applied:
    """A batch's outcome: events stored and already there, the messages refused (by their
    index in the batch, with why), and the decisions the log does not hold yet."""

    stored: int = 0
    duplicates: int = 0
    refused: dict[int, str] = field(default_factory=dict)
    fresh: list[Decision] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)


class Applier:
    def __init__(self, governance: Governance, default_pack: str | None = None):
        self.gov = governance
        self.default_pack = default_pack

    def apply(self, items: Sequence[Item | None], publishing: Collection[str] = ()) -> Applied:
        """Store a batch's subjects and events (None: a message already refused) and find
        the decisions they bring (but for ``publishing``: decisions being published now, to
        be logged before this batch's are)."""
        out = Applied()
        by_pack: dict[str | None, list[int]] = {}
        for i, item in enumerate(items):
            if item is not None:
                by_pack.setdefault(item.pack or self.default_pack, []).append(i)
        for pack, indexes in by_pack.items():
            if pack is None:
                for i in indexes:
                    out.refused[i] = _("the message names no pack, and the consumer was given "
                                       "none (--pack)")
                continue
            self._register(pack, [(i, items[i]) for i in indexes], out)
            events = [i for i in indexes if items[i].event is not None]  # type: ignore[union-attr]
            if events:
                self._ingest(pack, [(i, items[i]) for i in events], out)  # type: ignore[misc]
        out.fresh = [d for d in self._news(out.touched, [i.event.id for i in items
                                                         if i is not None and i.event is not None])
                     if d.id not in publishing]
        return out

    def log(self, decisions: Sequence[Decision]) -> None:
        """Append decisions to the store's audit log, once they are published."""
        by_pack: dict[str, list[dict[str, Any]]] = {}
        for d in decisions:
            by_pack.setdefault(d.pack, []).append(d.to_dict())
        for pack, rows in by_pack.items():
            self.gov.store.append_decisions(pack, rows)

    def _register(self, pack: str, indexed: list[tuple[int, Item | None]], out: Applied) -> None:
        """Subjects' attributes; one the store already holds as it is changes nothing (a new
        registration starts the pack's fold again, so a redelivered one must not)."""
        wanted = [(i, item.subject) for i, item in indexed
                  if item is not None and item.subject is not None]
        if not wanted:
            return
        known = self.gov.store.subjects(pack)
        for i, (sid, attributes) in wanted:
            try:
                subject = self._subject(pack, sid, attributes)
                if known.get(sid, (None, None))[1] != subject:
                    self.gov.register_subject(PLATFORM, pack, sid, attributes)
            except InputError as err:
                out.refused[i] = str(err)
                continue
            out.touched.add(sid)

    def _subject(self, pack: str, sid: str, attributes: Mapping[str, Any]) -> Subject:
        kind = self.gov.states.pack(pack).subject_kind
        return Subject.from_mapping(sid, attributes, default_kind=kind)

    def _ingest(self, pack: str, indexed: list[tuple[int, Item]], out: Applied) -> None:
        """One call of the service for the whole run; if the rules refuse it, each half again
        (down to single messages), so that a refused event holds up no other and a round of
        hundreds with one bad message costs a few commits, not hundreds. The halves keep the
        run's order, so each shard's events still come in the order they were published."""
        raws = [event_to_dict(item.event) for _, item in indexed]  # type: ignore[arg-type]
        try:
            result = self.gov.ingest(PLATFORM, raws, pack)
        except InputError as err:
            if len(indexed) == 1:
                out.refused[indexed[0][0]] = str(err)
                return
            half = len(indexed) // 2
            self._ingest(pack, indexed[:half], out)
            self._ingest(pack, indexed[half:], out)
            return
        out.stored += len(result.stored)
        out.duplicates += len(result.duplicates)
        for _i, item in indexed:
            event = item.event
            if event is not None and event.subject is not None:
                out.touched.add(event.subject)
                if isinstance(event, LinkObserved):
                    out.touched.add(event.other)

    def _news(self, touched: set[str], batch: list[str]) -> list[Decision]:
        if not touched:
            return []
        found: dict[str, Decision] = {}
        for decisions in self.gov.states.component_decisions(touched, batch).values():
            for d in decisions:
                found.setdefault(d.id, d)
        logged = self.gov.store.decision_ids(list(found))
        return sorted((d for did, d in found.items() if did not in logged),
                      key=lambda d: (d.at, d.id))
