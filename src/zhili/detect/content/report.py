"""A self-contained HTML report of a scan: every text with its findings highlighted and a
summary chart by finding (inline SVG; no scripts, no fonts or styles from elsewhere).

It reads in the current language (``zhili.i18n``): findings and rules by the names the caller
gives (``name(kind, code)``, the packs' names), a pattern's term by what it matched
(``labels.term_label``); codes stay in tooltips."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ...i18n import _, current_language, ngettext
from ...notices import assumption
from .labels import term_label
from .lexicon import ASSUMED, FINDINGS
from .scanner import Finding

Namer = Callable[[str, str], str]  # (kind, code) -> the name a person reads

COLOURS = dict(zip(FINDINGS, ("#d9480f", "#c2255c", "#9c36b5", "#1971c2", "#0c8599",
                              "#2f9e44", "#e67700", "#868e96"), strict=True))


@dataclass(frozen=True, slots=True)
class ScannedText:
    id: str
    text: str
    category: str | None
    findings: Sequence[Finding]
    rules: Sequence[str | None]          # the rule of each finding on the pack, if any


def _as_code(kind: str, code: str) -> str:
    return code


def _highlight(text: str, findings: Sequence[Finding], name: Namer = _as_code) -> str:
    """The text with non-overlapping finding spans wrapped in <mark> (earliest, longest first;
    a span overlapping one already marked is listed below the text, not marked twice)."""
    out, pos = [], 0
    for f in sorted((f for f in findings if f.end > f.start), key=lambda f: (f.start, -f.end)):
        if f.start < pos:
            continue
        out.append(html.escape(text[pos:f.start]))
        out.append(f'<mark style="background:{COLOURS[f.finding]}33;border-bottom:2px solid '
                   f'{COLOURS[f.finding]}" title="{html.escape(name("finding", f.finding))}: '
                   f'{html.escape(term_label(f.term))}">{html.escape(text[f.start:f.end])}'
                   '</mark>')
        pos = f.end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _chart(counts: Counter[str], name: Namer = _as_code) -> str:
    width, bar_h, label_w = 560, 22, 190
    top = max(counts.values(), default=0) or 1
    rows = []
    for i, code in enumerate(FINDINGS):
        n = counts.get(code, 0)
        y = i * (bar_h + 6)
        w = (width - label_w - 50) * n / top
        rows.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">'
            f'{html.escape(name("finding", code))}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" '
            f'fill="{COLOURS[code]}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}">{n}</text>')
    height = len(FINDINGS) * (bar_h + 6)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'role="img" aria-label="{html.escape(_("Findings by category"))}" '
            f'font-size="13">{"".join(rows)}</svg>')


def render_html(scanned: Iterable[ScannedText], *, title: str, pack: str | None,
                name: Namer = _as_code) -> str:
    """The report; ``pack`` is the platform's name, ``name(kind, code)`` names findings and
    rules (codes stay in the tooltips)."""
    items = list(scanned)
    counts = Counter(f.finding for item in items for f in item.findings)
    flagged = sum(1 for item in items if item.findings)
    blocks = []
    for item in items:
        rows = "".join(_row(f, rule, name) for f, rule in zip(item.findings, item.rules,
                                                              strict=True))
        cat = f" <small>({html.escape(item.category)})</small>" if item.category else ""
        blocks.append(
            f"<section class='{'hit' if item.findings else 'clean'}'><h3>#{html.escape(item.id)}"
            f"{cat}</h3><p>{_highlight(item.text, item.findings, name)}</p>"
            f"{f'<ul>{rows}</ul>' if rows else ''}</section>")
    summary = ngettext("%(n)d text scanned", "%(n)d texts scanned", len(items)) % {
        "n": len(items)}
    if pack:
        summary += _(" on %(platform)s") % {"platform": pack}
    summary += _("; %(flagged)d with findings; %(found)d findings.") % {
        "flagged": flagged, "found": sum(counts.values())}
    lang = "zh-CN" if current_language().startswith("zh") else "en"
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#212529}}
section{{border-left:4px solid #dee2e6;padding:.2rem 1rem;margin:1rem 0}}
section.hit{{border-color:#d9480f}} mark{{color:inherit}} h3{{margin:.3rem 0;font-size:1rem}}
small{{color:#666}} ul{{margin:.3rem 0}}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(summary)}</p>
<h2>{html.escape(_("Findings by category"))}</h2>
{_chart(counts, name)}
<h2>{html.escape(_("Texts"))}</h2>
{"".join(blocks)}
</body></html>
"""


def _row(f: Finding, rule: str | None, name: Namer) -> str:
    """One finding as a person reads it: its name, the matched text, what it matched, the
    rule's name; the codes in tooltips."""
    matched = html.escape(f.text) or "—"
    term = (f"{html.escape(_('term'))} <code title='{html.escape(f.term)}'>"
            f"{html.escape(term_label(f.term))}</code>")
    ruled = (f" → {html.escape(_('rule'))} <span title='{html.escape(rule)}'>"
             f"{html.escape(name('rule', rule))}</span>" if rule else "")
    return (f"<li><b style='color:{COLOURS[f.finding]}' title='{html.escape(f.finding)}'>"
            f"{html.escape(name('finding', f.finding))}</b> <code>{matched}</code> {term}{ruled}"
            f"<br><small>{html.escape(_cited(f.provenance))}</small></li>")


def _cited(provenance: str) -> str:
    """A finding's provenance as the lexicon words it (``title (date): 「quote」`` or
    ``assumption: why``), for a person: an assumption in the reader's language."""
    if provenance.startswith(ASSUMED):
        return _("Assumption: %(why)s") % {
            "why": assumption(provenance.removeprefix(ASSUMED))}
    return provenance
