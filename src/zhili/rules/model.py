"""The typed form of a rule pack. Every number in it is a ``Param`` with provenance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..i18n import _
from ..sources import Source
from .names import Name, lookup
from .params import Param, Provenance


@dataclass(frozen=True)
class SanctionSpec:
    """A sanction a rule imposes: a kind, a scope, and how long it lasts."""

    kind: str
    scope: str | None = None          # literal, or $item / $category / $evidence.scope
    days: Param | None = None         # timed
    permanent: bool = False
    band_bound: bool = False          # lasts while the score stays in the band or below
    while_below: bool = False         # lasts while a ladder score stays below its threshold
    until: str | None = None          # an event type that lifts it (rectification_completed)
    detail: Mapping[str, Param] = field(default_factory=dict)
    provenance: Provenance = Provenance()


@dataclass(frozen=True)
class HoldSpec:
    """A hold on a fund account: an amount (fixed or a ratio of the event's amount) or all of it."""

    account: str
    amount: Param | None = None
    amount_ratio: Param | None = None
    days: Param | None = None
    until: str | None = None
    provenance: Provenance = Provenance()
    scope: str | None = None            # what part of the account: `$item`, a literal
    over_days: Param | None = None      # the violation's amount covers this many past days
    without_amount: str = "error"       # `hold_all`: no amount known -> hold the whole scope


@dataclass(frozen=True)
class Consequences:
    deduct: tuple[tuple[str, Param], ...] = ()
    sanctions: tuple[SanctionSpec, ...] = ()
    holds: tuple[HoldSpec, ...] = ()
    notices: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    fee: Param | None = None
    compensation_ratio: Param | None = None
    raise_deposit_multiple: Param | None = None

    def merged(self, other: Consequences, *, replace: bool) -> Consequences:
        """These consequences with ``other`` added (or, with replace, overriding by key)."""
        # An added deduction stands beside the base one (each explained by its own source);
        # a replacing one takes the base one's place.
        replaced = {score for score, _ in other.deduct} if replace else set()
        deduct = tuple(d for d in self.deduct if d[0] not in replaced) + other.deduct
        kinds = {s.kind for s in other.sanctions}
        accounts = {h.account for h in other.holds}
        return Consequences(
            deduct=deduct,
            sanctions=tuple(s for s in self.sanctions if not (replace and s.kind in kinds))
            + other.sanctions,
            holds=tuple(h for h in self.holds if not (replace and h.account in accounts))
            + other.holds,
            notices=self.notices + tuple(n for n in other.notices if n not in self.notices),
            actions=self.actions + tuple(a for a in other.actions if a not in self.actions),
            fee=other.fee or self.fee,
            compensation_ratio=other.compensation_ratio or self.compensation_ratio,
            raise_deposit_multiple=other.raise_deposit_multiple or self.raise_deposit_multiple,
        )


def covers(first: Param | None, last: Param | None, n: int, at: dt.datetime) -> bool:
    """Whether the n-th occurrence falls in a tier's range (1-based, inclusive; no end: on)."""
    return n >= (int(first.at(at)) if first else 1) and (last is None or n <= int(last.at(at)))


@dataclass(frozen=True)
class Variant:
    """Consequences that apply on top of a rule's, by flag or by occurrence."""

    consequences: Consequences
    replace: bool = False
    first: Param | None = None        # occurrence range, 1-based, inclusive
    last: Param | None = None


@dataclass(frozen=True)
class RepeatSpec:
    window: str                       # natural_year | all_time | rolling
    rolling_days: Param | None
    counter: str
    per_scope: bool
    tiers: tuple[Variant, ...]
    provenance: Provenance


@dataclass(frozen=True)
class Rule:
    code: str
    meaning: str
    provenance: Provenance
    consequences: Consequences
    flags: Mapping[str, Variant] = field(default_factory=dict)
    repeats: RepeatSpec | None = None
    scope: str | None = None          # how a violation of this rule is scoped for counting

    def consequences_for(self, flags: tuple[str, ...]) -> Consequences:
        result = self.consequences
        for name in sorted(flags):
            variant = self.flags.get(name)
            if variant:
                result = result.merged(variant.consequences, replace=variant.replace)
        return result


@dataclass(frozen=True)
class ScoreDef:
    name: str
    start: Param
    floor: Param | None
    direction: str                    # down: deductions lower it; up: points accumulate
    reset: str                        # natural_year | never


@dataclass(frozen=True)
class Band:
    name: str
    upto: Param
    fee: Param | None
    sanctions: tuple[SanctionSpec, ...]
    provenance: Provenance


@dataclass(frozen=True)
class Bands:
    score: str
    fee_mode: Param                   # cumulative | per_entry
    levels: tuple[Band, ...]          # shallowest first

    def band_of(self, score: float, t: dt.datetime) -> int:
        """0 for no band, k for the k-th level (1 = shallowest)."""
        depth = 0
        for k, level in enumerate(self.levels, start=1):
            if score <= level.upto.at(t):
                depth = k
        return depth


@dataclass(frozen=True)
class Recovery:
    score: str
    cycle_days: Param
    min_live_hours: Param
    min_transactions: Param
    points: Param
    provenance: Provenance


@dataclass(frozen=True)
class LadderStep:
    name: str
    below: Param | None
    at_least: Param | None
    sanctions: tuple[SanctionSpec, ...]
    on_each_deduction: bool


@dataclass(frozen=True)
class Ladder:
    name: str
    score: str
    steps: tuple[LadderStep, ...]
    escalate_kind: str | None
    escalate_count: Param | None
    escalation: tuple[SanctionSpec, ...]


@dataclass(frozen=True)
class Funds:
    fee_account: str
    shortfall_hold_account: str | None
    provenance: Provenance


@dataclass(frozen=True)
class AssociationTier:
    first: Param
    last: Param | None
    main: Consequences
    others: Consequences
    members: Consequences


@dataclass(frozen=True)
class Association:
    extended_from: Param              # instant from which legal_rep/device/ip link subjects
    extended_via: tuple[str, ...]
    score: str                        # the group's score; every member's violation counts,
                                      # with or without a deduction of it (视频号橱窗达人违规管理规则 2025)
    tiers: tuple[AssociationTier, ...]
    provenance: Provenance


@dataclass(frozen=True)
class Appeals:
    window_days: Param
    due_working_days: Param
    complex_due_working_days: Param
    material_hours: Param
    provenance: Provenance


@dataclass(frozen=True)
class Determination:
    """An event type the pack turns into a violation of one of its rules."""

    event_type: str
    when: Mapping[str, str]
    rule: str
    id_from: str                      # event (the event's own id) | derived (CODE:SUBJ:SCOPE:DATE)
    scope: str | None


@dataclass(frozen=True)
class ContentMapping:
    finding: str
    rule: str | None
    categories: Mapping[str, str | None]
    channels: Mapping[str, str | None] | None   # None: every channel maps to `rule`


@dataclass
class Pack:
    code: str
    version: str
    title: str
    timezone: str
    subject_kind: str
    sources: Mapping[str, Source]
    scores: Mapping[str, ScoreDef]
    rules: Mapping[str, Rule]
    bands: Bands | None = None
    recovery: Recovery | None = None
    ladders: tuple[Ladder, ...] = ()
    funds: Funds | None = None
    association: Association | None = None
    appeals: Appeals | None = None
    determinations: tuple[Determination, ...] = ()
    content: Mapping[str, ContentMapping] = field(default_factory=dict)
    content_options: Mapping[str, Any] = field(default_factory=dict)
    detectors: Mapping[str, Param] = field(default_factory=dict)  # "RULE.NAME" -> threshold
    params: dict[str, Param] = field(default_factory=dict)
    path: str | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)
    names: Mapping[str, Mapping[str, Name]] = field(default_factory=dict)

    def name(self, kind: str, code: str) -> Name:
        """What a person reads for ``code`` (a rule, score, band, sanction …; see
        :mod:`zhili.rules.names`), in the current language; the code stays on ``.code``."""
        return lookup(self.names, kind, code)

    def content_rule(self, finding: str, *, channel: str | None = None,
                     category: str | None = None) -> str | None:
        """The rule a content finding maps to on this pack, or None (evidence only)."""
        mapping = self.content.get(finding)
        if mapping is None:
            return None
        if category is not None and category in mapping.categories:
            return mapping.categories[category]
        if mapping.channels is not None:
            return mapping.channels.get(channel or "", None)
        return mapping.rule

    def rule(self, code: str) -> Rule:
        try:
            return self.rules[code]
        except KeyError:
            raise InputError(
                _("pack %(code)s has no rule %(code2)r; see `zhili rules %(code)s`")
                % {"code": self.code, "code2": code}
            ) from None
