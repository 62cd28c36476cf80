"""Names people read for the codes of a pack: a Chinese name in the source's own wording and
an English one, for every rule, score, band, ladder step, sanction, notice, fund account,
action and content finding.

A pack's ``names:`` section holds them, one mapping per kind::

    names:
      sanctions:
        suspend_new_listings: {zh: 暂停橱窗新增商品, en: New showcase listings suspended}

The loader checks the shape and that every named code exists in the pack; the pack meta-test
checks that every code the pack uses has a name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from ..i18n import _, current_language

if TYPE_CHECKING:
    from .loader import Builder
    from .model import Pack

KINDS = ("rules", "scores", "bands", "steps", "sanctions", "notices", "accounts", "actions",
         "findings")
_HAN = re.compile(r"[\u4e00-\u9fff]")


class Name(NamedTuple):
    """A code and its names. ``str(name)`` is the name in the current language."""

    code: str
    zh: str
    en: str

    def text(self, lang: str | None = None) -> str:
        return self.en if (lang or current_language()) == "en" else self.zh

    def labelled(self, lang: str | None = None) -> str:
        """The name with its code beside it, for tables where both matter."""
        text = self.text(lang)
        return text if text == self.code else f"{text} ({self.code})"

    def __str__(self) -> str:
        return self.text()


def parse_section(node: Any, kinds: tuple[str, ...],
                  fail: Callable[[str, str], Exception]) -> dict[str, dict[str, Name]]:
    """A ``names:`` section (``{KIND: {CODE: {zh, en}}}``), validated for shape: known kinds,
    a zh name with Chinese in it, a non-empty en name. ``fail(path, message)`` makes the
    error, naming the file as its caller does."""
    if node is None:
        return {}
    if not isinstance(node, Mapping):
        raise fail("names", _("expected a mapping of %(value)s") % {"value": ', '.join(kinds)})
    names: dict[str, dict[str, Name]] = {}
    for kind, entries in node.items():
        if kind not in kinds:
            raise fail(f"names.{kind}", _("unknown kind; expected one of: %(value)s")
                                        % {"value": ', '.join(kinds)})
        if not isinstance(entries, Mapping):
            raise fail(f"names.{kind}", _("expected a mapping of code to {zh, en}"))
        names[kind] = {}
        for code, spec in entries.items():
            path = f"names.{kind}.{code}"
            if not isinstance(spec, Mapping) or set(spec) != {"zh", "en"}:
                raise fail(path, _("expected {zh: Chinese name, en: English name}"))
            zh, en = spec["zh"], spec["en"]
            if not isinstance(zh, str) or not _HAN.search(zh):
                raise fail(f"{path}.zh", _("expected the Chinese name, got %(zh)r") % {"zh": zh})
            if not isinstance(en, str) or not en.strip():
                raise fail(f"{path}.en", _("expected the English name, got %(en)r") % {"en": en})
            names[kind][str(code)] = Name(str(code), zh.strip(), en.strip())
    return names


def parse(b: Builder, node: Any) -> dict[str, dict[str, Name]]:
    return parse_section(node, KINDS, b.fail)


def used_codes(pack: Pack) -> dict[str, set[str]]:
    """Every code of each kind that this pack can show a person."""
    used: dict[str, set[str]] = {kind: set() for kind in KINDS}
    used["rules"].update(pack.rules)
    used["scores"].update(pack.scores)
    consequences = []
    for rule in pack.rules.values():
        consequences.append(rule.consequences)
        consequences.extend(v.consequences for v in rule.flags.values())
        if rule.repeats:
            consequences.extend(t.consequences for t in rule.repeats.tiers)
    for tier in pack.association.tiers if pack.association else ():
        consequences.extend((tier.main, tier.others, tier.members))
    sanctions = [s for c in consequences for s in c.sanctions]
    if pack.bands:
        used["bands"].update(level.name for level in pack.bands.levels)
        sanctions.extend(s for level in pack.bands.levels for s in level.sanctions)
    for ladder in pack.ladders:
        used["steps"].update(f"{ladder.name}.{step.name}" for step in ladder.steps)
        sanctions.extend(s for step in ladder.steps for s in step.sanctions)
        sanctions.extend(ladder.escalation)
    used["sanctions"].update(s.kind for s in sanctions)
    if any(c.raise_deposit_multiple for c in consequences):
        used["sanctions"].add("raise_deposit")
    used["notices"].update(n for c in consequences for n in c.notices)
    used["actions"].update(a for c in consequences for a in c.actions)
    used["accounts"].update(h.account for c in consequences for h in c.holds)
    if pack.funds:
        used["accounts"].add(pack.funds.fee_account)
        if pack.funds.shortfall_hold_account:
            used["accounts"].add(pack.funds.shortfall_hold_account)
    used["findings"].update(pack.content)
    return used


def check_known(b: Builder, pack: Pack) -> None:
    """A name for a code the pack does not have is a typo or a leftover: refuse it."""
    used = used_codes(pack)
    for kind, entries in pack.names.items():
        for code in entries:
            if kind in ("rules", "scores", "bands", "steps") and code not in used[kind]:
                raise b.fail(f"names.{kind}.{code}", _("no such %(value)s in this pack")
                                                     % {"value": kind[:-1]})


def missing(pack: Pack) -> list[str]:
    """``kind.code`` of every code the pack uses but does not name."""
    used = used_codes(pack)
    return sorted(f"{kind}.{code}" for kind, codes in used.items() for code in codes
                  if code not in pack.names.get(kind, {}))


def lookup(names: Mapping[str, Mapping[str, Name]], kind: str, code: str) -> Name:
    """The name of ``code``, or the code itself when nothing names it."""
    found = names.get(kind, {}).get(code)
    return found if found is not None else Name(code, code, code)
