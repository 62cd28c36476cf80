"""The scan page's data: the text cut into plain and highlighted pieces."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..api.scanning import scan_text, scanner_available


def field(finding: Any, name: str) -> Any:
    return finding.get(name) if isinstance(finding, dict) else getattr(finding, name, None)


def segments(text: str, findings: Sequence[Any]) -> list[dict[str, Any]]:
    """Plain runs and marked runs in order; overlapping findings merge into one mark."""
    spans = sorted((field(f, "start"), field(f, "end"), f) for f in findings)
    out: list[dict[str, Any]] = []
    pos = 0
    for start, end, f in spans:
        if start < pos:  # overlaps the previous mark: extend it
            if out and out[-1]["findings"]:
                prev = out[-1]
                if end > pos:
                    prev["text"] += text[pos:end]
                    pos = end
                prev["findings"].append(f)
            continue
        if start > pos:
            out.append({"text": text[pos:start], "findings": []})
        out.append({"text": text[start:end], "findings": [f]})
        pos = end
    if pos < len(text):
        out.append({"text": text[pos:], "findings": []})
    return out


def result(text: str, pack: str | None, category: str | None,
           source: str = "seller") -> dict[str, Any]:
    if not scanner_available():
        return {"available": False, "findings": [], "segments": [{"text": text, "findings": []}]}
    findings = scan_text(text, pack=pack, category=category, source=source)
    # Findings without a place in the text (a missing label) are listed but not marked.
    marked = [f for f in findings if f["end"] > f["start"]]
    return {"available": True, "findings": findings, "segments": segments(text, marked),
            "field": field}
