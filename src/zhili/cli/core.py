"""Core commands: packs, rules, replay, explain, example and test."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from ..engine import Ledger
from ..engine import replay as replay_events
from ..i18n import _
from ..rules import Pack, available_packs, load_pack, parse_param_assignment
from ..timekit import fmt, parse_as_of
from ..web import names
from . import history, render
from .progress import Bars

# Piped output is read by people too: give tables room rather than Rich's 80 columns.
console = Console(width=None if sys.stdout.isatty() else 140)


class Format(StrEnum):
    table = "table"
    json = "json"


class Engine(StrEnum):
    local = "local"
    spark = "spark"


PackOpt = Annotated[str, typer.Option("--pack", "-p", help="Pack code or path to a pack.yaml.")]
ParamOpt = Annotated[list[str] | None, typer.Option(
    "--param", help="Override a pack parameter for a what-if run: NAME=VALUE (repeatable).")]
AS_OF_HELP = ("The instant, e.g. '2026-03-02 10:00'; a date alone (2026-06-30, 2026/6/30, "
              "2026年6月30日) means the end of that day.")
AsOfOpt = Annotated[str, typer.Option("--as-of", help=AS_OF_HELP)]
# Notes beside the output (the instant used, warnings) go to standard error: JSON stays clean.
notes = Console(stderr=True, width=None if sys.stderr.isatty() else 140)


@dataclass(frozen=True)
class AsOf:
    """An ``--as-of`` resolved to an instant, and what to tell the user about it."""

    at: dt.datetime
    note: str | None = None

    def say(self) -> None:
        """Print the note (on standard error), once the command has output to show."""
        if self.note:
            notes.print(self.note, markup=False, highlight=False)


def resolve_as_of(value: str, tz: str, *, day_end: bool = False) -> AsOf:
    """The instant ``--as-of`` means; for a bare date, a note of which instant that is.

    A bare date means the end of that local day: its last microsecond, so that nothing of the
    next day counts; with ``day_end`` (the daily assessments, which run at a day's end) the
    next midnight itself, shown as 24:00.
    """
    at, bare = parse_as_of(value, tz)
    if not bare:
        return AsOf(at)
    shown = f"{fmt(at, tz)[:10]} 24:00" if day_end else f"{fmt(at, tz)}.999999"
    if day_end:
        at += dt.timedelta(microseconds=1)
    return AsOf(at, _("as of %(instant)s (%(zone)s), the end of %(date)s")
                % {"instant": shown, "zone": tz, "date": value.strip()})


def _pack(code: str, params: list[str] | None):
    return load_pack(code, dict(parse_param_assignment(p) for p in params or []))


def packs() -> None:
    """List the rule packs zhili ships."""
    rows = []
    for code in available_packs():
        pack = load_pack(code)
        rows.append([code, pack.version, names.name("kind", pack.subject_kind),
                     str(len(pack.rules)), pack.title])
    console.print(render.table(_("Rule packs"), [_("pack"), _("version"), _("subjects"),
                                                  _("rules"), _("title")], rows))


def rules(pack_code: Annotated[str, typer.Argument(metavar="PACK")],
          params: Annotated[bool, typer.Option("--params", help="List every parameter with "
                                               "its value and provenance instead.")] = False
          ) -> None:
    """Show a pack's rules: code, meaning, consequences and provenance."""
    pack = load_pack(pack_code)
    if params:
        rows = [[name, str(p.value), p.provenance.describe()] for name, p in
                sorted(pack.params.items())]
        console.print(render.table(_("%(pack)s %(version)s: parameters") % {
            "pack": pack.code, "version": pack.version},
            [_("parameter"), _("value"), _("provenance")], rows))
        return
    rows = [[code, str(pack.name("rules", code)), render.consequences(rule, pack),
             rule.provenance.describe()] for code, rule in pack.rules.items()]
    console.print(render.table(f"{pack.code} {pack.version}: {pack.title}",
                               [_("code"), _("rule"), _("consequences"), _("provenance")], rows))


def _fold(events_file: Path, pack: Pack, subjects_file: Path | None) -> Ledger:
    """Read and fold a history, with progress bars on a terminal."""
    with Bars() as bars:
        subjects, events = history.load(events_file, pack, subjects_file,
                                        progress=bars.stage("reading events"))
        return replay_events(events, pack, subjects, progress=bars.stage("folding"))


def replay(events: Annotated[str, typer.Argument(
               metavar="EVENTS", help="A JSONL or YAML file of events, or an events table "
               "(.parquet; with --engine spark, any path Spark reads, e.g. s3a://…).")],
           pack_code: PackOpt, as_of: AsOfOpt, fmt: Annotated[Format, typer.Option(
               "--format")] = Format.table,
           subjects_file: Annotated[Path | None, typer.Option(
               "--subjects", help="YAML/JSON mapping of subject id to attributes.")] = None,
           explain: Annotated[bool, typer.Option("--explain", help="Show why.")] = False,
           param: ParamOpt = None,
           out: Annotated[str | None, typer.Option(
               "--out", metavar="DIR", help="Write DIR/states.parquet and DIR/decisions.parquet "
               "(docs/spark.md) instead of printing.")] = None,
           engine: Annotated[Engine, typer.Option(
               "--engine", help="local (this process) or spark (components folded on Spark; "
               "an events table in Parquet, with --out).")] = Engine.local) -> None:
    """Fold a history of events and print every subject's state as of an instant."""
    pack = _pack(pack_code, param)
    when = resolve_as_of(as_of, pack.timezone)
    if engine is Engine.spark:
        _replay_on_spark(events, pack_code, param, when, out, subjects_file)
        return
    ledger = _fold(Path(events), pack, subjects_file)
    at = when.at
    if out is not None:
        from ..batch import outputs

        counts = outputs.write(ledger, at, Path(out))
        when.say()
        _say_written(out, counts)
        return
    states = [ledger.state(s, at) for s in ledger.subjects]
    when.say()
    if fmt is Format.json:
        shown: list[dict[str, Any]] = []
        for st in states:
            d = st.to_dict()
            if explain:
                d["decisions"] = [x.to_dict() for x in ledger.decisions(st.subject, at)]
            shown.append(d)
        render.write_json(shown)
        return
    console.print(render.standing(states, pack))
    if explain:
        for st in states:
            console.print(render.decisions(st.subject, ledger.decisions(st.subject, at), pack))


def _replay_on_spark(events: str, pack_code: str, param: list[str] | None, when: AsOf,
                     out: str | None, subjects_file: Path | None) -> None:
    from ..errors import InputError

    if out is None:
        raise InputError(_("--engine spark writes its results to a directory: give --out DIR"),
                         path="--out")
    if subjects_file is not None:
        raise InputError(_("--engine spark reads an events table in Parquet, subjects "
                           "included (docs/events-table.md)"), path="--subjects")
    from ..batch import spark

    counts = spark.replay(spark.session(), events, pack_code, dict(
        parse_param_assignment(p) for p in param or []), when.at, out)
    when.say()
    _say_written(out, counts)


def _say_written(out: str, counts: dict[str, int]) -> None:
    notes.print(_("%(states)s subjects' states and %(decisions)s decisions written to "
                  "%(dir)s") % {"states": f"{counts['states']:,}",
                                "decisions": f"{counts['decisions']:,}", "dir": out},
                markup=False, highlight=False)


def explain(events_file: Annotated[Path, typer.Argument(metavar="EVENTS")],
            pack_code: PackOpt, subject: Annotated[str, typer.Option("--subject", "-s")],
            as_of: AsOfOpt, fmt: Annotated[Format, typer.Option("--format")] = Format.table,
            subjects_file: Annotated[Path | None, typer.Option("--subjects")] = None,
            param: ParamOpt = None) -> None:
    """Explain a subject's standing as of an instant: every decision, its rule and source."""
    pack = _pack(pack_code, param)
    when = resolve_as_of(as_of, pack.timezone)
    ledger = _fold(events_file, pack, subjects_file)
    at = when.at
    state = ledger.state(subject, at)
    when.say()
    decisions = ledger.decisions(subject, at)
    if fmt is Format.json:
        render.write_json({"state": state.to_dict(),
                           "decisions": [d.to_dict() for d in decisions]})
        return
    console.print(render.standing([state], pack))
    console.print(render.decisions(subject, decisions, pack))


def example(pack_code: Annotated[str, typer.Argument(metavar="PACK")] = "wechat_channels",
            as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None
            ) -> None:
    """Run a pack's bundled example history and print each subject's standing, with why."""
    pack = load_pack(pack_code)
    path = history.example_path(pack)
    subjects, events = history.load(path, pack, None)
    ledger = replay_events(events, pack, subjects)
    when = resolve_as_of(as_of, pack.timezone) if as_of else AsOf(max(e.at for e in events))
    at = when.at
    when.say()
    console.print(_("[bold]%(title)s[/] — example history %(file)s, %(n)d events, as of "
                    "%(at)s") % {"title": pack.title, "file": path.name, "n": len(events),
                                 "at": f"{at:%Y-%m-%d %H:%M}"})
    states = [ledger.state(s, at) for s in ledger.subjects]
    console.print(render.standing(states, pack))
    for st in states:
        console.print(render.decisions(st.subject, ledger.decisions(st.subject, at), pack))


def test(paths: Annotated[list[str], typer.Argument(metavar="PATH...",
                                                    help="Scenario files or folders.")],
         verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """Run scenario files; print a diff per failed expectation and `N passed, N failed`."""
    from ..scenario import load_cases, run_case, scenario_files

    files = scenario_files(paths)
    cases = [case for f in files for case in load_cases(f)]  # an invalid file exits 2 first
    passed = failed = 0
    for case in cases:
        result = run_case(case)
        if result.passed:
            passed += 1
            if verbose:
                label = _("PASS")
                console.print(f"[green]{label}[/] {escape(case.name)}")
        else:
            failed += 1
            label = _("FAIL")
            console.print(f"[red]{label}[/] {escape(case.name)}  ({escape(case.file)})")
            for failure in result.failures:
                console.print(failure.describe(), markup=False, highlight=False)
    console.print(_("%(passed)d passed, %(failed)d failed") % {"passed": passed, "failed": failed},
                  markup=False, highlight=False)
    raise typer.Exit(1 if failed else 0)


def register(app: typer.Typer) -> None:
    for fn in (packs, rules, replay, explain, example, test):
        app.command(fn.__name__)(fn)
