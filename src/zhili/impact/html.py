"""``zhili impact --format html``: the report as one self-contained page — charts drawn as
inline SVG (score differences, subjects per tier under each rule set, sanctions newly
triggered over time), the changes, the totals and every changed subject's decisions. No
script, no font or style from elsewhere: it opens offline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from markupsafe import Markup, escape

from ..i18n import _, current_language
from ..rules import Pack
from ..timekit import fmt
from ..web import HERE, charts
from . import words as w
from .compare import Impact
from .diff import SubjectDiff

SHOWN = 1000  # subjects listed in full; the charts and totals count every one


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _band(pack: Pack, code: str) -> str:
    return str(pack.name("bands", code)) if code else _("no tier")


def _histogram(result: Impact) -> Markup:
    score = result.base.bands.score if result.base.bands else next(iter(result.base.scores))
    counts = result.summary.score_deltas.get(score, Counter())
    deltas = sorted(counts)
    return charts.bars([f"{d:+g}" if d else "0" for d in deltas],
                       [(_("subjects"), [float(counts[d]) for d in deltas])],
                       title=_("%(score)s: candidate minus baseline, subjects") % {
                           "score": result.base.name("scores", score)})


def _by_band(result: Impact) -> Markup:
    s = result.summary
    codes = [lv.name for lv in reversed(result.base.bands.levels)] if result.base.bands else []
    codes = [""] + [c for c in codes if c] + sorted(
        (set(s.base.bands) | set(s.candidate.bands)) - set(codes) - {""})
    return charts.bars([_band(result.base, c) for c in codes],
                       [(_("baseline"), [float(s.base.bands[c]) for c in codes]),
                        (_("candidate"), [float(s.candidate.bands[c]) for c in codes])],
                       title=_("Subjects per tier"))


def _sanctions(result: Impact) -> Markup:
    """Sanctions the candidate adds, counted cumulatively over time, one line per kind."""
    pack = result.candidate
    added = sorted((x.at, x.decision.detail.get("sanction", "").partition(":")[0])
                   for d in result.subjects for x in d.decisions
                   if x.change == "added" and x.kind == "sanction")
    kinds = [k for k, _n in Counter(k for _t, k in added).most_common(len(charts.PALETTE))]
    series = []
    for kind in kinds:
        points, n = [], 0
        for at, k in added:
            if k == kind:
                n += 1
                points.append((at, float(n)))
        series.append(charts.Series(str(pack.name("sanctions", kind)), points))
    start = added[0][0] if added else result.as_of
    top = max((p[-1][1] for p in (s.points for s in series) if p), default=1.0)
    return charts.line_chart(series, [], start, result.as_of, low=0, high=top,
                             title=_("Sanctions newly triggered by the candidate"),
                             tz=pack.timezone)


def _subject(result: Impact, d: SubjectDiff) -> str:
    base, cand = result.base, result.candidate
    rows = []
    for x in d.decisions:
        causes = "; ".join(w.cause(base, c, x.at) for c in x.causes)
        if not x.direct:
            causes = _("follows from %(causes)s") % {"causes": causes}
        rows.append([fmt(x.at, base.timezone), w.change_word(x.change), w.headline(base, x),
                     w.decision(base, x.base), w.decision(cand, x.candidate), causes])
    band = (f"{_band(base, d.base.band or '')} → {_band(cand, d.candidate.band or '')}"
            if base.bands else "")
    return (f"<section><h3>{escape(d.subject)} <small>{escape(band)}</small></h3>"
            + _table([_("when"), _("change"), _("decision"), _("baseline"), _("candidate"),
                      _("cause")], rows) + "</section>")


def render_html(result: Impact, *, title: str) -> str:
    base, cand, s = result.base, result.candidate, result.summary
    changes = _table(
        [_("parameter"), _("baseline"), _("candidate"), _("baseline's source"),
         _("candidate's source")],
        [[w.parameter(base, c.name), w.value(c.value("base")), w.value(c.value("candidate")),
          w.provenance(c.provenance("base")), w.provenance(c.provenance("candidate"))]
         for c in result.changes])
    totals = _table([_("measure"), _("baseline"), _("candidate")], [
        [_("subjects"), str(s.subjects), str(s.subjects)],
        [_("subjects whose decisions differ"), "", str(s.changed)],
        [_("fees CNY"), str(s.base.fees), str(s.candidate.fees)],
        [_("held CNY"), str(s.base.held), str(s.candidate.held)],
        [_("suspended"), str(s.base.suspended), str(s.candidate.suspended)],
        [_("banned"), str(s.base.banned), str(s.candidate.banned)],
        [_("newly suspended"), "", str(s.newly_suspended)],
        [_("newly banned"), "", str(s.newly_banned)],
        [_("released"), "", str(s.released)]])
    moves = _table([_("baseline"), _("candidate"), _("subjects")],
                   [[_band(base, f), _band(cand, t), str(n)]
                    for (f, t), n in sorted(s.band_moves.items())])
    listed = "".join(_subject(result, d) for d in result.subjects[:SHOWN])
    more = _("… and %(n)d more subjects (--format json lists them all)") % {
        "n": len(result.subjects) - SHOWN} if len(result.subjects) > SHOWN else ""
    heading = _("As of %(at)s: %(base)s → %(candidate)s") % {
        "at": fmt(result.as_of, base.timezone), "base": f"{base.code} {base.version}",
        "candidate": f"{cand.code} {cand.version}"}
    h = {"changes": _("What differs"), "population": _("Population"),
         "deltas": _("Score differences"), "tiers": _("Subjects per tier"),
         "sanctions": _("Sanctions newly triggered by the candidate"),
         "subjects": _("Subjects whose decisions differ")}
    tiers = f"<h3>{escape(h['tiers'])}</h3>{_by_band(result)}" if base.bands else ""
    css = (HERE / "static" / "console.css").read_text(encoding="utf-8")
    lang = "en" if current_language() == "en" else "zh-CN"
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{css}
body{{max-width:72rem;margin:1.5rem auto;padding:0 1rem}} table{{border-collapse:collapse;
margin:.5rem 0 1rem}} td,th{{border:1px solid #ddd;padding:.25rem .5rem;vertical-align:top;
text-align:left}} section{{margin:1rem 0}}</style></head><body>
<h1>{escape(title)}</h1>
<p>{escape(heading)}</p>
<h2>{escape(h["changes"])}</h2>{changes}
<h2>{escape(h["population"])}</h2>{totals}
<h3>{escape(h["deltas"])}</h3>{_histogram(result)}
{tiers}
{moves if s.band_moves else ""}
<h3>{escape(h["sanctions"])}</h3>{_sanctions(result)}
<h2>{escape(h["subjects"])}</h2>{listed}{f"<p>{escape(more)}</p>" if more else ""}
</body></html>
"""
