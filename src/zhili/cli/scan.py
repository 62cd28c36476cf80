"""`zhili scan`: scan listing copy, live transcripts and chats for content findings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from ..errors import InputError

FORMATS = ("jsonl", "table", "html")


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
        from ..detect.content import load_lexicon, scan
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
        for rec in read_texts(file):
            cat = rec.category or category
            found = scan(rec.text, category=cat, options=options, lexicon=lex)
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
