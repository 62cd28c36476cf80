"""How an impact report names things for a person: parameters by their rule's name, decisions
in the pack's words, values and provenance as text (tables and the HTML report share these)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..engine import Decision
from ..i18n import N_, _
from ..notices import assumption, kind_name, notice, rule_name
from ..rules import Pack, Provenance
from .diff import Change, DecisionChange


def change_word(change: str) -> str:
    return {"added": _("added"), "removed": _("removed"), "changed": _("changed")}[change]


def owner(name: str) -> str:
    """The rule (as decisions cite it) a parameter belongs to: ``rules.CODE.x`` and
    ``detectors.CODE.x`` → CODE, ``bands.levels.band_8.fee`` → ``bands.band_8``, else its
    section."""
    parts = name.split(".")
    if parts[0] in ("rules", "detectors") and len(parts) > 2:
        return parts[1]
    if parts[:2] == ["bands", "levels"] and len(parts) > 2:
        return f"bands.{parts[2]}"
    return parts[0]


def parameter(pack: Pack, name: str) -> str:
    """A parameter as a person reads it: its rule's name, then the dotted name."""
    ruled = str(rule_name(pack, owner(name)))
    return name if ruled in (owner(name), name) else f"{ruled} · {name}"


# Parameters whose value is a word (bands.fee_mode): what each word means. The word stays beside
# its meaning, as it is what --param and a pack file take.
VALUE_WORDS = {"cumulative": N_("the difference on entering a higher tier"),
               "per_entry": N_("the tier's whole fee on each entry")}


def value(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ", timespec="minutes")
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, str) and v in VALUE_WORDS:
        return f"{_(VALUE_WORDS[v])} ({v})"
    return str(v)


def provenance(p: Provenance | None) -> str:
    """Where a value comes from, worded as decisions' sources are (``notices.source``)."""
    if p is None:
        return "—"
    if p.override:
        return _("A value overridden for a what-if run")
    if p.assumption is not None:
        return _("Assumption: %(why)s") % {"why": assumption(p.assumption)}
    return p.describe()


def cause(pack: Pack, ch: Change, at: dt.datetime | None) -> str:
    """``parameter: baseline → candidate``."""
    return _("%(parameter)s: %(base)s → %(candidate)s") % {
        "parameter": parameter(pack, ch.name), "base": value(ch.value("base", at)),
        "candidate": value(ch.value("candidate", at))}


def decision(pack: Pack, d: Decision | None) -> str:
    return "—" if d is None else notice(d, pack)


def headline(pack: Pack, x: DecisionChange) -> str:
    """What kind of decision, of which rule."""
    return f"{kind_name(x.kind)} · {rule_name(pack, x.rule)}"
