"""``zhili impact``: one history (or order table) under a baseline and a candidate rule set."""

from __future__ import annotations

import io
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, Group
from rich.table import Table

from ..errors import InputError
from ..i18n import _
from ..impact import Impact, RuleSet, compare
from ..impact import words as w
from ..rules import Pack, parse_param_assignment
from ..timekit import fmt
from . import history, render
from .core import AsOfOpt, PackOpt, console, notes, resolve_as_of
from .progress import Bars


class Format(StrEnum):
    table = "table"
    json = "json"
    html = "html"


def _params(items: list[str] | None) -> dict[str, Any]:
    return dict(parse_param_assignment(p) for p in items or [])


def rule_sets(pack: str, base_version: str | None, base_pack: Path | None,
              base_param: list[str] | None, candidate_version: str | None,
              candidate_pack: Path | None, param: list[str] | None) -> tuple[Pack, Pack]:
    """The baseline and the candidate, loaded and validated."""
    if base_version and base_pack or candidate_version and candidate_pack:
        raise InputError(_("give a version or a drafted pack file for each side, not both"))
    base = RuleSet(pack, base_version, str(base_pack) if base_pack else None,
                   _params(base_param)).load()
    candidate = RuleSet(pack, candidate_version, str(candidate_pack) if candidate_pack
                        else None, _params(param)).load()
    return base, candidate


def impact(
    events_file: Annotated[Path | None, typer.Argument(
        metavar="HISTORY", help="A JSONL or YAML file of events.")] = None,
    pack_code: PackOpt = "wechat_channels", as_of: AsOfOpt = "",
    base_version: Annotated[str | None, typer.Option(
        "--base-version", help="The baseline: this version of the pack (default: as shipped).")
    ] = None,
    base_pack: Annotated[Path | None, typer.Option(
        "--base-pack", help="The baseline: a drafted pack file.")] = None,
    base_param: Annotated[list[str] | None, typer.Option(
        "--base-param", help="Override a baseline parameter: NAME=VALUE (repeatable).")] = None,
    candidate_version: Annotated[str | None, typer.Option(
        "--candidate-version", help="The candidate: this version of the pack.")] = None,
    candidate_pack: Annotated[Path | None, typer.Option(
        "--candidate-pack", help="The candidate: a drafted pack file, validated like any pack.")
    ] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="Override a candidate parameter: NAME=VALUE (repeatable).")] = None,
    subjects_file: Annotated[Path | None, typer.Option(
        "--subjects", help="YAML/JSON mapping of subject id to attributes.")] = None,
    orders: Annotated[Path | None, typer.Option(
        "--orders", help="An order table: compare which lines, ship-from locations and stores "
        "the order rules freeze (HISTORY, if given, adds its events: appeals, exemptions).")
    ] = None,
    engine: Annotated[str, typer.Option(
        "--engine", help="With --orders: duckdb (embedded) or spark.")] = "duckdb",
    fmt_: Annotated[Format, typer.Option("--format", help="table, json or html.")
                    ] = Format.table,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write here, not to standard output.")] = None,
    limit: Annotated[int, typer.Option(
        "--limit", help="Subjects shown in the table (json and html show all).")] = 20,
) -> None:
    """What a candidate rule set changes: every differing decision, with its cause, and the
    population's totals under each."""
    if not as_of:
        raise InputError(_("--as-of is required"))
    base, candidate = rule_sets(pack_code, base_version, base_pack, base_param,
                                candidate_version, candidate_pack, param)
    when = resolve_as_of(as_of, base.timezone, day_end=orders is not None)
    if events_file is None and orders is None:
        raise InputError(_("give a HISTORY of events, or --orders TABLE"))
    with Bars() as bars:
        subjects, events = history.load(events_file, base, subjects_file, progress=bars.stage(
            _("reading events"))) if events_file is not None else ({}, [])
        stages = (bars.stage(_("assessing under the baseline") if orders else
                             _("folding under the baseline")),
                  bars.stage(_("assessing under the candidate") if orders else
                             _("folding under the candidate")))
        if orders is not None:
            from ..impact.orders import compare_orders

            result = compare_orders(orders, base, candidate, when.at, engine=engine,
                                    events=events, subjects=subjects, progress=stages)
        else:
            result = compare(events, subjects, base, candidate, when.at, progress=stages)
    when.say()
    source = (orders or events_file).name  # type: ignore[union-attr]
    if fmt_ is Format.html:
        from ..impact.html import render_html

        _write(output, render_html(result, title=_("Impact of %(candidate)s on %(file)s") % {
            "candidate": _side(candidate), "file": source}))
        return
    buffer = io.StringIO()
    if fmt_ is Format.json:
        render.write_json(result.to_dict(), buffer)
    else:
        Console(file=buffer, width=console.width).print(tables(result, limit))
    _write(output, buffer.getvalue())


def _side(pack: Pack) -> str:
    overrides = ", ".join(f"{k}={v}" for k, v in sorted(pack.overrides.items()))
    return f"{pack.code} {pack.version}" + (f" ({overrides})" if overrides else "")


def _write(output: Path | None, text: str) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    notes.print(_("wrote %(file)s") % {"file": output}, markup=False, highlight=False)


def tables(result: Impact, limit: int) -> Group:
    """The rule changes, the population's totals, then each changed subject's decisions."""
    base, cand, s = result.base, result.candidate, result.summary
    changes = render.table(
        _("What differs: %(base)s → %(candidate)s") % {"base": _side(base),
                                                      "candidate": _side(cand)},
        [_("parameter"), _("baseline"), _("candidate"), _("baseline's source"),
         _("candidate's source")],
        [[w.parameter(base, c.name), w.value(c.value("base")), w.value(c.value("candidate")),
          w.provenance(c.provenance("base")), w.provenance(c.provenance("candidate"))]
         for c in result.changes])
    totals = render.table(
        _("Population as of %(at)s") % {"at": fmt(result.as_of, base.timezone)},
        [_("measure"), _("baseline"), _("candidate")],
        [[_("subjects"), str(s.subjects), str(s.subjects)],
         [_("subjects whose decisions differ"), "", str(s.changed)],
         [_("fees CNY"), str(s.base.fees), str(s.candidate.fees)],
         [_("held CNY"), str(s.base.held), str(s.candidate.held)],
         [_("accounts held whole"), str(s.base.held_accounts), str(s.candidate.held_accounts)],
         [_("suspended"), str(s.base.suspended), str(s.candidate.suspended)],
         [_("banned"), str(s.base.banned), str(s.candidate.banned)],
         [_("newly suspended"), "", str(s.newly_suspended)],
         [_("newly banned"), "", str(s.newly_banned)],
         [_("released"), "", str(s.released)]])
    parts: list[Any] = [changes, totals]
    if s.band_moves:
        parts.append(render.table(_("Subjects changing tier"), [_("baseline"), _("candidate"),
                                                               _("subjects")],
                                  [[_band(base, f), _band(cand, t), str(n)]
                                   for (f, t), n in sorted(s.band_moves.items())]))
    for score, counts in sorted(s.score_deltas.items()):
        moved = {d: n for d, n in counts.items() if d}
        if moved:
            parts.append(render.table(
                _("%(score)s: candidate minus baseline") % {"score": base.name("scores", score)},
                [_("difference"), _("subjects")],
                [[f"{d:+g}", str(n)] for d, n in sorted(moved.items())]))
    sanctions = _sanction_rows(result)
    if sanctions:
        parts.append(render.table(_("Sanctions the candidate adds or removes"),
                                  [_("subject"), _("change"), _("sanction"), _("start"),
                                   _("end")], sanctions[:limit * 5]))
    for d in result.subjects[:limit]:
        parts.append(_subject_table(result, d))
    if len(result.subjects) > limit:
        parts.append(_("… and %(n)d more subjects (--limit, or --format json / html)") % {
            "n": len(result.subjects) - limit})
    return Group(*parts)


def _sanction_rows(result: Impact) -> list[list[str]]:
    """Each sanction decision added, removed or changed: which line, ship-from location or
    store (the sanction's scope) freezes, or no longer does, and when."""
    rows = []
    tz = result.base.timezone
    for d in result.subjects:
        for x in d.decisions:
            if x.kind != "sanction":
                continue
            kind, _colon, scope = str(x.decision.detail.get("sanction", "")).partition(":")
            pack = result.candidate if x.candidate is not None else result.base
            end = x.decision.detail.get("end")
            rows.append([d.subject, w.change_word(x.change),
                         pack.name("sanctions", kind).labelled() + (f" {scope}" if scope else ""),
                         fmt(x.decision.detail.get("start") or x.at, tz),
                         fmt(end, tz) if end else str(x.decision.detail.get("lasts", ""))])
    return rows


def _band(pack: Pack, code: str) -> str:
    return pack.name("bands", code).labelled() if code else "—"


def _subject_table(result: Impact, d: Any) -> Table:
    base, cand = result.base, result.candidate
    band = f"{_band(base, d.base.band or '')} → {_band(cand, d.candidate.band or '')}"
    title = (_("%(subject)s: tier %(band)s") % {"subject": d.subject, "band": band}
             if base.bands else d.subject)
    t = Table(title=title, title_justify="left", show_lines=True)
    for h in (_("when"), _("change"), _("decision"), _("baseline"), _("candidate"), _("cause")):
        t.add_column(h, overflow="fold")
    for x in d.decisions:
        causes = "\n".join(w.cause(base, c, x.at) for c in x.causes)
        if not x.direct:
            causes = _("follows from %(causes)s") % {"causes": causes}
        t.add_row(fmt(x.at, base.timezone), w.change_word(x.change), w.headline(base, x),
                  w.decision(base, x.base), w.decision(cand, x.candidate), causes)
    return t


def register(app: typer.Typer) -> None:
    app.command("impact")(impact)
