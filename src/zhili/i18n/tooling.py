"""Keeping the catalogs in step with the code: extract the msgids, merge them into each
``.po``, and list what is missing. Run from a source checkout (it reads ``babel.cfg``)::

    python -m zhili.i18n update   # add new msgids to every catalog, drop vanished ones
    python -m zhili.i18n check    # exit 1 listing untranslated, fuzzy or obsolete entries

It is Babel's own extraction and update (what ``pybabel extract``/``update`` do), written with
entries sorted by msgid and without source locations, so that two people adding messages in
different places seldom touch the same lines of a ``.po``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from .catalogs import DOMAIN, catalog_path
from .language import LANGUAGES

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
ROOT = Path(__file__).resolve().parents[3]
WIDTH = 100


def extract(root: Path = ROOT) -> Catalog:
    """Every msgid the code and templates under ``root`` use, as a template catalog."""
    with (root / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    template = Catalog(domain=DOMAIN, project="zhili", version="1",
                       copyright_holder="zhili")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(root), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True):
        template.add(message, None, [(filename, lineno)], auto_comments=comments,
                     context=context)
    # The CLI's help texts are docstrings and help= strings, read where Click keeps them.
    for where, text in [*cli_help_texts(), *pack_assumptions(root)]:
        if text not in template:
            template.add(text, None, [(where, 0)])
    return template


def pack_assumptions(root: Path = ROOT) -> list[tuple[str, str]]:
    """Every assumption the shipped packs, the document registry and the content lexicon
    state (where a source is silent, how the rule is modelled), as their loaders keep them.
    People read them beside decisions, parameters and findings, so they are translated like
    any message."""
    def stripped(text: str) -> str:         # the pack and registry loaders
        return text.strip()

    def folded(text: str) -> str:           # lexicon.provenance folds the spaces too
        return " ".join(text.split())

    package = root / "src" / "zhili"
    files = [*((path, stripped) for path in sorted(package.glob("packs/*/pack.yaml"))),
             *((path, stripped) for path in sorted(package.glob("packs/*/versions/*.yaml"))),
             (package / "documents" / "requirements.yaml", stripped),
             (package / "detect" / "content" / "data" / "lexicon.yaml", folded)]
    found: list[tuple[str, str]] = []
    for path, kept in files:
        where = str(path.relative_to(root))
        found.extend((where, kept(text)) for text in _assumptions(
            yaml.safe_load(path.read_text(encoding="utf-8"))) if kept(text))
    return found


def _assumptions(node: Any) -> list[str]:
    """The texts under ``assumption`` (or ``…_assumption``) keys anywhere in a YAML tree."""
    if isinstance(node, dict):
        return [text for key, value in node.items() for text in (
            [value] if isinstance(value, str) and (key == "assumption"
                                                   or str(key).endswith("_assumption"))
            else _assumptions(value))]
    if isinstance(node, list):
        return [text for value in node for text in _assumptions(value)]
    return []


def cli_help_texts() -> list[tuple[str, str]]:
    """Every ``--help`` text of the ``zhili`` command line, with the command it belongs to."""
    import typer.main

    from ..cli import app
    from ..cli.helptext import help_texts

    return list(help_texts(typer.main.get_command(app)))


def read(tag: str) -> Catalog:
    path = catalog_path(tag)
    assert path is not None
    with path.open("rb") as handle:
        return read_po(handle, locale=LANGUAGES[tag][0], domain=DOMAIN)


def problems(catalog: Catalog, template: Catalog) -> list[str]:
    """What a reader would meet: msgids with no translation, fuzzy or obsolete entries, entries
    the code no longer uses, and placeholders that differ from the msgid's."""
    found = []
    for message in template:
        if not message.id:
            continue
        entry = catalog.get(message.id, message.context)
        label = message.id if isinstance(message.id, str) else message.id[0]
        where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
        if entry is None or not (all(entry.string) if isinstance(entry.string, tuple)
                                 else entry.string):
            found.append(f"untranslated: {label!r} ({where})")
        elif entry.fuzzy:
            found.append(f"fuzzy: {label!r}")
    for entry in catalog:
        if entry.id and template.get(entry.id, entry.context) is None:
            found.append(f"no longer used: {entry.id!r}")
    found.extend(f"obsolete: {entry.id!r}" for entry in catalog.obsolete.values())
    for entry, errors in catalog.check():
        found.extend(f"placeholders of {entry.id!r}: {error}" for error in errors)
    return found


def update(root: Path = ROOT) -> dict[str, int]:
    """Merge the extracted msgids into every catalog; returns how many are untranslated."""
    template = extract(root)
    missing = {}
    for tag in LANGUAGES:
        path = catalog_path(tag)
        if path is None:
            continue
        catalog = read(tag)
        # Keep the header's dates as they were: a date changing on every run is a conflict
        # waiting between two people who both ran `update`.
        created, revised = catalog.creation_date, catalog.revision_date
        catalog.update(template, no_fuzzy_matching=True)
        catalog.creation_date, catalog.revision_date = created, revised
        catalog.obsolete.clear()
        with path.open("wb") as handle:
            write_po(handle, catalog, width=WIDTH, no_location=True, sort_output=True,
                     ignore_obsolete=True, include_previous=False)
        missing[tag] = sum(1 for m in catalog if m.id and not m.string)
    return missing
