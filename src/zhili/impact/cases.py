"""Scenario cases that state what a candidate rule set must do (``zhili test``; the keys
``candidate``, ``expect_candidate`` and ``impact`` of docs/scenarios.md).

``candidate`` names the rule set: ``params`` (on top of the case's own), a ``version`` of the
case's pack, or a drafted ``pack`` file beside the scenario file. ``impact`` entries check what
the comparison says of a subject as of an instant: whether anything differs, which parameters
the differences name, and which decisions are added, removed or changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..engine import Ledger
from ..errors import InputError
from ..histories import check_keys, timed_entries
from ..i18n import _
from ..rules import Pack
from ..timekit import parse_instant
from .compare import RuleSet
from .diff import DecisionChange, diff_subject, rule_changes

CANDIDATE_KEYS = ("params", "version", "pack")
IMPACT_KEYS = ("at", "subject", "changed", "causes", "differences", "not_differences")
DIFFERENCE_KEYS = ("change", "kind", "rule", "cause")


def candidate_pack(node: Any, case: Mapping[str, Any], file: str, where: str,
                   folder: Path) -> Pack:
    """The candidate rule set a case names, loaded and validated."""
    if not isinstance(node, Mapping):
        raise InputError(_("expected {params, version or pack}"), file=file, path=where)
    check_keys(node, CANDIDATE_KEYS, (), file, where)
    if node.get("version") is not None and node.get("pack") is not None:
        raise InputError(_("give a version or a drafted pack, not both"), file=file, path=where)
    params = node.get("params") or {}
    if not isinstance(params, Mapping):
        raise InputError(_("expected a mapping of parameter names to values"), file=file,
                         path=f"{where}.params")
    drafted = str(folder / str(node["pack"])) if node.get("pack") is not None else None
    version = str(node["version"]) if node.get("version") is not None else None
    try:
        return RuleSet(str(case["pack"]), version, drafted,
                       {**(case.get("params") or {}), **params}).load()
    except InputError as err:
        raise err.within(file=file, path=where) from None


def check_impact(entries: Any, pack: Pack, file: str, where: str) -> None:
    """Validate ``impact`` entries: known keys, an instant and a subject each."""
    for j, entry in enumerate(timed_entries(entries, IMPACT_KEYS, pack.timezone, file, where)):
        p = f"{where}[{j}]"
        for key in ("differences", "not_differences"):
            for k, want in enumerate(entry.get(key) or []):
                if not isinstance(want, Mapping) or any(x not in DIFFERENCE_KEYS for x in want):
                    raise InputError(_("expected a mapping of %(value)s")
                                     % {"value": ', '.join(DIFFERENCE_KEYS)},
                                     file=file, path=f"{p}.{key}[{k}]")


def _matches(want: Mapping[str, Any], x: DecisionChange) -> bool:
    return (want.get("change", x.change) == x.change and want.get("kind", x.kind) == x.kind
            and want.get("rule", x.rule) == x.rule
            and ("cause" not in want or any(c.name == want["cause"] for c in x.causes)))


def _describe(x: DecisionChange) -> str:
    return f"{x.change} {x.kind} {x.rule} ({', '.join(c.name for c in x.causes)})"


def impact_failures(entry: Mapping[str, Any], base: Ledger, candidate: Ledger, tz: str
                    ) -> Iterator[tuple[str, str, Any, Any]]:
    """(subject, key, expected, actual) for each thing the entry expects that the comparison
    does not say."""
    at: dt.datetime = parse_instant(entry["at"], tz)
    subject = str(entry["subject"])
    d = diff_subject(subject, base.decisions(subject, at), base.state(subject, at),
                     candidate.decisions(subject, at), candidate.state(subject, at),
                     rule_changes(base.pack, candidate.pack))
    found = [_describe(x) for x in d.decisions] or "no difference"
    if "changed" in entry and bool(entry["changed"]) != d.changed:
        yield subject, "impact.changed", bool(entry["changed"]), d.changed
    if "causes" in entry:
        names = sorted(c.name for c in d.causes)
        if sorted(str(c) for c in entry["causes"] or []) != names:
            yield subject, "impact.causes", sorted(entry["causes"] or []), names
    for want in entry.get("differences") or []:
        if not any(_matches(want, x) for x in d.decisions):
            yield subject, "impact.differences", dict(want), found
    for unwanted in entry.get("not_differences") or []:
        if any(_matches(unwanted, x) for x in d.decisions):
            yield subject, "impact.not_differences", f"no {dict(unwanted)}", found
