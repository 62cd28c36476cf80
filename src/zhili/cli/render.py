"""Rich renderings of packs, states and decisions for the terminal."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO, Any

import orjson
from rich.console import Group
from rich.table import Table

from ..engine import Decision, SubjectState
from ..engine.records import Sanction
from ..i18n import _
from ..notices import event_name, kind_name, notice, rule_name, source
from ..rules import Pack, Rule
from ..rules.model import SanctionSpec
from ..timekit import fmt
from ..web import names


def write_json(value: Any, out: IO[str] | None = None) -> None:
    """Indented JSON on standard output (or ``out``). Encoded by orjson: the standard library
    indents in pure Python, which took longer than the fold itself for a replay of 20,000
    subjects. Values that are not JSON types are written as their ``str``."""
    (out or sys.stdout).write(orjson.dumps(value, default=str, option=orjson.OPT_INDENT_2
                                  | orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS).decode())


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    t = Table(title=title, show_lines=False, title_justify="left")
    for h in headers:
        t.add_column(h, overflow="fold")
    for row in rows:
        t.add_row(*row)
    return t



def _lasting(spec: SanctionSpec) -> str:
    if spec.days:
        return _("%(days)s days") % {"days": f"{spec.days.value:g}"}
    if spec.permanent:
        return _("permanent")
    if spec.until:
        return _("until %(event)s") % {"event": event_name(spec.until)}
    return ""


def consequences(rule: Rule, pack: Pack) -> str:
    """What a rule does, in words and the pack's names (codes are in the rule's own row)."""
    c = rule.consequences
    parts = [f"{pack.name('scores', score)} "
             f"{'+' if pack.scores[score].direction == 'up' else '−'}{p.value:g}"
             for score, p in c.deduct]
    parts += [" ".join(filter(None, (str(pack.name("sanctions", s.kind)), _lasting(s))))
              for s in c.sanctions]
    for h in c.holds:
        amount = (_("%(amount)s CNY") % {"amount": f"{h.amount.value:g}"} if h.amount else
                  _("%(ratio)s× the amount") % {"ratio": f"{h.amount_ratio.value:g}"}
                  if h.amount_ratio else _("all"))
        lasts = (_("%(days)s days") % {"days": f"{h.days.value:g}"} if h.days
                 else _("until %(event)s") % {"event": event_name(str(h.until))})
        parts.append(_("hold %(account)s %(amount)s, %(lasts)s") % {
            "account": pack.name("accounts", h.account), "amount": amount, "lasts": lasts})
    parts += [str(pack.name("notices", n)) for n in c.notices]
    parts += [str(pack.name("actions", a)) for a in c.actions]
    if c.fee:
        parts.append(_("fee %(amount)s CNY") % {"amount": f"{c.fee.value:g}"})
    if c.raise_deposit_multiple:
        parts.append(_("deposit raised to %(n)s× the base") % {
            "n": f"{c.raise_deposit_multiple.value:g}"})
    parts += [_("more with flag %(flag)s") % {"flag": _coded(names.name("flag", flag), flag)}
              for flag in rule.flags]
    if rule.repeats:
        parts.append(_("escalates on repeats (%(window)s)") % {"window": rule.repeats.window})
    return _("; ").join(parts) or _("recorded only")


def _coded(name: str, code: str) -> str:
    """A name with its code beside it, or the code alone where nothing names it."""
    return code if name == code else f"{name} ({code})"


def _lasts(x: Sanction, pack: Pack) -> str:
    if x.permanent:
        return _("permanent")
    if x.end:
        return _("until %(event)s") % {"event": fmt(x.end, pack.timezone)}
    if x.band:
        return _("while in the tier")
    if x.ladder_step:
        return _("while below the threshold")
    return _("until %(event)s") % {"event": event_name(x.until) if x.until else _("lifted")}


def standing(states: Sequence[SubjectState], pack: Pack) -> Group:
    """A summary row per subject, then what is active on each, in words."""
    summary = Table(title=_("Standing as of %(at)s (%(pack)s %(version)s)") % {
        "at": fmt(states[0].as_of, pack.timezone), "pack": pack.code,
        "version": pack.version} if states else _("Standing"), title_justify="left")
    scores = list(pack.scores)
    for h in (_("subject"), *(str(pack.name("scores", n)) for n in scores), _("tier"),
              _("fees CNY"), _("held"), _("sanctions"), _("violations"), _("appeals")):
        summary.add_column(h, overflow="fold")
    blocks = []
    for s in states:
        held = ", ".join(f"{pack.name('accounts', k)} {_('(all)') if v is True else v}"
                         for k, v in s.held.items()) or "—"
        appeals = ", ".join(f"{a.id} {names.name('state', a.status)}" for a in s.appeals) or "—"
        summary.add_row(s.subject, *(f"{s.scores[n]:g}" for n in scores),
                        pack.name("bands", s.band).labelled() if s.band else "—",
                        f"{s.fees}", held, str(len(s.sanctions)), str(len(s.violations)),
                        appeals)
        if s.sanctions:
            active = _("; ").join(
                f"{pack.name('sanctions', x.kind)}{f' {x.scope}' if x.scope else ''} "
                f"({_lasts(x, pack)})" for x in s.sanctions)
            blocks.append(f"[bold]{s.subject}[/]: {active}")
    return Group(summary, *blocks)


def decisions(subject: str, items: Sequence[Decision], pack: Pack) -> Table:
    t = Table(title=_("Why: %(subject)s") % {"subject": subject}, title_justify="left",
              show_lines=True)
    for h in (_("when"), _("decision"), _("rule"), _("why"), _("source")):
        t.add_column(h, overflow="fold")
    for d in items:
        name = rule_name(pack, d.rule)
        rule = f"{name}\n{d.rule}" if str(name) != d.rule else d.rule
        t.add_row(fmt(d.at, pack.timezone), kind_name(d.kind),
                  f"{rule}\n{d.pack} {d.version}", notice(d, pack), source(d))
    return t
