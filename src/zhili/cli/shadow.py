"""`zhili shadow`: register, list and remove candidate rule sets folded beside a live pack."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from ..errors import InputError
from ..i18n import N_, _, ngettext
from .helptext import TranslatedTyper

DB_HELP = "Database URL (sqlite:///PATH or postgresql://...); default $ZHILI_DB or a SQLite file."
T = TypeVar("T")
COLUMNS = (N_("id"), N_("pack"), N_("candidate"), N_("registered"))


def candidate_of(params: list[str] | None, pack_file: Path | None,
                 version: str | None) -> dict[str, Any]:
    """The candidate the options describe, as a shadow stores it (a file is kept as text)."""
    from ..rules import parse_param_assignment
    from ..textfiles import read_text

    out: dict[str, Any] = {}
    if version is not None:
        out["version"] = version
    if pack_file is not None:
        out["pack_file"] = read_text(pack_file)
        out["file"] = pack_file.name
    if params:
        out["params"] = dict(parse_param_assignment(p) for p in params)
    if not out:
        raise InputError(_("say what the shadow folds: --param NAME=VALUE, --candidate-pack "
                           "FILE or --candidate-version VERSION"), path="candidate")
    return out


def _over_store(db: str | None, act: Callable[[Any], T]) -> T:
    """``act`` on the shadows of the store at ``db``, which is closed afterwards."""
    from ..shadow import Shadows
    from ..store import open_store

    store = open_store(db)
    try:
        return act(Shadows(store, lambda: dt.datetime.now(dt.UTC)))
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    shadow_app = TranslatedTyper(help="Shadows: candidate rule sets folded beside the live rules "
                             "over the same events, with no effect on anyone.",
                             no_args_is_help=True)
    db_option = typer.Option(None, "--db", envvar="ZHILI_DB", help=DB_HELP)

    @shadow_app.command("add")
    def add(
        shadow_id: Annotated[str, typer.Argument(metavar="ID", help="The shadow's own id.")],
        pack: Annotated[str, typer.Option("--pack", help="The live pack it shadows.")],
        param: Annotated[list[str] | None, typer.Option(
            "--param", help="A parameter of the candidate: NAME=VALUE (repeatable).")] = None,
        candidate_pack: Annotated[Path | None, typer.Option(
            "--candidate-pack", help="A drafted pack file (validated like any pack; its text "
            "is stored).")] = None,
        candidate_version: Annotated[str | None, typer.Option(
            "--candidate-version", help="A version of the pack.")] = None,
        db: str | None = db_option,
    ) -> None:
        """Register a candidate rule set as a shadow of a live pack."""
        candidate = candidate_of(param, candidate_pack, candidate_version)
        shadow = _over_store(db, lambda shadows: shadows.add(shadow_id, pack, candidate))
        typer.echo(_("shadow %(id)s of %(pack)s registered: %(candidate)s") % {
            "id": shadow.id, "pack": shadow.pack, "candidate": shadow.candidate.describe()})

    @shadow_app.command("list")
    def list_shadows(
        pack: Annotated[str | None, typer.Option("--pack", help="Only this pack's.")] = None,
        db: str | None = db_option,
    ) -> None:
        """Every shadow: id, pack, candidate and when it was registered."""
        from rich.console import Console

        from ..platforms import pack_name
        from ..timekit import fmt
        from .render import table

        found = _over_store(db, lambda shadows: shadows.all(pack))
        rows = [[s.id, pack_name(s.pack), s.candidate.describe(),
                 fmt(s.stored.created) if s.stored.created else "-"] for s in found]
        title = ngettext("%(n)d shadow", "%(n)d shadows", len(rows)) % {"n": len(rows)}
        Console().print(table(title, [_(h) for h in COLUMNS], rows))

    @shadow_app.command("remove")
    def remove(shadow_id: Annotated[str, typer.Argument(metavar="ID", help="The shadow's id "
                                                        "(zhili shadow list).")],
               db: str | None = db_option) -> None:
        """Remove a shadow; the live rules and everything stored under them are untouched."""
        if not _over_store(db, lambda shadows: shadows.remove(shadow_id)):
            raise InputError(_("no shadow has the id %(id)s; see zhili shadow list")
                             % {"id": repr(shadow_id)}, path="ID")
        typer.echo(_("shadow %(id)s removed") % {"id": shadow_id})

    app.add_typer(shadow_app, name="shadow")
