"""Governance commands: `zhili documents` (what is missing, what expires soon and what it will
cost, per subject) and `zhili portfolio` (an agency's risk table across packs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from ..documents import DocumentStatus, load_registry
from ..i18n import _, ngettext
from ..platforms import pack_name
from ..portfolio import (
    DOCUMENT_STATES,
    LEVEL_NAMES,
    book_documents,
    listed,
    load_books,
    portfolio,
)
from ..rules import Pack
from ..timekit import fmt
from . import render
from .core import AsOfOpt, Format, console, resolve_as_of

LEVEL_STYLE = {4: "bold red", 3: "red", 2: "yellow", 1: "cyan", 0: "green"}


def _rule(code: str, pack: Pack) -> str:
    return f"{pack.name('rules', code)} ({code}): {render.consequences(pack.rules[code], pack)}"


def _cost(status: DocumentStatus, pack: Pack) -> str:
    """What the document's state triggers, in the pack's own terms."""
    if status.ok and status.state != "expiring":
        return "—"
    if status.state == "expiring":
        spec = load_registry().spec(pack.code, status.doc_type)
        code = spec.code_for("expired") if spec else None
        if code is None or code not in pack.rules:
            return _("renew before it expires")
        return _("on expiry: %(rule)s") % {"rule": _rule(code, pack)}
    if status.code is None or status.code not in pack.rules:
        return _("nothing until a deadline is set") if status.state == "missing" else "—"
    return _rule(status.code, pack)


def _when(status: DocumentStatus, tz: str) -> str:
    parts = []
    if status.valid_until:
        parts.append(_("valid until %(at)s") % {"at": fmt(status.valid_until, tz)})
    if status.notice_at and status.state in ("valid", "expiring"):
        parts.append(_("renewal notice %(at)s") % {"at": fmt(status.notice_at, tz)})
    if status.due:
        parts.append(_("due %(at)s") % {"at": fmt(status.due, tz)})
    if status.missing_parts:
        registry = load_registry()
        parts.append(_("missing: %(parts)s") % {"parts": ", ".join(
            str(registry.name("doc_types", p)) for p in status.missing_parts)})
    return "; ".join(parts) or "—"


def documents(subject_file: Annotated[Path, typer.Argument(
                  metavar="SUBJECT_FILE", help="A book {pack, subjects, events, batches} or a "
                                               "list of books (docs/tables-governance.md).")],
              as_of: AsOfOpt,
              fmt_: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """Per subject: what is missing, what expires soon, and what it will cost."""
    books = load_books(subject_file)
    out: list[dict[str, Any]] = []
    instants = {tz: resolve_as_of(as_of, tz) for tz in {b.pack.timezone for b in books}}
    for when in instants.values():
        when.say()
    for book in books:
        pack, tz = book.pack, book.pack.timezone
        at = instants[tz].at
        for subject, statuses in book_documents(book, at).items():
            if fmt_ is Format.json:
                out.append({"pack": pack.code, "subject": subject, "as_of": at.isoformat(),
                            "documents": [{**s.to_dict(tz), "cost": _cost(s, pack)}
                                          for s in statuses]})
                continue
            order = sorted(statuses, key=lambda s: (s.ok, s.state != "expiring", s.doc_type))
            # Escaped: rule and document text is data, never Rich markup.
            registry = load_registry()
            rows = [[escape(registry.name("doc_types", s.doc_type).labelled()
                            + (f" / {s.batch}" if s.batch else "")),
                     _(DOCUMENT_STATES[s.state]) if s.state in DOCUMENT_STATES else s.state,
                     escape(_when(s, tz)), escape(_cost(s, pack))] for s in order]
            title = _("%(subject)s (%(pack)s) documents as of %(at)s") % {
                "subject": subject, "pack": pack_name(pack.code), "at": fmt(at, tz)}
            if not rows:
                console.print(_("[bold]%(title)s[/]: no document is required of this subject")
                              % {"title": title})
                continue
            console.print(render.table(title, [_("document"), _("state"), _("dates"),
                                               _("if not fixed")], rows))
        materials = load_registry().appeal_materials(pack.code)
        if materials and fmt_ is Format.table:
            names = ", ".join(str(load_registry().name("doc_types", m.doc_type))
                              for m in materials)
            console.print(_("Keep ready for appeals on %(pack)s: %(names)s") % {
                "pack": pack_name(pack.code), "names": names})
    if fmt_ is Format.json:
        render.write_json(out)


def portfolio_cmd(file: Annotated[Path, typer.Argument(
                      metavar="FILE", help="A list of books, one per pack "
                                           "(docs/tables-governance.md).")],
                  as_of: AsOfOpt,
                  fmt_: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """One risk table across packs: standing, sanctions, nearest threshold, documents;
    most urgent first."""
    books = load_books(file)
    tz = books[0].pack.timezone
    when = resolve_as_of(as_of, tz)
    at = when.at
    rows = portfolio(books, at)
    when.say()
    if fmt_ is Format.json:
        render.write_json([r.to_dict(tz) for r in rows])
        return
    from ..web.names import name

    table_rows = [[f"[{LEVEL_STYLE[r.level]}]{_(LEVEL_NAMES[r.level])}[/]", pack_name(r.pack),
                   escape(r.subject), escape(r.standing),
                   escape(listed(name("sanction", s, r.pack) for s in r.sanctions) or "—"),
                   escape(r.threshold.describe() if r.threshold else "—"),
                   escape("\n".join(r.documents) or "—"),
                   escape("; ".join(r.reasons) or "—")] for r in rows]
    console.print(render.table(
        ngettext("Portfolio as of %(at)s: %(n)d subject, most urgent first",
                 "Portfolio as of %(at)s: %(n)d subjects, most urgent first", len(rows))
        % {"at": fmt(at, tz), "n": len(rows)},
        [_("urgency"), _("platform"), _("subject"), _("standing"), _("active sanctions"),
         _("nearest threshold"), _("documents"), _("why")], table_rows))


def register(app: typer.Typer) -> None:
    app.command("documents")(documents)
    app.command("portfolio")(portfolio_cmd)
