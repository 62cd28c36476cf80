"""A self-contained HTML report of a scan: every text with its findings highlighted and a
summary chart by finding (inline SVG; no scripts, no fonts or styles from elsewhere)."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .lexicon import FINDINGS
from .scanner import Finding

COLOURS = dict(zip(FINDINGS, ("#d9480f", "#c2255c", "#9c36b5", "#1971c2", "#0c8599",
                              "#2f9e44", "#e67700", "#868e96"), strict=True))


@dataclass(frozen=True, slots=True)
class ScannedText:
    id: str
    text: str
    category: str | None
    findings: Sequence[Finding]
    rules: Sequence[str | None]          # the rule of each finding on the pack, if any


def _highlight(text: str, findings: Sequence[Finding]) -> str:
    """The text with non-overlapping finding spans wrapped in <mark> (earliest, longest first;
    a span overlapping one already marked is listed below the text, not marked twice)."""
    out, pos = [], 0
    for f in sorted((f for f in findings if f.end > f.start), key=lambda f: (f.start, -f.end)):
        if f.start < pos:
            continue
        out.append(html.escape(text[pos:f.start]))
        out.append(f'<mark style="background:{COLOURS[f.finding]}33;border-bottom:2px solid '
                   f'{COLOURS[f.finding]}" title="{html.escape(f.finding)}: '
                   f'{html.escape(f.term)}">{html.escape(text[f.start:f.end])}</mark>')
        pos = f.end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _chart(counts: Counter[str]) -> str:
    width, bar_h, label_w = 560, 22, 190
    top = max(counts.values(), default=0) or 1
    rows = []
    for i, name in enumerate(FINDINGS):
        n = counts.get(name, 0)
        y = i * (bar_h + 6)
        w = (width - label_w - 50) * n / top
        rows.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{name}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" '
            f'fill="{COLOURS[name]}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}">{n}</text>')
    height = len(FINDINGS) * (bar_h + 6)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'role="img" aria-label="findings by category" font-size="13">{"".join(rows)}</svg>')


def render_html(scanned: Iterable[ScannedText], *, title: str, pack: str | None) -> str:
    items = list(scanned)
    counts = Counter(f.finding for item in items for f in item.findings)
    flagged = sum(1 for item in items if item.findings)
    blocks = []
    for item in items:
        rows = "".join(
            f"<li><b style='color:{COLOURS[f.finding]}'>{f.finding}</b> "
            f"<code>{html.escape(f.text) or '—'}</code> term <code>{html.escape(f.term)}</code>"
            f"{f' → rule <code>{html.escape(rule)}</code>' if rule else ''}"
            f"<br><small>{html.escape(f.provenance)}</small></li>"
            for f, rule in zip(item.findings, item.rules, strict=True))
        cat = f" <small>({html.escape(item.category)})</small>" if item.category else ""
        blocks.append(
            f"<section class='{'hit' if item.findings else 'clean'}'><h3>#{html.escape(item.id)}"
            f"{cat}</h3><p>{_highlight(item.text, item.findings)}</p>"
            f"{f'<ul>{rows}</ul>' if rows else ''}</section>")
    on_pack = f" on pack <code>{html.escape(pack)}</code>" if pack else ""
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#212529}}
section{{border-left:4px solid #dee2e6;padding:.2rem 1rem;margin:1rem 0}}
section.hit{{border-color:#d9480f}} mark{{color:inherit}} h3{{margin:.3rem 0;font-size:1rem}}
small{{color:#666}} ul{{margin:.3rem 0}}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{len(items)} texts scanned{on_pack}; {flagged} with findings; {sum(counts.values())} findings.</p>
<h2>Findings by category</h2>
{_chart(counts)}
<h2>Texts</h2>
{"".join(blocks)}
</body></html>
"""
