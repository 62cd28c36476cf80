"""`zhili scan`: scan listing copy, live transcripts and chats for content findings."""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..errors import InputError

if TYPE_CHECKING:
    from ..detect.content import Finding, Lexicon
    from ..detect.content.inputs import TextRecord

FORMATS = ("jsonl", "table", "html")
CHUNK = 4096                 # texts scanned together


def register(app: typer.Typer) -> None:
    @app.command("scan")
    def scan_command(
        file: Path = typer.Argument(..., help="A .txt (one text per line), .csv or .jsonl file "
                                    "with fields id, text and optional category, channel."),
        pack: str | None = typer.Option(None, "--pack", help="Map findings to this pack's rules "
                                        "and use its content options."),
        category: str | None = typer.Option(None, "--category", help="Category of texts that "
                                            "do not give their own (e.g. health_supplement)."),
        channel: str = typer.Option("detail", "--channel", help="Channel of texts that do not "
                                    "give their own: title, detail, live, chat or video."),
        fmt: str = typer.Option("jsonl", "--format", help="jsonl, table or html."),
        output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not to "
                                           "standard output."),
        lexicon: list[Path] = typer.Option([], "--lexicon", help="A lexicon override file "
                                           "(add / remove / allow); repeatable."),
    ) -> None:
        """Scan texts for extreme words, medical and efficacy claims, off-platform contact,
        duty-free claims and missing labels (RULES.md section 6)."""
        from ..detect.content import load_lexicon
        from ..detect.content.inputs import CHANNELS, read_texts
        from ..detect.content.report import ScannedText, render_html

        if fmt not in FORMATS:
            raise InputError(f"expected one of {', '.join(FORMATS)}, got {fmt!r}",
                             path="--format")
        if channel not in CHANNELS:
            raise InputError(f"expected one of {', '.join(CHANNELS)}, got {channel!r}",
                             path="--channel")
        lex = load_lexicon(overrides=lexicon)
        the_pack = None
        if pack is not None:
            from ..rules import load_pack

            the_pack = load_pack(pack)
        options = the_pack.content_options if the_pack is not None else {}

        scanned = []
        for records, findings in _scanned_chunks(read_texts(file), category, options, lex):
            for rec, found in zip(records, findings, strict=True):
                cat = rec.category or category
                rules = [the_pack.content_rule(f.finding, channel=rec.channel or channel,
                                               category=cat) if the_pack is not None else None
                         for f in found]
                scanned.append(ScannedText(rec.id, rec.text, cat, found, rules))

        out = output.open("w", encoding="utf-8") if output else sys.stdout
        try:
            if fmt == "jsonl":
                for item in scanned:
                    rows = [{**{k: v for k, v in f.to_dict().items() if k != "provenance"},
                             "rule": rule} for f, rule in zip(item.findings, item.rules,
                                                               strict=True)]
                    out.write(json.dumps({"id": item.id, "findings": rows},
                                         ensure_ascii=False) + "\n")
            elif fmt == "html":
                out.write(render_html(scanned, title=f"zhili scan — {file.name}",
                                      pack=the_pack.code if the_pack is not None else None))
            else:
                _table(scanned, out)
        finally:
            if output:
                out.close()


def _scanned_chunks(records: Iterable[TextRecord], category: str | None,
                    options: Mapping[str, Any], lex: Lexicon,
                    size: int = CHUNK) -> Iterator[tuple[list[TextRecord], list[list[Finding]]]]:
    """The records in chunks of ``size``, each with its findings (``scan_many`` shares the
    normalisation of a chunk's texts)."""
    from ..detect.content import scan_many

    it = iter(records)
    while chunk := list(itertools.islice(it, size)):
        yield chunk, scan_many([r.text for r in chunk], options=options, lexicon=lex,
                               categories=[r.category or category for r in chunk])


def _table(scanned, out) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "finding", "text", "term", "rule", "at")
    for item in scanned:
        for f, rule in zip(item.findings, item.rules, strict=True):
            table.add_row(item.id, f.finding, f.text, f.term, rule or "—", f"{f.start}–{f.end}")
    console = Console(file=out, width=140 if out is not sys.stdout else None)
    console.print(table)
    hits = sum(1 for item in scanned if item.findings)
    console.print(f"{len(scanned)} texts, {hits} with findings, "
                  f"{sum(len(i.findings) for i in scanned)} findings")
