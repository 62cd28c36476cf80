"""A subject's past, for the console: scores and sanctions at the instants they changed.

The engine answers "state as of T"; a history is that question asked at every instant a
decision was taken (and just before it), which is exactly where a step chart has corners.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .charts import Rule, Series, Span

EPSILON = dt.timedelta(seconds=1)


@dataclass
class History:
    start: dt.datetime
    end: dt.datetime
    scores: dict[str, list[tuple[dt.datetime, float]]] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)


def sample_times(decisions: Sequence[Any], start: dt.datetime, end: dt.datetime,
                 limit: int = 400) -> list[dt.datetime]:
    """The period's edges and each decision's instant with the moment before it."""
    times = {start, end}
    for d in decisions:
        if start < d.at <= end:
            times.update((d.at - EPSILON, d.at))
    ordered = sorted(times)
    if len(ordered) > limit:  # keep the edges; thin the middle evenly
        step = len(ordered) / limit
        ordered = sorted({ordered[0], ordered[-1], *(ordered[int(i * step)]
                                                     for i in range(limit))})
    return ordered


def history(state_at, decisions: Sequence[Any], start: dt.datetime,
            end: dt.datetime) -> History:
    """Sample ``state_at(t)`` and turn the samples into score series and sanction spans."""
    out = History(start=start, end=end)
    seen: dict[tuple[str, dt.datetime], Span] = {}
    for t in sample_times(decisions, start, end):
        state = state_at(t)
        for name, value in state.scores.items():
            series = out.scores.setdefault(name, [])
            if not series or series[-1][1] != float(value) or t == end:
                series.append((t, float(value)))
        active = set()
        for s in state.sanctions:
            key = (s.name, s.start)
            active.add(key)
            seen.setdefault(key, Span(lane=s.kind, label=_label(s), start=s.start, end=s.end))
        for key, span in list(seen.items()):
            # A sanction that stopped being active before its stated end was lifted then
            # (band recovery, a year reset, a granted appeal).
            if key not in active and (span.end is None or span.end > t) and span.start <= t:
                seen[key] = Span(span.lane, span.label, span.start, t)
    out.spans = sorted(seen.values(), key=lambda s: (s.lane, s.start))
    return out


def _label(s) -> str:
    scope = f" [{s.scope}]" if s.scope else ""
    return f"{s.kind}{scope} ({s.rule})"


def score_series(h: History) -> list[Series]:
    return [Series(name=name, points=points) for name, points in h.scores.items()]


def band_rules(pack, score: str, t: dt.datetime,
               name: Callable[[str, str], str] = lambda kind, code: code) -> list[Rule]:
    """The credit bands' upper edges, as horizontal lines on the score chart."""
    bands = getattr(pack, "bands", None)
    if bands is None or bands.score != score:
        return []
    return [Rule(label=f"≤ {float(level.upto.at(t)):g} · {name('band', level.name)}",
                 value=float(level.upto.at(t)))
            for level in bands.levels]


def score_range(pack, score: str, points: Sequence[tuple[dt.datetime, float]],
                t: dt.datetime) -> tuple[float, float]:
    definition = getattr(pack, "scores", {}).get(score)
    values = [v for _, v in points] or [0.0]
    low = min(0.0, *values)
    high = max(values)
    if definition is not None:
        high = max(high, float(definition.start.at(t)))
    return low, high if high > low else low + 1
