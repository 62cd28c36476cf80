"""Shadow evaluation: candidate rule sets folded over the live pack's stored events, compared.

A shadow is registered in the store (``Shadows.add``); nothing in the ingest path knows of it.
Its fold follows the store the way the live one does — component by component, from the
store's tail, restored from checkpoints of a scope of its own (the candidate's fingerprint) —
but only when someone reads it, so that ingestion costs the same with or without shadows, and
a reading costs the events stored since the last one. The live side of the comparison is a
second, read-only fold of the live rules, with locks of its own: comparing never holds up an
ingest, never writes a decision, a notice or a live checkpoint.

The comparison itself is ``zhili.impact.diff``: the same code ``zhili impact`` reports with, so
a shadow's differences are what ``zhili impact`` computes over the same events.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from ..engine import Ledger
from ..errors import InputError
from ..i18n import _
from ..impact.diff import (
    Change,
    SubjectDiff,
    Summary,
    diff_subject,
    rule_changes,
    standing,
)
from ..rules import Pack
from ..store.shadows import StoredShadow
from ..store.state import StateService
from ..timekit import zone
from .candidate import Candidate

POINTS = 12  # instants of the comparison over time: the chart's points
MAX_TRIES = 5  # folds brought to one store head before a comparison gives up
KEEP = 8  # comparisons kept for the pages that ask again
MAX_MEMO = 2_000_000  # subjects × instants of the view over time kept between readings
# Changes that alter how a state is read from the same decisions (the band a score falls in,
# where scores start); without them, a subject decided alike is alike at every instant.
READING = ("bands.levels.", "scores.")


class UnknownShadow(InputError):
    """No shadow has this id."""


@dataclass(frozen=True, slots=True)
class Shadow:
    """A registered shadow: the stored row and the candidate it describes."""

    stored: StoredShadow
    candidate: Candidate

    @property
    def id(self) -> str:
        return self.stored.id

    @property
    def pack(self) -> str:
        return self.stored.pack


@dataclass(frozen=True, slots=True)
class Point:
    """The population view at one instant of the comparison over time."""

    at: dt.datetime
    summary: Summary


@dataclass
class Comparison:
    """A shadow against the live rules as of an instant, over the events stored up to ``seq``:
    what differs between the rule sets, every subject that fares differently, the population
    view, and the same view at earlier instants."""

    shadow: Shadow
    as_of: dt.datetime
    seq: int
    changes: list[Change]
    summary: Summary
    diffs: dict[str, SubjectDiff]  # the subjects that fare differently, by id
    base_pack: Pack  # the rules of each side, to word their decisions
    candidate_pack: Pack
    timeline: list[Point] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"shadow": self.shadow.id, "pack": self.shadow.pack,
                "as_of": self.as_of.isoformat(), "events_seq": self.seq,
                "changes": [c.to_dict(self.as_of) for c in self.changes],
                "summary": self.summary.to_dict(),
                "subjects": [self.diffs[sid].to_dict() for sid in sorted(self.diffs)],
                "timeline": [{"at": p.at.isoformat(), "changed": p.summary.changed,
                              "decisions": sum(p.summary.decisions.values()),
                              "base": p.summary.base.to_dict(),
                              "candidate": p.summary.candidate.to_dict()}
                             for p in self.timeline]}


class Shadows:
    """The shadows of one store: registered, listed, removed, folded and compared."""

    def __init__(self, store, clock: Callable[[], dt.datetime]):
        self.store = store
        self.clock = clock
        self.live = StateService(store)  # the live rules, read only, with locks of their own
        self._folds: dict[str, StateService] = {}  # candidate fingerprint -> its fold
        self._comparing = threading.Lock()  # one comparison at a time moves these folds
        # The last comparisons, by shadow, candidate, stored event and question: a page viewed
        # again, or a subject opened from it, costs no second diff while nothing was stored.
        self._recent: dict[tuple[Any, ...], tuple[tuple[Any, Any, Any], Comparison]] = {}
        self._memos: dict[str, tuple[tuple[Any, Any, Any], str,
                                     dict[tuple[str, int, int, dt.datetime], SubjectDiff]]] = {}

    # -- the registry ----------------------------------------------------------------------------
    def add(self, shadow_id: str, pack: str, candidate: Mapping[str, Any]) -> Shadow:
        """Register a candidate for ``pack`` under ``shadow_id``, validated as packs are."""
        self.live.pack(pack)  # an unknown pack is refused before the candidate is read
        found = Candidate.from_json(pack, candidate)
        found.load()
        self.store.put_shadow(shadow_id, pack, found.to_json(), self.clock())
        return self.get(shadow_id)

    def all(self, pack: str | None = None) -> list[Shadow]:
        return [Shadow(s, Candidate.from_json(s.pack, s.candidate))
                for s in self.store.shadows(pack)]

    def get(self, shadow_id: str) -> Shadow:
        for shadow in self.all():
            if shadow.id == shadow_id:
                return shadow
        raise UnknownShadow(_("no shadow has the id %(id)s; see zhili shadow list")
                            % {"id": repr(shadow_id)}, path="id")

    def remove(self, shadow_id: str) -> bool:
        """Forget a shadow, and its checkpoints unless another shadow folds the same rules."""
        found = next((s for s in self.all() if s.id == shadow_id), None)
        if found is None or not self.store.remove_shadow(shadow_id):
            return False
        key = found.candidate.fingerprint()
        if all(s.candidate.fingerprint() != key for s in self.all()):
            self._folds.pop(key, None)
            for scope in self.store.checkpoint_scopes():
                if scope.endswith(f"/{_tag(key)}"):
                    self.store.drop_checkpoints(scope)
        return True

    # -- folding and comparing ---------------------------------------------------------------------
    def fold(self, shadow: Shadow) -> StateService:
        """The candidate's fold over the store: its checkpoints in a scope of their own."""
        key = shadow.candidate.fingerprint()
        found = self._folds.get(key)
        if found is None:
            found = self._folds[key] = StateService(
                self.store, packs={shadow.pack: shadow.candidate.load()}, tag=_tag(key))
        return found

    def compare(self, shadow_id: str, as_of: dt.datetime, *, points: int = POINTS,
                subject: str | None = None) -> Comparison:
        """The shadow against the live rules as of ``as_of`` (with ``points`` earlier instants
        for the view over time), both folded over the same stored events; with ``subject``,
        that subject alone (no timeline)."""
        shadow = self.get(shadow_id)
        code = shadow.pack
        candidate_fold = self.fold(shadow)
        only = None if subject is None else [subject]
        with self._comparing:
            for _try in range(MAX_TRIES):
                # Read before the folds catch up: a fold never holds older attributes than
                # these (new attributes fold again only the components they reach, in place).
                versions = (self.live.subjects_version(code),
                            candidate_fold.subjects_version(code))
                with ExitStack() as held:
                    base, seq = held.enter_context(self.live.ledger(code, only))
                    cand, cand_seq = held.enter_context(candidate_fold.ledger(code, only))
                    if seq != cand_seq:
                        continue  # an event was stored between the two: fold both up to it
                    key = (shadow.id, shadow.candidate.fingerprint(), seq, as_of, points,
                           subject)
                    folds = (base.components, cand.components, versions)
                    kept = self._recent.get(key)
                    if kept is not None and _same(kept[0], folds):
                        out = kept[1]
                    else:  # new events, or new folds (subjects' attributes changed)
                        out = _compare(shadow, base, cand, as_of, seq,
                                       points if subject is None else 0, subject,
                                       self._memo(shadow, folds))
                        self._recent = {**dict(list(self._recent.items())[-(KEEP - 1):]),
                                        key: (folds, out)}
                candidate_fold.checkpoint(code)
                return out
        raise InputError(_("events kept arriving while the shadow was compared; try again"))


    def _memo(self, shadow: Shadow, folds: tuple[Any, Any, Any]
              ) -> dict[tuple[str, int, int, dt.datetime], SubjectDiff]:
        """The view over time already computed for this shadow, while both folds are the ones
        it was computed on (a new scope, subjects' attributes changed, starts them again)."""
        kept = self._memos.get(shadow.id)
        if kept is None or not _same(kept[0], folds) \
                or kept[1] != shadow.candidate.fingerprint() or len(kept[2]) > MAX_MEMO:
            kept = self._memos[shadow.id] = (folds, shadow.candidate.fingerprint(), {})
        return kept[2]


def _same(kept: tuple[Any, Any, Any], folds: tuple[Any, Any, Any]) -> bool:
    """The same two folds (by identity) under the same versions of the subjects' attributes."""
    return kept[0] is folds[0] and kept[1] is folds[1] and kept[2] == folds[2]


def _tag(fingerprint: str) -> str:
    """The last part of the checkpoint scopes of a candidate's fold."""
    return f"shadow-{fingerprint}"


def instants(first: dt.datetime, as_of: dt.datetime, points: int, tz: str) -> list[dt.datetime]:
    """The instants of the view over time: local calendar boundaries after ``first`` — days,
    Mondays, or the starts of every k-th month, the finest that gives at most ``points`` — and
    ``as_of``. Being the calendar's, they stay where they are as ``as_of`` moves on, so a
    later reading finds the subjects nothing happened to already compared at them."""
    local = first.astimezone(zone(tz))
    day = dt.datetime(local.year, local.month, local.day, tzinfo=zone(tz))
    span = (as_of - day).days + 1
    found: list[dt.datetime] = []
    if span <= points:
        found = [day + dt.timedelta(days=i) for i in range(1, span + 1)]
    elif span <= 7 * points:
        monday = day - dt.timedelta(days=day.weekday())
        found = [monday + dt.timedelta(weeks=i) for i in range(1, points + 2)]
    else:
        months = (as_of.year - day.year) * 12 + as_of.month - day.month + 1
        every = next(k for k in (1, 2, 3, 6, 12, 24, 60, 120) if months <= k * points
                     or k == 120)
        index = day.year * 12 + day.month - 1
        while len(found) <= points + 1:
            index += 1
            if index % every == 0:
                found.append(dt.datetime(index // 12, index % 12 + 1, 1, tzinfo=zone(tz)))
    return [t for t in found if first < t < as_of] + [as_of]


def _compare(shadow: Shadow, base: Ledger, cand: Ledger, as_of: dt.datetime, seq: int,
             points: int, only: str | None,
             memo: dict[tuple[str, int, int, dt.datetime], SubjectDiff]) -> Comparison:
    changes = rule_changes(base.pack, cand.pack)
    subjects = base.subjects if only is None else [only]
    if only is not None and only not in base.subjects:
        raise InputError(_("no subject %(id)s in this pack's history") % {"id": repr(only)},
                         path="subject")
    history = {sid: (base.decisions(sid, as_of), cand.decisions(sid, as_of))
               for sid in subjects}
    summary, diffs = Summary(), {}
    for sid in subjects:
        b, c = history[sid]
        diff = diff_subject(sid, b, base.state(sid, as_of), c, cand.state(sid, as_of), changes)
        summary.add(diff)
        if diff.changed:
            diffs[sid] = diff
    timeline = []
    first = min((d.at for b, c in history.values() for d in (*b[:1], *c[:1])), default=None)
    # Every state a subject has is read from its decisions (scores, bands entered, fees, holds,
    # sanctions and their ends are all decided): a subject both rule sets decided alike up to
    # ``as_of`` stands alike at every earlier instant, unless the change is in the reading.
    alike = set() if any(ch.name.startswith(READING) for ch in changes) else {
        sid for sid in subjects if sid not in diffs}
    if points and first is not None and first < as_of:
        for at in instants(first, as_of, points, base.pack.timezone):
            point = Summary()
            for sid in subjects:
                # A subject whose history has not grown stands at a past instant as it did.
                key = (sid, base.history_size(sid), cand.history_size(sid), at)
                found = memo.get(key) if at < as_of else None
                if found is None:
                    if sid in alike:
                        same = standing(base.state(sid, at))
                        found = SubjectDiff(sid, same, same, ())
                    else:
                        b, c = history[sid]
                        found = diff_subject(sid, [d for d in b if d.at <= at],
                                             base.state(sid, at), [d for d in c if d.at <= at],
                                             cand.state(sid, at), changes)
                    if at < as_of:
                        memo[key] = found
                point.add(found)
            timeline.append(Point(at, point))
    return Comparison(shadow, as_of, seq, changes, summary, diffs, base.pack, cand.pack,
                      timeline)
