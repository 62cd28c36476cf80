"""Charts as inline SVG, drawn on the server: no script, no CDN, readable without internet.

Each function takes plain numbers and instants and returns markup ready for a template.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..timekit import DEFAULT_ZONE, zone

WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 28
PALETTE = ("#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626")


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    points: Sequence[tuple[dt.datetime, float]]
    step: bool = True          # scores change at instants: draw steps, not slopes


@dataclass(frozen=True, slots=True)
class Rule:
    """A horizontal reference line: a band boundary or a threshold."""

    label: str
    value: float


@dataclass(frozen=True, slots=True)
class Span:
    """A bar on a timeline: one sanction or hold, open-ended when ``end`` is None."""

    lane: str
    label: str
    start: dt.datetime
    end: dt.datetime | None


class _Frame:
    """Maps instants and values to pixels inside the plot area."""

    def __init__(self, start: dt.datetime, end: dt.datetime, low: float, high: float,
                 height: int = HEIGHT, left: int = LEFT):
        self.start, self.end = start, max(end, start + dt.timedelta(hours=1))
        self.low, self.high = low, high if high > low else low + 1
        self.height, self.left = height, left

    def x(self, t: dt.datetime) -> float:
        span = (self.end - self.start).total_seconds()
        clamped = min(max(t, self.start), self.end)
        inner = WIDTH - self.left - RIGHT
        return self.left + inner * (clamped - self.start).total_seconds() / span

    def y(self, v: float) -> float:
        inner = self.height - TOP - BOTTOM
        return TOP + inner * (1 - (v - self.low) / (self.high - self.low))


LABEL_WIDTH = 50  # px of a "2026-02" label at the axis font size, with a gap


def _month_ticks(frame: _Frame, tz: str) -> list[str]:
    """A grid line at each month's start; labels only as often as they fit side by side,
    the first and last kept inside the plot so that none is cut at an edge."""
    out = []
    local = frame.start.astimezone(zone(tz))
    month = dt.datetime(local.year, local.month, 1, tzinfo=zone(tz))
    months = []
    while month <= frame.end:
        if month >= frame.start:
            months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    last_label = -math.inf
    for m in months:
        x = frame.x(m)
        out.append(f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" '
                   f'y2="{frame.height - BOTTOM}"/>')
        if x - last_label < LABEL_WIDTH or x + LABEL_WIDTH / 2 > WIDTH:
            continue
        left = max(x, frame.left + LABEL_WIDTH / 2)
        out.append(f'<text class="axis month" x="{left:.1f}" y="{frame.height - 8}" '
                   f'text-anchor="middle">{m:%Y-%m}</text>')
        last_label = left
    return out


def _path(frame: _Frame, series: Series) -> str:
    parts: list[str] = []
    last_y: float | None = None
    for t, v in series.points:
        x, y = frame.x(t), frame.y(v)
        if last_y is None:
            parts.append(f"M{x:.1f},{y:.1f}")
        elif series.step:
            parts.append(f"H{x:.1f}V{y:.1f}")
        else:
            parts.append(f"L{x:.1f},{y:.1f}")
        last_y = y
    if series.step and series.points:
        parts.append(f"H{frame.x(frame.end):.1f}")
    return "".join(parts)


def line_chart(series: Sequence[Series], rules: Sequence[Rule], start: dt.datetime,
               end: dt.datetime, *, low: float, high: float, title: str,
               unit: str = "", tz: str = DEFAULT_ZONE,
               shaded: Sequence[tuple[dt.datetime, dt.datetime]] = (),
               shaded_label: str = "") -> Markup:
    """Lines over time against labelled reference lines (band edges, thresholds), with
    periods shaded behind them (a line's freezes)."""
    ticks = _value_ticks(low, high)
    frame = _Frame(start, end, ticks[0], ticks[-1])
    out = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
           f"<title>{escape(title)}</title>"]
    for since, until in shaded:
        x0, x1 = frame.x(since), frame.x(until)
        out.append(f'<rect class="shaded" x="{x0:.1f}" y="{TOP}" width="{max(x1 - x0, 2):.1f}" '
                   f'height="{HEIGHT - TOP - BOTTOM}"><title>{escape(shaded_label)} '
                   f'{since.astimezone(zone(tz)):%Y-%m-%d} – '
                   f'{until.astimezone(zone(tz)):%Y-%m-%d}</title></rect>')
    out += _month_ticks(frame, tz)
    for value in ticks:
        y = frame.y(value)
        out.append(f'<text class="axis value" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                   f"{_num(value)}{escape(unit)}</text>")
    for rule in rules:
        y = frame.y(rule.value)
        out.append(f'<line class="band" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                   f'y2="{y:.1f}"/><text class="band-label" x="{WIDTH - RIGHT - 4}" '
                   f'y="{y - 4:.1f}" text-anchor="end">{escape(rule.label)}</text>')
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        out.append(f'<path class="series" d="{_path(frame, s)}" stroke="{colour}" '
                   f'data-series="{escape(s.name)}"/>')
        for t, v in s.points:
            out.append(f'<circle cx="{frame.x(t):.1f}" cy="{frame.y(v):.1f}" r="2.5" '
                       f'fill="{colour}"><title>{escape(s.name)} {t.astimezone(zone(tz)):%Y-%m-%d}'
                       f": {_num(v)}{escape(unit)}</title></circle>")
    out.append(_legend(series))
    out.append("</svg>")
    return Markup("".join(out))


def timeline(spans: Sequence[Span], start: dt.datetime, end: dt.datetime, *, title: str,
             tz: str = DEFAULT_ZONE) -> Markup:
    """One lane per sanction kind; bars from start to end, open bars run off the right edge."""
    lanes = list(dict.fromkeys(s.lane for s in spans))
    height = TOP + BOTTOM + 22 * max(len(lanes), 1)
    frame = _Frame(start, end, 0, 1, height, left=170)
    out = [f'<svg class="chart timeline" viewBox="0 0 {WIDTH} {height}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
           f"<title>{escape(title)}</title>"]
    out += _month_ticks(frame, tz)
    for i, lane in enumerate(lanes):
        y = TOP + 22 * i
        out.append(f'<text class="lane" x="4" y="{y + 14}">{escape(lane)}</text>')
        for s in (s for s in spans if s.lane == lane):
            x0 = frame.x(s.start)
            x1 = frame.x(s.end) if s.end else WIDTH - RIGHT
            cls = "bar open" if s.end is None else "bar"
            out.append(f'<rect class="{cls}" x="{x0:.1f}" y="{y + 3}" '
                       f'width="{max(x1 - x0, 3):.1f}" height="14" rx="3">'
                       f"<title>{escape(s.label)}</title></rect>")
    if not lanes:
        out.append(f'<text class="axis" x="{WIDTH / 2}" y="{TOP + 14}" text-anchor="middle">'
                   "no sanctions in this period</text>")
    out.append("</svg>")
    return Markup("".join(out))


def _legend(series: Sequence[Series]) -> str:
    items = []
    for i, s in enumerate(series):
        x = LEFT + 8 + 130 * i
        items.append(f'<rect x="{x}" y="2" width="10" height="10" '
                     f'fill="{PALETTE[i % len(PALETTE)]}"/>'
                     f'<text class="legend" x="{x + 14}" y="11">{escape(s.name)}</text>')
    return "".join(items)


def _value_ticks(low: float, high: float) -> list[float]:
    """About five round values from ``low`` up to at least ``high`` (steps of 1, 2, 2.5, 3 or 5
    times a power of ten), so that the axis reads 0, 5, 10, 15 rather than 0, 3.8, 7.5."""
    raw = (high - low) / 4 or 1.0
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 3, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    count = math.ceil((high - first) / step - 1e-9)
    return [first + step * i for i in range(count + 1)]


def _num(v: float) -> str:
    return f"{v:.0f}" if abs(v - round(v)) < 1e-9 else f"{v:.1f}"


def bars(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *,
         title: str) -> Markup:
    """Vertical bars, one group per label and one bar per series (e.g. a histogram, or counts
    under a baseline and a candidate side by side), each with its value on hover."""
    ticks = _value_ticks(0, max((v for _n, vs in series for v in vs), default=1) or 1)
    frame = _Frame(dt.datetime(2000, 1, 1), dt.datetime(2000, 1, 2), 0, ticks[-1])
    inner = WIDTH - LEFT - RIGHT
    slot = inner / max(len(labels), 1)
    width = max(slot * 0.8 / max(len(series), 1), 1)
    out = [f'<svg class="chart bars" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
           f"<title>{escape(title)}</title>"]
    for value in ticks:
        y = frame.y(value)
        out.append(f'<line class="tick" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                   f'y2="{y:.1f}"/><text class="axis value" x="{LEFT - 6}" y="{y + 4:.1f}" '
                   f'text-anchor="end">{_num(value)}</text>')
    every = max(1, math.ceil(len(labels) * LABEL_WIDTH / inner))
    for i, label in enumerate(labels):
        x0 = LEFT + slot * i + slot * 0.1
        for k, (name, values) in enumerate(series):
            v = values[i]
            y = frame.y(v)
            out.append(f'<rect x="{x0 + k * width:.1f}" y="{y:.1f}" width="{width:.1f}" '
                       f'height="{frame.y(0) - y:.1f}" fill="{PALETTE[k % len(PALETTE)]}">'
                       f"<title>{escape(name)} · {escape(label)}: {_num(v)}</title></rect>")
        if i % every == 0:
            out.append(f'<text class="axis" x="{LEFT + slot * (i + 0.5):.1f}" '
                       f'y="{HEIGHT - 8}" text-anchor="middle">{escape(label)}</text>')
    if len(series) > 1:
        out.append(_legend([Series(name, ()) for name, _v in series]))
    out.append("</svg>")
    return Markup("".join(out))
