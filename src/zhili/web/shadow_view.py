"""The shadows pages: where a candidate rule set diverges from the live rules, over time.

Only admin keys reach them (``Governance.compare_shadow``): a shadow's decisions are nobody's
decisions, so no merchant and no reviewer ever sees them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import notices
from ..api.auth import Principal
from ..api.service import Governance
from ..i18n import N_, _
from ..impact import words
from . import charts, names

CHANGES = {"added": N_("only under the shadow"), "removed": N_("only under the live rules"),
           "changed": N_("decided otherwise")}


def overview(gov: Governance, who: Principal) -> dict[str, Any]:
    found = gov.shadows(who)
    return {"shadows": [{"id": s.id, "pack": s.pack, "candidate": s.candidate.describe(),
                         "created": s.stored.created} for s in found]}


def comparison(gov: Governance, who: Principal, shadow_id: str,
               at: dt.datetime) -> dict[str, Any]:
    comp = gov.compare_shadow(who, shadow_id, at)
    code, tz = comp.shadow.pack, comp.base_pack.timezone
    s = comp.summary
    rows = []
    for sid in sorted(comp.diffs, key=lambda k: (-len(comp.diffs[k].decisions), k)):
        d = comp.diffs[sid]
        rows.append({"subject": sid, "base": d.base, "candidate": d.candidate,
                     "deltas": {k: v for k, v in d.score_deltas.items() if v},
                     "decisions": len(d.decisions),
                     "causes": [{"name": c.name, "title": words.parameter(comp.candidate_pack,
                                                                          c.name)}
                                for c in d.causes]})
    return {
        "comparison": comp, "shadow": comp.shadow, "pack_code": code, "summary": s,
        "changes": [_change(comp.candidate_pack, c, at) for c in comp.changes], "rows": rows,
        "band_moves": sorted(s.band_moves.items(), key=lambda kv: -kv[1]),
        "decision_counts": [{"change": _(CHANGES[c]), "kind": names.name("decision", k),
                             "count": n} for (c, k), n in sorted(s.decisions.items())],
        "charts": _charts(comp, tz),
    }


def subject_differences(gov: Governance, who: Principal, shadow_id: str, subject: str,
                        at: dt.datetime) -> dict[str, Any]:
    comp = gov.compare_shadow(who, shadow_id, at, subject=subject)
    diff = comp.diffs.get(subject)
    decisions = []
    for x in diff.decisions if diff is not None else ():
        decisions.append({
            "change": x.change, "change_name": _(CHANGES[x.change]), "at": x.at,
            "kind": names.name("decision", x.kind),
            "rule": x.rule,
            "base": notices.notice(x.base, comp.base_pack) if x.base else None,
            "candidate": notices.notice(x.candidate, comp.candidate_pack)
            if x.candidate else None,
            "direct": x.direct,
            "causes": [_change(comp.candidate_pack, c, x.at) for c in x.causes]})
    return {"comparison": comp, "shadow": comp.shadow, "pack_code": comp.shadow.pack,
            "subject": subject, "diff": diff, "decisions": decisions}


def _change(pack, change, at: dt.datetime) -> dict[str, Any]:
    """A parameter that differs, both values, and where each comes from, for people (in the
    words of ``zhili impact``'s reports)."""
    return {"name": change.name, "title": words.parameter(pack, change.name),
            "base": words.value(change.value("base", at)),
            "candidate": words.value(change.value("candidate", at)),
            "base_source": words.provenance(change.provenance("base")),
            "candidate_source": words.provenance(change.provenance("candidate"))}


def _charts(comp, tz: str) -> list[Any]:
    points = comp.timeline
    if len(points) < 2:
        return []
    start, end = points[0].at, points[-1].at
    diverging = [charts.Series(_("subjects"),
                               [(p.at, float(p.summary.changed)) for p in points]),
                 charts.Series(_("decisions"),
                               [(p.at, float(sum(p.summary.decisions.values()))) for p in points])]
    money = [charts.Series(_("fees, live"), [(p.at, float(p.summary.base.fees))
                                                    for p in points]),
             charts.Series(_("fees, shadow"), [(p.at, float(p.summary.candidate.fees))
                                               for p in points]),
             charts.Series(_("held, live"), [(p.at, float(p.summary.base.held))
                                                    for p in points]),
             charts.Series(_("held, shadow"), [(p.at, float(p.summary.candidate.held))
                                               for p in points])]
    out = []
    for series, title, unit in (
            (diverging, _("Subjects and decisions that differ, %(start)s to %(end)s"), ""),
            (money, _("Fees and held amounts, %(start)s to %(end)s"), "")):
        high = max((v for s in series for _t, v in s.points), default=0.0)
        out.append(charts.line_chart(series, (), start, end, low=0, high=max(high, 1.0),
                                     title=title % {"start": f"{start:%Y-%m-%d}",
                                                    "end": f"{end:%Y-%m-%d}"},
                                     unit=unit, tz=tz))
    return out
