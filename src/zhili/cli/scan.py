"""`zhili scan`: scan listing copy, live transcripts, chats and reviews for content findings.

JSON Lines are written as the file is read, a chunk of records at a time (orjson, bytes straight
to the output); the table and the HTML report need every text and are built at the end.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import typer

from ..errors import InputError
from ..i18n import _

if TYPE_CHECKING:
    from ..detect.content import Finding, Lexicon
    from ..detect.content.inputs import Chunk
    from ..detect.content.report import ScannedText
    from ..rules import Pack

FORMATS = ("jsonl", "table", "html")


def register(app: typer.Typer) -> None:
    @app.command("scan")
    def scan_command(
        file: Path = typer.Argument(..., help="A .txt (one text per line), .csv or .jsonl file "
                                    "with fields id, text and optional category, channel, "
                                    "source."),
        pack: str | None = typer.Option(None, "--pack", help="Map findings to this pack's rules "
                                        "and use its content options."),
        category: str | None = typer.Option(None, "--category", help="Category of texts that "
                                            "do not give their own (e.g. health_supplement)."),
        channel: str = typer.Option("detail", "--channel", help="Channel of texts that do not "
                                    "give their own: title, detail, live, chat or video."),
        source: str = typer.Option("seller", "--source", help="Whose texts, where a text does "
                                   "not say: seller (the seller's own copy) or review (buyers' "
                                   "reviews: only contact rules apply)."),
        fmt: str = typer.Option("jsonl", "--format", help="jsonl, table or html."),
        output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not to "
                                           "standard output."),
        lexicon: list[Path] = typer.Option([], "--lexicon", help="A lexicon override file "
                                           "(add / remove / allow); repeatable."),
    ) -> None:
        """Scan texts for extreme words, medical and efficacy claims, off-platform contact,
        duty-free and parallel-import claims and missing labels."""
        from ..detect.content import load_lexicon
        from ..detect.content.context import SOURCES
        from ..detect.content.inputs import CHANNELS, read_chunks

        for value, choices, option in ((fmt, FORMATS, "--format"), (channel, CHANNELS, "--channel"),
                                       (source, SOURCES, "--source")):
            if value not in choices:
                raise InputError(_("expected one of %(choices)s, got %(value)r")
                                 % {"choices": ", ".join(choices), "value": value}, path=option)
        lex = load_lexicon(overrides=lexicon)
        the_pack = None
        if pack is not None:
            from ..rules import load_pack

            the_pack = load_pack(pack)
        options = the_pack.content_options if the_pack is not None else {}
        scanned = _scanned(read_chunks(file), category, source, options, lex, str(file))

        out: IO[bytes] = output.open("wb") if output else sys.stdout.buffer
        try:
            if fmt == "jsonl":
                _jsonl(scanned, the_pack, channel, category, out)
            else:
                items = list(_items(scanned, the_pack, channel, category))
                text = (_html(items, file, the_pack) if fmt == "html" else _table(items))
                out.write(text.encode("utf-8"))
        finally:
            if output:
                out.close()
            else:
                out.flush()


def _known_categories(lex: Lexicon) -> frozenset[str]:
    """Every category a lexicon entry or the content rules read."""
    from ..detect.content.violations import HEALTH_CATEGORIES

    found = set(HEALTH_CATEGORIES) | {label.category for label in lex.labels}
    for term in lex.terms:
        found |= set(term.categories or ()) | set(term.except_categories)
    for phrase in lex.allow:
        found |= set(phrase.categories or ())
    return frozenset(found)


def _warn_category(category: str, known: frozenset[str], file: str | None) -> None:
    from ..errors import warn_input
    from ..i18n import _

    warn_input(_("no content rule knows category %(category)r (misspelt?), so its texts get "
                 "no category-specific check; known: %(known)s")
               % {"category": category, "known": ", ".join(sorted(known))}, file=file,
               path="category" if file else "--category")


def _scanned(chunks: Iterator[Chunk], category: str | None, source: str,
             options: Mapping[str, Any],
             lex: Lexicon, name: str | None = None
             ) -> Iterator[tuple[Chunk, list[list[Finding]]]]:
    """Each chunk of records with its findings (``scan_many`` shares the normalisation of a
    chunk's texts); a category no rule knows is warned about once (``name``: the file)."""
    from ..detect.content import scan_many

    known = _known_categories(lex)
    warned: set[str] = set()
    if category is not None and category not in known:
        warned.add(category)
        _warn_category(category, known, None)
    for chunk in chunks:
        for cat in {c for c in chunk.categories or () if c} - known - warned:
            warned.add(cat)
            _warn_category(cat, known, name)
        categories = ([c or category for c in chunk.categories]
                      if chunk.categories is not None else None)
        sources = [s or source for s in chunk.sources] if chunk.sources is not None else None
        yield chunk, scan_many(chunk.texts, category=category, categories=categories,
                               options=options, lexicon=lex, source=source, sources=sources)


def _rules(found: list[Finding], the_pack: Pack | None, channel: str | None,
           category: str | None) -> list[str | None]:
    """The rule of each finding on the pack (None without a pack, or where it maps to none)."""
    if the_pack is None:
        return [None] * len(found)
    return [the_pack.content_rule(f.finding, channel=channel, category=category) for f in found]


def _record_context(chunk: Chunk, i: int, channel: str,
                    category: str | None) -> tuple[str, str | None]:
    chan = (chunk.channels[i] if chunk.channels is not None else None) or channel
    cat = (chunk.categories[i] if chunk.categories is not None else None) or category
    return chan, cat


def _jsonl(scanned: Iterator[tuple[Chunk, list[list[Finding]]]], the_pack: Pack | None,
           channel: str, category: str | None, out: IO[bytes]) -> None:
    import orjson

    from ..detect.content.labels import term_label
    from ..web.names import name

    code = the_pack.code if the_pack is not None else None
    for chunk, findings in scanned:
        lines = []
        for i, (rid, found) in enumerate(zip(chunk.ids, findings, strict=True)):
            if not found:
                lines.append(b'{"id":' + orjson.dumps(rid) + b',"findings":[]}\n')
                continue
            chan, cat = _record_context(chunk, i, channel, category)
            rows = [{"finding": f.finding, "name": name("finding", f.finding, code),
                     "start": f.start, "end": f.end, "text": f.text, "term": f.term,
                     "term_name": term_label(f.term), "rule": rule}
                    for f, rule in zip(found, _rules(found, the_pack, chan, cat), strict=True)]
            lines.append(orjson.dumps({"id": rid, "findings": rows},
                                      option=orjson.OPT_APPEND_NEWLINE))
        out.write(b"".join(lines))


def _items(scanned: Iterator[tuple[Chunk, list[list[Finding]]]], the_pack: Pack | None,
           channel: str, category: str | None) -> Iterator[ScannedText]:
    from ..detect.content.report import ScannedText

    for chunk, findings in scanned:
        for i, (rid, text, found) in enumerate(zip(chunk.ids, chunk.texts, findings,
                                                   strict=True)):
            chan, cat = _record_context(chunk, i, channel, category)
            yield ScannedText(rid, text, cat, found, _rules(found, the_pack, chan, cat))


def _html(items: list[ScannedText], file: Path, the_pack: Pack | None) -> str:
    from ..detect.content.report import render_html
    from ..platforms import pack_name
    from ..web.names import name

    code = the_pack.code if the_pack is not None else None
    return render_html(items, title=f"zhili scan — {file.name}",
                       pack=pack_name(code) if code else None,
                       name=lambda kind, c: name(kind, c, code))


def _table(items: list[ScannedText]) -> str:
    from rich.console import Console
    from rich.table import Table

    from ..detect.content.labels import term_label
    from ..web.names import name

    table = Table(_("id"), _("finding"), _("text"), _("term"), _("rule"), _("at"))
    for item in items:
        for f, rule in zip(item.findings, item.rules, strict=True):
            table.add_row(item.id, name("finding", f.finding), f.text or "—",
                          term_label(f.term), name("rule", rule) if rule else "—",
                          f"{f.start}–{f.end}")
    buffer = io.StringIO()
    console = Console(file=buffer, width=140)
    console.print(table)
    hits = sum(1 for item in items if item.findings)
    console.print(_("%(texts)d texts, %(hits)d with findings, %(n)d findings") % {
        "texts": len(items), "hits": hits, "n": sum(len(i.findings) for i in items)})
    return buffer.getvalue()
