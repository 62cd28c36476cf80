"""What a candidate rule set changes, subject by subject: a pure diff of two folds' results.

The same history folded under a *baseline* and a *candidate* rule set (two packs: another
version, a drafted pack file, or ``--param`` overrides) gives two ledgers; this module compares
them and says, for each subject, which decisions differ and why. Nothing here folds, reads the
clock or the store: callers (``zhili impact``, the service's shadow evaluation) hand it what
they folded.

The API, small and stable::

    changes = rule_changes(base_pack, candidate_pack)   # what differs between the rule sets
    diff = diff_subject(subject,
                        base_ledger.decisions(subject, as_of), base_ledger.state(subject, as_of),
                        cand_ledger.decisions(subject, as_of), cand_ledger.state(subject, as_of),
                        changes)                          # -> SubjectDiff (diff.changed: bool)
    summary = Summary()
    summary.add(diff)               # every subject, changed or not (the totals count them all)
    summary.add_same(standing(state), n=1)  # or: a subject known to be the same in both
    summary.to_dict()

* ``Change``: one difference between the rule sets — a parameter whose value differs (its
  dotted name as ``zhili rules PACK --params`` lists it, both values, both provenances) or a
  rule present in one only (``rules.CODE``). ``rule_changes`` lists them, sorted by name.
* ``DecisionChange``: a decision ``added`` (only under the candidate), ``removed`` (only under
  the baseline) or ``changed`` (same decision id, another instant or detail: a duration, an
  amount, a deadline), with both decisions and its ``causes``: the changes of its own rule's
  parameters (``direct``), or, when none of them changed, what changed this subject's other
  decisions (a band entered because a deduction grew follows from the deduction's parameter).
* ``Standing``: the state that matters for a population — scores, band, fees, held amount,
  whole-account holds, active sanctions, suspended (a business-stopping sanction with an end)
  or banned (a permanent one).
* ``SubjectDiff``: the subject, both standings, the decision changes in time order, and the
  score differences.
* ``Summary``: the population view — subjects compared and changed, band moves, newly
  suspended / banned, released, fee and held totals under each, the distribution of
  score differences.

Decisions match by id (``CAUSE/KIND/RULE/SUBJECT#n``; a recomputed history keeps them), so a
rule set that decides the same gives no difference at all.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..engine import Decision, SubjectState
from ..engine.records import _jsonable
from ..portfolio import STOPPING  # business-stopping sanctions: with an end "suspended",
from ..rules import Pack, Param, Provenance  # permanent "banned"


@dataclass(frozen=True)
class Change:
    """One difference between the rule sets: a parameter (or a rule present in one only)."""

    name: str                       # dotted parameter name, or ``rules.CODE``
    base: Param | None              # None: not in the baseline
    candidate: Param | None         # None: not in the candidate

    def value(self, side: str, at: dt.datetime | None = None) -> Any:
        """The value on ``side`` ("base" or "candidate") in force at ``at`` (None: absent)."""
        param = self.base if side == "base" else self.candidate
        return None if param is None else param.at(at) if at is not None else param.value

    def provenance(self, side: str) -> Provenance | None:
        param = self.base if side == "base" else self.candidate
        return None if param is None else param.provenance

    def to_dict(self, at: dt.datetime | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        for side in ("base", "candidate"):
            prov = self.provenance(side)
            out[side] = {"value": _jsonable(self.value(side, at)),
                         "provenance": dict(prov.to_dict()) if prov else None}
        return out


def _param_key(p: Param) -> tuple[Any, ...]:
    return (p.starts, p.values)


def rule_changes(base: Pack, candidate: Pack) -> list[Change]:
    """What differs between two packs: parameters whose (dated) values differ, parameters and
    rules present in one only. Provenance alone differing is not a change of the rules."""
    out: list[Change] = []
    for name in sorted(set(base.params) | set(candidate.params)):
        b, c = base.params.get(name), candidate.params.get(name)
        if b is None or c is None or _param_key(b) != _param_key(c):
            out.append(Change(name, b, c))
    for code in sorted(set(base.rules) ^ set(candidate.rules)):
        if not any(ch.name.startswith(f"rules.{code}.") for ch in out):
            out.append(Change(f"rules.{code}", None, None))
    return sorted(out, key=lambda ch: ch.name)


def own_parameters(rule: str) -> tuple[str, ...]:
    """The parameter name prefixes a decision of ``rule`` (as decisions name it) reads first:
    a rule's own ``rules.CODE.`` and the thresholds that detect it, ``detectors.CODE.``; a
    band's level and the fee mode; a ladder's, the
    association's, recovery's, appeals' or funds' section."""
    head, _sep, rest = rule.partition(".")
    if head == "bands":
        level = rest.partition(".")[0]
        return (f"bands.levels.{level}.", "bands.fee_mode") if level else ("bands.",)
    if head == "ladders":
        ladder = rest.partition(".")[0]
        return (f"ladders.{ladder}.",) if ladder else ("ladders.",)
    if head in ("association", "recovery", "appeals", "funds", "scores"):
        return (f"{head}.",)
    return (f"rules.{rule}.", f"rules.{rule}", f"detectors.{rule}.")


def direct_causes(rule: str, changes: Sequence[Change]) -> tuple[Change, ...]:
    prefixes = own_parameters(rule)
    return tuple(ch for ch in changes
                 if any(ch.name == p.rstrip(".") or ch.name.startswith(p) for p in prefixes))


@dataclass(frozen=True)
class Standing:
    """What a population view counts of one subject's state as of an instant."""

    scores: Mapping[str, float]
    band: str | None
    fees: Decimal
    held: Decimal                   # the amounts held, summed over accounts
    held_accounts: int              # accounts held as a whole (no amount)
    sanctions: tuple[str, ...]      # active sanctions' names, sorted
    suspended: bool
    banned: bool

    def to_dict(self) -> dict[str, Any]:
        return _jsonable({"scores": self.scores, "band": self.band, "fees": self.fees,
                          "held": self.held, "held_accounts": self.held_accounts,
                          "sanctions": list(self.sanctions), "suspended": self.suspended,
                          "banned": self.banned})


def standing(state: SubjectState) -> Standing:
    stopping = [s for s in state.sanctions if s.kind in STOPPING]
    amounts = [v for v in state.held.values() if v is not True]
    return Standing(
        scores=dict(state.scores), band=state.band, fees=state.fees,
        held=sum(amounts, Decimal(0)), held_accounts=len(state.held) - len(amounts),
        sanctions=tuple(sorted(s.name for s in state.sanctions)),
        suspended=any(not s.permanent for s in stopping),
        banned=any(s.permanent for s in stopping))


@dataclass(frozen=True)
class DecisionChange:
    """A decision only one rule set takes, or that both take differently."""

    change: str                     # added | removed | changed
    base: Decision | None
    candidate: Decision | None
    causes: tuple[Change, ...]
    direct: bool                    # the causes are the decision's own rule's parameters

    @property
    def decision(self) -> Decision:
        """The candidate's decision when it has one, else the baseline's."""
        found = self.candidate or self.base
        assert found is not None
        return found

    @property
    def kind(self) -> str:
        return self.decision.kind

    @property
    def rule(self) -> str:
        return self.decision.rule

    @property
    def at(self) -> dt.datetime:
        return self.decision.at

    def to_dict(self) -> dict[str, Any]:
        d = self.decision
        return {"change": self.change, "id": d.id, "kind": d.kind, "rule": d.rule,
                "at": d.at.isoformat(), "direct": self.direct,
                "base": self.base.to_dict() if self.base else None,
                "candidate": self.candidate.to_dict() if self.candidate else None,
                "causes": [c.to_dict(d.at) for c in self.causes]}


def _same(a: Decision, b: Decision) -> bool:
    return a.at == b.at and a.detail == b.detail


def diff_decisions(base: Iterable[Decision], candidate: Iterable[Decision],
                   changes: Sequence[Change]) -> list[DecisionChange]:
    """Decisions added, removed or changed (matched by id), in time order, with causes."""
    before = {d.id: d for d in base}
    after = {d.id: d for d in candidate}
    pairs: list[tuple[str, Decision | None, Decision | None]] = []
    for key, d in before.items():
        other = after.get(key)
        if other is None:
            pairs.append(("removed", d, None))
        elif not _same(d, other):
            pairs.append(("changed", d, other))
    pairs += [("added", None, d) for key, d in after.items() if key not in before]
    found: list[tuple[str, Decision | None, Decision | None, tuple[Change, ...]]] = []
    own: dict[str, Change] = {}
    for change, b, c in pairs:
        rule = (c or b).rule  # type: ignore[union-attr]
        causes = direct_causes(rule, changes)
        own.update((ch.name, ch) for ch in causes)
        found.append((change, b, c, causes))
    # What changed none of a decision's own parameters follows from what changed the others.
    upstream = tuple(sorted(own.values(), key=lambda ch: ch.name)) or tuple(changes)
    out = [DecisionChange(change, b, c, causes or upstream, bool(causes))
           for change, b, c, causes in found]
    out.sort(key=lambda x: (x.at, x.decision.id))
    return out


@dataclass(frozen=True)
class SubjectDiff:
    subject: str
    base: Standing
    candidate: Standing
    decisions: tuple[DecisionChange, ...]

    @property
    def changed(self) -> bool:
        return bool(self.decisions) or self.base != self.candidate

    @property
    def score_deltas(self) -> dict[str, float]:
        """Candidate minus baseline, per score (0 where equal)."""
        return {name: self.candidate.scores.get(name, 0) - self.base.scores.get(name, 0)
                for name in sorted(set(self.base.scores) | set(self.candidate.scores))}

    @property
    def causes(self) -> tuple[Change, ...]:
        """Every change named by this subject's decision differences, once, by name."""
        seen = {ch.name: ch for d in self.decisions for ch in d.causes}
        return tuple(seen[k] for k in sorted(seen))

    def to_dict(self) -> dict[str, Any]:
        return {"subject": self.subject, "base": self.base.to_dict(),
                "candidate": self.candidate.to_dict(), "score_deltas": self.score_deltas,
                "decisions": [d.to_dict() for d in self.decisions]}


def diff_subject(subject: str, base_decisions: Iterable[Decision], base_state: SubjectState,
                 candidate_decisions: Iterable[Decision], candidate_state: SubjectState,
                 changes: Sequence[Change]) -> SubjectDiff:
    """One subject under both rule sets, as of the states' instant."""
    return SubjectDiff(subject, standing(base_state), standing(candidate_state),
                       tuple(diff_decisions(base_decisions, candidate_decisions, changes)))


@dataclass
class Totals:
    fees: Decimal = Decimal(0)
    held: Decimal = Decimal(0)
    held_accounts: int = 0
    suspended: int = 0
    banned: int = 0
    bands: Counter[str] = field(default_factory=Counter)   # subjects per band ("" : none)

    def add(self, s: Standing, n: int = 1) -> None:
        self.fees += s.fees * n
        self.held += s.held * n
        self.held_accounts += s.held_accounts * n
        self.suspended += s.suspended * n
        self.banned += s.banned * n
        self.bands[s.band or ""] += n

    def to_dict(self) -> dict[str, Any]:
        return _jsonable({"fees": self.fees, "held": self.held,
                          "held_accounts": self.held_accounts, "suspended": self.suspended,
                          "banned": self.banned, "bands": dict(sorted(self.bands.items()))})


@dataclass
class Summary:
    """The population view, built subject by subject (``add``; ``add_same`` for subjects
    known to fare the same under both, e.g. those no changed parameter can reach)."""

    subjects: int = 0
    changed: int = 0
    base: Totals = field(default_factory=Totals)
    candidate: Totals = field(default_factory=Totals)
    band_moves: Counter[tuple[str, str]] = field(default_factory=Counter)
    newly_suspended: int = 0
    newly_banned: int = 0
    released: int = 0               # suspended or banned under the baseline, neither under it
    decisions: Counter[tuple[str, str]] = field(default_factory=Counter)  # (change, kind)
    score_deltas: dict[str, Counter[float]] = field(default_factory=dict)
    causes: Counter[str] = field(default_factory=Counter)  # subjects a change reached

    def add_same(self, s: Standing, n: int = 1) -> None:
        self.subjects += n
        self.base.add(s, n)
        self.candidate.add(s, n)
        for name in s.scores:
            self.score_deltas.setdefault(name, Counter())[0.0] += n

    def add(self, d: SubjectDiff) -> None:
        if not d.changed:
            self.add_same(d.base)
            return
        self.subjects += 1
        self.changed += 1
        self.base.add(d.base)
        self.candidate.add(d.candidate)
        if d.base.band != d.candidate.band:
            self.band_moves[(d.base.band or "", d.candidate.band or "")] += 1
        b, c = d.base, d.candidate
        self.newly_suspended += c.suspended and not b.suspended
        self.newly_banned += c.banned and not b.banned
        self.released += (b.suspended or b.banned) and not (c.suspended or c.banned)
        for x in d.decisions:
            self.decisions[(x.change, x.kind)] += 1
        for name, delta in d.score_deltas.items():
            self.score_deltas.setdefault(name, Counter())[float(delta)] += 1
        for ch in d.causes:
            self.causes[ch.name] += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "subjects": self.subjects, "changed": self.changed,
            "base": self.base.to_dict(), "candidate": self.candidate.to_dict(),
            "band_moves": [{"from": f or None, "to": t or None, "subjects": n}
                           for (f, t), n in sorted(self.band_moves.items())],
            "newly_suspended": self.newly_suspended, "newly_banned": self.newly_banned,
            "released": self.released,
            "decisions": [{"change": c, "kind": k, "count": n}
                          for (c, k), n in sorted(self.decisions.items())],
            "score_deltas": {name: [{"delta": k, "subjects": n} for k, n in sorted(c.items())]
                             for name, c in sorted(self.score_deltas.items())},
            "causes": dict(sorted(self.causes.items())),
        }


__all__ = ["Change", "DecisionChange", "Standing", "SubjectDiff", "Summary",
           "Totals", "diff_decisions", "diff_subject", "direct_causes", "own_parameters",
           "rule_changes", "standing"]
