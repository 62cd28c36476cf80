"""One history folded under two rule sets, compared: what ``zhili impact`` computes.

``RuleSet`` names one side (the pack as shipped, a version of it, a drafted pack file, each
with what-if ``--param`` overrides); ``compare`` folds the history under the baseline, folds
under the candidate only the components a change can reach, and diffs them
(:mod:`zhili.impact.diff`). The result is exact: a component none of whose events violates a
rule whose parameters changed folds the same under both (the rules' other parameters, bands,
ladders, association, recovery and appeals reach every component, and then every component
is folded again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..engine import Fold, Subject
from ..engine.component import Component
from ..errors import PackError
from ..events import Event
from ..i18n import _
from ..rules import Pack, load_pack
from .diff import Change, SubjectDiff, Summary, diff_subject, rule_changes, standing

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RuleSet:
    """One side of a comparison: ``pack`` (a code or a path) as shipped or at ``version``, or a
    drafted pack ``file`` (validated like any pack), with what-if ``params``."""

    pack: str
    version: str | None = None
    file: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def load(self) -> Pack:
        if self.file is not None:
            loaded = load_pack(self.file, self.params)
            code = load_pack(self.pack).code
            if loaded.code != code:
                raise PackError(_("the drafted pack is %(code)r, not %(code2)r: compare a pack "
                                  "with a version of itself")
                                % {"code": loaded.code, "code2": code}, file=self.file)
            return loaded
        return load_pack(self.pack, self.params, self.version)


@dataclass
class Impact:
    """What the candidate changes: the changes between the rule sets, every subject whose
    decisions or standing differ, and the population summary."""

    base: Pack
    candidate: Pack
    as_of: dt.datetime
    changes: list[Change]
    subjects: list[SubjectDiff]            # changed subjects only, by id
    summary: Summary
    refolded: int = 0                      # subjects folded again under the candidate

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(),
                "base": describe(self.base), "candidate": describe(self.candidate),
                "changes": [c.to_dict() for c in self.changes],
                "summary": self.summary.to_dict(),
                "subjects": [d.to_dict() for d in self.subjects]}


def describe(pack: Pack) -> dict[str, Any]:
    return {"pack": pack.code, "version": pack.version, "path": pack.path,
            "overrides": dict(pack.overrides)}


def reached_rules(changes: Iterable[Change], candidate: Pack) -> set[str] | None:
    """The rules whose violations a change can alter, or None when a change reaches every
    component (anything but a rule's own parameters)."""
    rules: set[str] = set()
    for ch in changes:
        head, _sep, rest = ch.name.partition(".")
        code = rest.partition(".")[0]
        if head != "rules" or "." not in rest or code not in candidate.rules:
            return None
        rules.add(code)
    return rules


def _violates(component: Component, rules: set[str]) -> bool:
    """Whether any epoch of the component recorded a violation of one of ``rules`` (every
    violation the fold takes is recorded on its subject's book, a voided one in the epochs
    before the grant)."""
    return any(v.code in rules for epoch in component.epochs
               for book in epoch.fold.books.values() for v in book.violations)


def compare(events: Iterable[Event], subjects: Mapping[str, Subject], base: Pack,
            candidate: Pack, as_of: dt.datetime, *,
            progress: tuple[Progress | None, Progress | None] = (None, None),
            whole: bool = False) -> Impact:
    """Fold ``events`` under ``base`` and ``candidate`` and diff them as of ``as_of``.
    ``whole`` folds every component under the candidate (the same result, slower: for tests).
    ``progress``: each fold's ``(done, total)`` listener, baseline then candidate."""
    history = list(events)
    changes = rule_changes(base, candidate)
    base_fold = Fold(base, subjects)
    base_fold.apply_all(history, progress[0])
    base_ledger = base_fold.ledger()
    components = list({id(c): c for c in base_fold.components.values()}.values())
    reach = None if whole else reached_rules(changes, candidate)
    if reach is None:
        affected = components
    else:
        affected = [c for c in components if reach and _violates(c, reach)]
    chosen = {id(c) for c in affected}
    members = {sid: base_fold.subjects[sid] for c in affected for sid in c.subjects}
    again = {e.id: e for c in affected for e in c.events}
    cand_fold = Fold(candidate, members)
    cand_fold.apply_all(again.values() if len(affected) < len(components) else history,
                        progress[1])
    cand_ledger = cand_fold.ledger()
    summary = Summary()
    diffs: list[SubjectDiff] = []
    for comp in components:
        for sid in sorted(comp.subjects):
            if id(comp) not in chosen:
                summary.add_same(standing(base_ledger.state(sid, as_of)))
                continue
            d = diff_subject(sid, base_ledger.decisions(sid, as_of), base_ledger.state(sid, as_of),
                             cand_ledger.decisions(sid, as_of), cand_ledger.state(sid, as_of),
                             changes)
            summary.add(d)
            if d.changed:
                diffs.append(d)
    diffs.sort(key=lambda d: d.subject)
    return Impact(base, candidate, as_of, changes, diffs, summary, len(members))


__all__ = ["Impact", "RuleSet", "compare", "describe", "reached_rules"]
