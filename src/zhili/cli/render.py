"""Rich renderings of packs, states and decisions for the terminal."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import orjson
from rich.console import Group
from rich.table import Table

from ..engine import Decision, SubjectState
from ..rules import Pack, Rule
from ..timekit import fmt


def write_json(value: Any) -> None:
    """Indented JSON on standard output. Encoded by orjson: the standard library indents in
    pure Python, which took longer than the fold itself for a replay of 20,000 subjects.
    Values that are not JSON types are written as their ``str``."""
    sys.stdout.write(orjson.dumps(value, default=str, option=orjson.OPT_INDENT_2
                                  | orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS).decode())


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    t = Table(title=title, show_lines=False, title_justify="left")
    for h in headers:
        t.add_column(h, overflow="fold")
    for row in rows:
        t.add_row(*row)
    return t


def consequences(rule: Rule) -> str:
    c = rule.consequences
    parts = [f"{score} −{p.value:g}" for score, p in c.deduct]
    parts += [f"{s.kind}" + (f" {s.days.value:g}d" if s.days else " permanent" if s.permanent
                             else f" until {s.until}" if s.until else "") for s in c.sanctions]
    parts += [f"hold {h.account}" + (f" {h.amount.value:g}" if h.amount else "")
              + (f" ×{h.amount_ratio.value:g} amount" if h.amount_ratio else "")
              + (f" {h.days.value:g}d" if h.days else f" until {h.until}") for h in c.holds]
    parts += [f"notice {n}" for n in c.notices]
    if c.fee:
        parts.append(f"fee {c.fee.value:g}")
    if c.raise_deposit_multiple:
        parts.append(f"raise deposit ×{c.raise_deposit_multiple.value:g}")
    parts += [f"with flag {flag}: more" for flag in rule.flags]
    if rule.repeats:
        parts.append(f"repeats per {rule.repeats.window}")
    return "; ".join(parts) or "recorded"


def standing(states: Sequence[SubjectState], pack: Pack) -> Group:
    """A summary row per subject, then what is active on each, in words."""
    summary = Table(title=f"Standing as of {fmt(states[0].as_of, pack.timezone)} "
                          f"({pack.code} {pack.version})" if states else "Standing",
                    title_justify="left")
    scores = list(pack.scores)
    for h in ("subject", *scores, "band", "fees CNY", "held", "sanctions", "violations",
              "appeals"):
        summary.add_column(h, overflow="fold")
    blocks = []
    for s in states:
        held = ", ".join(f"{k} {'(all)' if v is True else v}" for k, v in s.held.items()) or "—"
        appeals = ", ".join(f"{a.id} {a.status}" for a in s.appeals) or "—"
        summary.add_row(s.subject, *(f"{s.scores[n]:g}" for n in scores), s.band or "—",
                        f"{s.fees}", held, str(len(s.sanctions)), str(len(s.violations)),
                        appeals)
        if s.sanctions:
            active = ", ".join(
                f"{x.name} ({'permanent' if x.permanent else 'until ' + fmt(x.end, pack.timezone) if x.end else 'while in band' if x.band else 'while below threshold' if x.ladder_step else 'until ' + (x.until or 'lifted')})"
                for x in s.sanctions)
            blocks.append(f"[bold]{s.subject}[/]: {active}")
    return Group(summary, *blocks)


def decisions(subject: str, items: Sequence[Decision], pack: Pack) -> Table:
    t = Table(title=f"Why: {subject}", title_justify="left", show_lines=True)
    for h in ("when", "decision", "rule", "why", "source"):
        t.add_column(h, overflow="fold")
    for d in items:
        prov = d.explanation.provenance
        source = (f"assumption: {prov['assumption']}" if "assumption" in prov else
                  f"{prov.get('source')}: 「{prov.get('quote')}」" if "quote" in prov else
                  "user override" if prov.get("override") else "")
        t.add_row(fmt(d.at, pack.timezone), d.kind, f"{d.rule}\n{d.pack} {d.version}",
                  d.explanation.text, source)
    return t
