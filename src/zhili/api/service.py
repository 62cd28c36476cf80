"""What the REST API and the console do, over one store, with access control applied.

Both edges (JSON and HTML) translate to and from this class; neither talks to the store
directly, so a merchant key sees exactly the same subjects in the console as in the API.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..errors import InputError
from ..events import Event, event_to_dict, parse_events
from ..i18n import _
from .auth import Principal
from .submissions import admit, stamped

# Determinations are the platform's to make: a merchant may state facts about its own
# conduct (an appeal, material, a document) but never a violation or a verdict.
MERCHANT_EVENT_TYPES = frozenset(
    {"appeal_filed", "material_submitted", "document_submitted", "rectification_completed"}
)


class NotFound(Exception):
    """The thing does not exist, or the caller may not know that it does."""


class Forbidden(Exception):
    """The caller is known and may see the subject, but its role may not do this."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_event_id(kind: str, subject: str) -> str:
    return f"{kind}:{subject}:{uuid.uuid4().hex[:12]}"


class Governance:
    """The store and the engine over it, as the callers of the API may use them."""

    def __init__(self, store, states, clock: Callable[[], dt.datetime] = utc_now):
        self.store = store
        self.states = states
        self.clock = clock

    # -- subjects ---------------------------------------------------------------------------

    def subjects(self, who: Principal) -> dict[str, tuple[str, Any]]:
        every = self.store.subjects()
        return {sid: entry for sid, entry in sorted(every.items()) if who.may_see(sid)}

    def pack_of(self, who: Principal, subject: str) -> str:
        """The subject's pack; unknown subjects and other merchants' ones are both 404."""
        pack = self.states.pack_of(subject) if who.may_see(subject) else None
        if pack is None:
            raise NotFound(subject)
        return pack

    def register_subject(self, who: Principal, pack: str, subject_id: str,
                         attributes: Mapping[str, Any]) -> Any:
        if not who.is_admin:
            raise Forbidden(_("only an administrator key registers subjects"))
        known = self.store.pack_of(subject_id)
        if known is not None and known != pack:
            raise InputError(_("subject %(subject_id)r belongs to pack %(known)r, not %(pack)r")
                             % {"subject_id": subject_id, "known": known, "pack": pack},
                             path="pack")
        subject = _subject_from(pack, subject_id, attributes)
        self.store.put_subject(pack, subject)
        return subject

    # -- events -----------------------------------------------------------------------------

    def ingest(self, who: Principal, raws: Sequence[Mapping[str, Any]], pack: str | None):
        """Parse every event first, so that one bad event stores nothing of the batch.

        Ids and times are the server's to scope and stamp (see ``submissions``)."""
        if not raws:
            raise InputError(_("expected at least one event"))
        events = admit(who, raws, self.clock(), check=lambda found: self._check_may_post(
            who, found))
        # Subjects new to the store join the batch's pack as they are appended.
        return self.states.ingest(events, pack=self._batch_pack(events, pack))

    def _check_may_post(self, who: Principal, events: Iterable[Event]) -> None:
        if who.role == "reviewer":
            raise Forbidden(_(
                "a reviewer key reads and decides appeals; it does not post events"))
        if who.role != "merchant":
            return
        for event in events:
            if event.subject is None or not who.may_see(event.subject):
                raise NotFound(event.subject or "-")
            if event.type not in MERCHANT_EVENT_TYPES:
                raise Forbidden(_("a merchant key may post only appeals, appeal material, "
                                  "documents and completed rectifications, not %(type)s")
                                % {"type": event.type})
        self._check_own_references(who, events)

    def _check_own_references(self, who: Principal, events: Iterable[Event]) -> None:
        """A merchant's appeal, material or rectification names its own violation or appeal;
        another subject's answers 404, as if it did not exist."""
        wanted = [(name, ref) for e in events for name in ("violation", "appeal")
                  if isinstance(ref := getattr(e, name, None), str) and ref]
        if not wanted or who.subject is None:
            return
        try:
            state = self.states.state(who.subject, self.clock())
        except InputError:
            raise NotFound(wanted[0][1]) from None  # no history: nothing of its own to name
        own = {v.id for v in state.violations} | {a.id for a in state.appeals} | {
            a.violation for a in state.appeals}
        for _name, ref in wanted:
            if ref not in own:
                raise NotFound(ref)

    def _batch_pack(self, events: Sequence[Event], pack: str | None) -> str:
        subjects = {e.subject for e in events if e.subject}
        packs = set(self.store.packs_of(subjects).values())
        if pack is not None:
            _check_pack(pack)
            packs.add(pack)
        if len(packs) > 1:
            raise InputError(_("a batch belongs to one pack; these events span %(value)s")
                             % {"value": sorted(packs)},
                             path="pack")
        if not packs:
            raise InputError(_("these subjects are new: say which pack they belong to (?pack=)"),
                             path="pack")
        return packs.pop()

    # -- state and decisions ----------------------------------------------------------------

    def state(self, who: Principal, subject: str, as_of: dt.datetime | None = None):
        pack = self.pack_of(who, subject)
        try:
            return self.states.state(subject, as_of or self.clock())
        except InputError:
            if not self.store.events(pack=pack, subjects=[subject]):
                raise NotFound(subject) from None  # registered, but no history yet
            raise

    def states_of(self, who: Principal, at: dt.datetime):
        """``(subject, state)`` for every subject the caller may see that has a history."""
        found = self.states.states(list(self.subjects(who)), at)
        yield from sorted(found.items())

    def summaries_of(self, who: Principal, at: dt.datetime) -> dict[str, dict[str, Any]]:
        """The subjects list's summary (``zhili.store.summaries``) of every subject the caller
        may see that has a history."""
        return self.states.summaries(list(self.subjects(who)), at)

    def decisions(self, who: Principal, subject: str, as_of: dt.datetime | None = None):
        self.pack_of(who, subject)
        return self.states.decisions(subject, as_of)

    # -- appeals ----------------------------------------------------------------------------

    def appeals(self, who: Principal, statuses: Sequence[str] = (),
                as_of: dt.datetime | None = None) -> list[tuple[str, Any]]:
        """Every appeal the caller may see, as ``(subject, AppealState)``, soonest due first."""
        at = as_of or self.clock()
        found = []
        for subject, state in self.states_of(who, at):
            for appeal in state.appeals:
                if not statuses or appeal.status in statuses:
                    found.append((subject, appeal))
        far = dt.datetime.max.replace(tzinfo=dt.UTC)
        return sorted(found, key=lambda pair: (pair[1].due or far, pair[1].id))

    def find_appeal(self, who: Principal, appeal_id: str,
                    as_of: dt.datetime | None = None) -> tuple[str, Any]:
        for subject, appeal in self.appeals(who, as_of=as_of):
            if appeal.id == appeal_id:
                return subject, appeal
        raise NotFound(appeal_id)

    def file_appeal(self, who: Principal, subject: str, violation: str, *, complex: bool = False,
                    materials: Sequence[str] = (), at: dt.datetime | None = None):
        if who.role == "reviewer":
            raise Forbidden(_("a reviewer key decides appeals; the merchant or an "
                              "administrator files them"))
        self.pack_of(who, subject)
        when = stamped(who, at, self.clock())
        raw: dict[str, Any] = {"id": new_event_id("appeal", subject), "type": "appeal_filed",
                               "at": when.isoformat(), "subject": subject,
                               "violation": violation, "complex": complex,
                               "materials": list(materials)}
        return self._appeal_step(who, raw)

    def request_material(self, who: Principal, appeal_id: str, at: dt.datetime | None = None):
        if who.role == "merchant":
            raise Forbidden(_("a merchant key cannot request material from itself"))
        return self._follow_up(who, appeal_id, "material_requested", {}, at)

    def submit_material(self, who: Principal, appeal_id: str, at: dt.datetime | None = None):
        if who.role == "reviewer":
            raise Forbidden(_("a reviewer key requests material; the merchant submits it"))
        return self._follow_up(who, appeal_id, "material_submitted", {}, at)

    def decide_appeal(self, who: Principal, appeal_id: str, outcome: str,
                      at: dt.datetime | None = None):
        if who.role == "merchant":
            raise Forbidden(_("a merchant key cannot decide appeals"))
        return self._follow_up(who, appeal_id, "appeal_decided", {"outcome": outcome}, at)

    def _follow_up(self, who: Principal, appeal_id: str, kind: str, extra: dict[str, Any],
                   at: dt.datetime | None):
        when = stamped(who, at, self.clock())
        subject, _appeal = self.find_appeal(who, appeal_id, when)
        raw = {"id": new_event_id(kind.split("_")[0], subject), "type": kind,
               "at": when.isoformat(), "subject": subject, "appeal": appeal_id, **extra}
        return self._appeal_step(who, raw)

    def _appeal_step(self, who: Principal, raw: dict[str, Any]) -> tuple[str, Any]:
        """Store one appeal event, and return the appeal as it stands just after it."""
        events = parse_events([raw], path="")
        event = events[0]
        assert event.subject is not None
        pack = self.pack_of(who, event.subject)
        # The role checks above already ran; posting goes straight to the engine.
        self.states.ingest(events, pack=pack)
        appeal_id = raw.get("appeal") or raw["id"]
        state = self.states.state(event.subject, event.at)
        for appeal in state.appeals:
            if appeal.id == appeal_id:
                return event.subject, appeal
        raise InputError(_("the engine did not record appeal %(appeal_id)r")
                         % {"appeal_id": appeal_id}, path="violation")

    # -- orders -----------------------------------------------------------------------------

    def assess_orders(self, who: Principal, pack: str, rows: Sequence[Mapping[str, Any]],
                      as_of: dt.datetime, *, record: bool = False):
        """The violations the order rules raise up to ``as_of``; stored only when recording.

        A merchant may simulate on its own orders (another store's rows answer 404).
        """
        _check_pack(pack)
        stores = sorted({str(r.get("store")) for r in rows if isinstance(r, Mapping)})
        if who.role == "merchant" and any(not who.may_see(s) for s in stores):
            raise NotFound("store")
        if record and not who.is_admin:
            raise Forbidden(_("only an administrator key records order assessments"))
        if record:  # what is recorded has happened: never after the server's clock
            stamped(who, as_of, self.clock(), path="as_of")
        from ..detect.orders.loading import load_orders
        from ..rules import load_pack
        from .line_watch import check_orders, record_orders

        try:
            table = load_orders(list(rows), tz=load_pack(pack).timezone)
        except InputError as err:
            raise err.within(path="orders") from None
        known = [e for e in self.store.events(pack=pack, until=as_of)
                 if e.subject is None or e.subject in stores]
        subjects = {sid: s for sid, (_, s) in self.store.subjects(pack).items() if s is not None}
        checked = check_orders(table, pack, as_of, known, subjects)
        found = checked.violations
        if not record:
            return found, None
        result = self.states.ingest(found, pack=pack) if found else None
        record_orders(self.store, pack, checked, as_of)
        return found, result

    # -- shadows ----------------------------------------------------------------------------

    @property
    def shadow_evaluation(self):
        """The store's shadows, folded beside the live rules (made on first use)."""
        found = getattr(self, "_shadows", None)
        if found is None:
            from ..shadow import Shadows

            found = self._shadows = Shadows(self.store, self.clock)
        return found

    def add_shadow(self, who: Principal, shadow_id: str, pack: str,
                   candidate: Mapping[str, Any]):
        _only_admins(who, _("only an administrator key registers shadows"))
        return self.shadow_evaluation.add(shadow_id, pack, candidate)

    def shadows(self, who: Principal, pack: str | None = None) -> list[Any]:
        _only_admins(who, _("only an administrator key reads shadows"))
        return self.shadow_evaluation.all(pack)

    def shadow(self, who: Principal, shadow_id: str):
        _only_admins(who, _("only an administrator key reads shadows"))
        from ..shadow import UnknownShadow

        try:
            return self.shadow_evaluation.get(shadow_id)
        except UnknownShadow:
            raise NotFound(shadow_id) from None

    def remove_shadow(self, who: Principal, shadow_id: str) -> None:
        _only_admins(who, _("only an administrator key removes shadows"))
        if not self.shadow_evaluation.remove(shadow_id):
            raise NotFound(shadow_id)

    def compare_shadow(self, who: Principal, shadow_id: str, as_of: dt.datetime | None = None,
                       *, subject: str | None = None, points: int | None = None):
        """The shadow against the live rules (an admin's view: no merchant ever sees it)."""
        shadow = self.shadow(who, shadow_id)
        if subject is not None and self.store.pack_of(subject) != shadow.pack:
            raise NotFound(subject)
        from ..shadow.service import POINTS

        return self.shadow_evaluation.compare(
            shadow.id, as_of or self.clock(), subject=subject,
            points=POINTS if points is None else points)

    def events_of(self, who: Principal, subject: str) -> list[dict[str, Any]]:
        pack = self.pack_of(who, subject)
        return [event_to_dict(e) for e in self.store.events(pack=pack, subjects=[subject])]


def _only_admins(who: Principal, refusal: str) -> None:
    if not who.is_admin:
        raise Forbidden(refusal)


def _check_pack(pack: str) -> None:
    try:
        from ..rules import available_packs
    except ImportError:  # the rule packs are not installed in this build
        return
    packs = list(available_packs())
    if pack not in packs:
        raise InputError(_("unknown pack %(pack)r; expected one of: %(value)s")
                         % {"pack": pack, "value": ', '.join(packs)},
                         path="pack")


def _subject_from(pack: str, subject_id: str, attributes: Mapping[str, Any]):
    """A domain Subject; its kind defaults to the pack's subject kind."""
    _check_pack(pack)
    from ..engine import Subject
    from ..rules import load_pack

    mapping = dict(attributes)
    mapping.setdefault("kind", load_pack(pack).subject_kind)
    try:
        return Subject.from_mapping(subject_id, mapping)
    except InputError as err:
        raise err.within(path="subject") from None
