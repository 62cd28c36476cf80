"""The storage contract: what every backend (memory, SQLite, PostgreSQL) must do.

The store is an append-only log of events and decisions, plus the few mutable things a service
needs around it: the subject registry, fold snapshots and API keys. Backends differ only in
where the bytes live; ``tests/store`` runs one contract suite against all of them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..errors import InputError
from ..events import Event, valid_name
from ..i18n import _
from .codec import checked_name

if TYPE_CHECKING:
    from .shadows import StoredShadow

ROLES = ("admin", "reviewer", "merchant")


@dataclass(frozen=True, slots=True)
class AppendResult:
    """Ids of a batch that were newly stored, and those already present (skipped)."""

    stored: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    # The pack's head (its last event seq) before and after the batch, read in the batch's
    # turn among the pack's writers: every event of the pack stored in between is the
    # batch's. A reader that had seen the first one has then seen everything up to the
    # second. None when nothing was written.
    moved: tuple[int, int] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class StoredKey:
    """An API key as stored: never the key itself, only who it speaks for, and its life."""

    id: str
    role: str
    subject: str | None
    created: dt.datetime | None = None
    expires: dt.datetime | None = None
    revoked: dt.datetime | None = None
    last_used: dt.datetime | None = None

    def usable(self, now: dt.datetime) -> bool:
        """Neither revoked nor expired at ``now``."""
        return self.revoked is None and (self.expires is None or now < self.expires)


@dataclass(frozen=True, slots=True)
class Head:
    """Where a pack's history stands: the last event seq stored, and how many times its
    subjects' attributes changed. A reader that saw a head knows what it has not seen."""

    events: int = 0
    subjects: int = 0


@dataclass(frozen=True, slots=True)
class Tail:
    """What a pack's history holds past a seq: the last seq, the events not known to the
    reader, and the known ids met on the way."""

    last: int
    events: list[Event]
    met: set[str]


def tail_of(after: int, rows: Iterable[tuple[int, str]], known: Collection[str]
            ) -> tuple[int, list[int], set[str]]:
    """From ``(seq, id)`` rows in seq order: the last seq, the seqs to decode, the known ids."""
    last, wanted, met = after, [], set()
    for seq, eid in rows:
        last = max(last, seq)
        if eid in known:
            met.add(eid)
        else:
            wanted.append(seq)
    return last, wanted, met


@dataclass(frozen=True, slots=True)
class Summary:
    """What the subjects list shows of one subject, kept so that a list of thousands is read,
    not folded, after a restart (``zhili.store.summaries``).

    It holds as the fold stood once every event of the pack up to ``seq`` was folded, from
    ``since`` until ``until`` (None: nothing changes by time alone), unless an event stored
    after ``seq`` reaches its ``component`` (the smallest id among the component's subjects).
    ``data`` is the summary itself, as JSON."""

    component: str
    seq: int
    since: dt.datetime
    until: dt.datetime | None
    data: str


@runtime_checkable
class EventStore(Protocol):
    def append(self, events: Sequence[Event], *, pack: str,
               guard: AbstractContextManager[object] | None = None) -> AppendResult:
        """Store one batch atomically; events whose id is already stored are skipped.

        ``guard`` is entered once the batch's turn among the pack's writers has come (no other
        batch of the pack can be stored until it is left) and left after the commit or the
        rollback; an exception inside it refuses the batch. A fold kept beside the store folds
        the batch there, so that it never waits for other writers while holding its locks.
        What the guard gives on entering, if not None, is a collection of event ids to leave
        out of the batch (requests committed together, of which the fold refused some)."""
        ...

    def events(self, *, pack: str, subjects: Collection[str] | None = None,
               after: dt.datetime | None = None,
               until: dt.datetime | None = None) -> list[Event]:
        """The pack's events with ``after < at <= until``, in fold order (``Event.sort_key``)."""
        ...

    def stored_ids(self, ids: Collection[str]) -> set[str]:
        """Which of these event ids are already stored."""
        ...

    def count_events(self, *, pack: str, until: dt.datetime | None = None) -> int:
        """How many of the pack's events have ``at <= until`` (all of them without ``until``)."""
        ...

    def pack_of(self, subject: str) -> str | None:
        """The pack a subject belongs to, or None for a subject never seen."""
        ...

    def packs_of(self, ids: Collection[str], /) -> dict[str, str]:
        """The pack of each of these subjects the store has seen (one lookup for a batch)."""
        ...

    def put_subject(self, pack: str, subject: Any) -> None:
        """Register or update a subject's attributes (a ``zhili.engine.Subject`` or mapping)."""
        ...

    def subjects(self, pack: str | None = None) -> dict[str, tuple[str, Any]]:
        """id -> (pack, subject); subject is None for one known only from its events."""
        ...

    def append_decisions(self, pack: str, decisions: Sequence[Mapping[str, Any]]) -> None:
        """Append to the decision audit log; a decision id already logged is skipped."""
        ...

    def decisions(self, *, pack: str | None = None,
                  subject: str | None = None) -> list[dict[str, Any]]:
        """The decision audit log, in time order then append order."""
        ...

    def decision_ids(self, ids: Collection[str]) -> set[str]:
        """Which of these decision ids the audit log already holds."""
        ...

    def head(self, pack: str) -> Head:
        """The pack's head: one cheap lookup, made before every read of a warm fold."""
        ...

    def tail(self, pack: str, after: int, known: Collection[str] = ()) -> Tail:
        """The pack's events stored with a seq above ``after``, in seq order, but for those
        whose id is ``known`` (never decoded: a reader skips its own, and learns which of them
        it met)."""
        ...

    def put_checkpoints(self, scope: str, generation: int,
                        components: Mapping[str, tuple[Sequence[str], bytes]]) -> None:
        """Store component checkpoints of a scope, each by its id with its member subjects
        (a member moves to the component that names it last), and record that every
        checkpoint of the scope has folded the events up to seq ``generation``; a lower
        generation than the one stored is kept as it was."""
        ...

    def generation(self, scope: str) -> int:
        """The seq every checkpoint of the scope has folded up to (0: no checkpoint)."""
        ...

    def checkpoint_of(self, scope: str, subject: str) -> bytes | None:
        """The checkpoint of the component the subject belongs to, if the scope has one."""
        ...

    def checkpoints_of(self, scope: str, subjects: Collection[str]) -> dict[str, bytes]:
        """``checkpoint_of`` for many subjects in one reading: subject -> its component's
        checkpoint, for those that have one (members of one component share it)."""
        ...

    def checkpoint_scopes(self) -> list[str]:
        """Every scope that holds checkpoints, sorted."""
        ...

    def drop_checkpoints(self, scope: str) -> None:
        """Forget every checkpoint of a scope (a removed shadow's): its generation is 0 again."""
        ...

    def put_summaries(self, scope: str, summaries: Mapping[str, Summary]) -> None:
        """Store subjects' summaries under a checkpoint scope, replacing each subject's last
        one (whatever its scope)."""
        ...

    def summaries(self, scope: str) -> dict[str, Summary]:
        """Every subject's summary stored under the scope (one read for a whole list)."""
        ...

    def put_snapshot(self, key: str, horizon: dt.datetime, data: bytes) -> None: ...

    def get_snapshot(self, key: str) -> tuple[dt.datetime, bytes] | None: ...

    def create_key(self, role: str, subject: str | None, key_hash: str, *,
                   expires: dt.datetime | None = None) -> str:
        """Store a key's hash for a role (merchant keys carry a subject); returns the key id."""
        ...

    def find_key(self, key_hash: str) -> StoredKey | None:
        """The key with this hash, revoked and expired ones included (callers judge)."""
        ...

    def list_keys(self) -> list[StoredKey]:
        """Every key, oldest first: ids, roles, subjects and dates, never a key or its hash."""
        ...

    def revoke_key(self, key_id: str, at: dt.datetime) -> bool:
        """Revoke a key and end its console sessions; False when no key has this id."""
        ...

    def key_used(self, key_id: str, at: dt.datetime) -> None:
        """Record when a key was last used."""
        ...

    def open_session(self, token_hash: str, key_id: str, expires: dt.datetime) -> None:
        """A console session: the hash of its token, the key it signed in with, its end."""
        ...

    def session_key(self, token_hash: str) -> tuple[StoredKey, dt.datetime] | None:
        """The key of a session and the session's end, or None."""
        ...

    def end_session(self, token_hash: str) -> None: ...

    def put_shadow(self, shadow_id: str, pack: str, candidate: Mapping[str, Any],
                   created: dt.datetime) -> None:
        """Register a shadow of ``pack``: a candidate rule set (JSON-able mapping) under an
        id of its own; an id already registered is refused."""
        ...

    def shadows(self, pack: str | None = None) -> list[StoredShadow]:
        """The registered shadows (of one pack), oldest first."""
        ...

    def remove_shadow(self, shadow_id: str) -> bool:
        """Forget a shadow; False when no shadow has this id."""
        ...

    def close(self) -> None: ...


def guarded(guard: AbstractContextManager[object] | None) -> AbstractContextManager[object]:
    return guard if guard is not None else nullcontext()


def left_out(entered: object) -> frozenset[str]:
    """The ids a guard leaves out of its batch: what it gave on entering (see ``append``)."""
    if entered is None:
        return frozenset()
    if not isinstance(entered, Collection):
        raise TypeError(f"a guard gives the ids to leave out, not {type(entered).__name__}")
    return frozenset(entered)


def check_pack(pack: object) -> str:
    if not isinstance(pack, str) or not pack.strip():
        raise InputError(_("expected a pack code such as wechat_channels, got %(pack)r")
                         % {"pack": pack},
                         path="pack")
    return pack


def check_key(role: str, subject: str | None, key_hash: str) -> None:
    """The rules every backend applies before storing an API key."""
    if role not in ROLES:
        raise InputError(_("expected a role among %(value)s, got %(role)r")
                         % {"value": ', '.join(ROLES), "role": role}, path="role")
    if role == "merchant" and not subject:
        raise InputError(_("a merchant key needs the subject it speaks for"), path="subject")
    if role != "merchant" and subject:
        raise InputError(_("an %(role)s key covers every subject; give no subject")
                         % {"role": role}, path="subject")
    if not key_hash:
        raise InputError(_("expected the key's hash, got nothing"), path="key_hash")
    if subject:
        checked_name(subject, "subject")


def storable(names: Iterable[str]) -> list[str]:
    """The names (ids, subjects) a backend could hold, sorted: looking up one it could never
    store (a NUL byte, a lone surrogate) finds nothing, on every backend alike."""
    out = []
    for name in names:
        try:
            out.append(valid_name(name))
        except InputError:
            continue
    return sorted(out)


def new_key_id() -> str:
    """A key's public id: safe to log and show, unlike the key."""
    return f"key_{secrets.token_hex(6)}"


def unique_in_batch(events: Iterable[Event]) -> tuple[list[Event], list[str]]:
    """The batch without repeated ids (the first wins), and the ids repeated inside it."""
    seen: dict[str, Event] = {}
    repeated: list[str] = []
    for event in events:
        if not isinstance(event, Event):
            raise InputError(_("expected an event, got %(name)s") % {"name": type(event).__name__})
        checked_name(event.id, "id")
        if event.subject is not None:
            checked_name(event.subject, "subject")
        if event.id in seen:
            repeated.append(event.id)
        else:
            seen[event.id] = event
    return list(seen.values()), repeated


def subject_packs(events: Iterable[Event], pack: str) -> dict[str, str]:
    """Each subject named in a batch, with the pack the batch puts it in."""
    return {e.subject: pack for e in events if e.subject is not None}


def pack_conflict(subject: str, known: str, wanted: str) -> InputError:
    return InputError(_("subject %(subject)r belongs to pack %(known)r, not %(wanted)r")
                      % {"subject": subject, "known": known, "wanted": wanted},
                      path="pack")


def decision_fields(decision: Mapping[str, Any]) -> tuple[str, dt.datetime, str | None, str]:
    """The indexed fields of a decision mapping: id, at, subject, kind."""
    from ..timekit import parse_instant

    did = decision.get("id")
    if not did:
        raise InputError(_("a decision needs an `id`"), path="id")
    if "at" not in decision:
        raise InputError(_("decision %(did)r needs an `at`") % {"did": did}, path="at")
    at = parse_instant(decision["at"])
    subject = decision.get("subject")
    return str(did), at, (str(subject) if subject is not None else None), \
        str(decision.get("kind", ""))
