"""Reading event histories (JSONL, YAML or an events table in Parquet) and subjects for the
CLI."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..engine import Subject
from ..errors import InputError
from ..events import Event, parse_event, parse_events
from ..histories import parse_subjects, read_yaml, warn_no_subjects, warn_unknown_documents
from ..i18n import _
from ..rules import Pack, pack_dir
from ..textfiles import json_lines, read_text
from .progress import Report


def example_path(pack: Pack) -> Path:
    path = pack_dir(pack.code) / "examples" / "history.yaml"
    if not path.is_file():
        raise InputError(_("pack %(pack)s ships no example history") % {"pack": pack.code})
    return path


def load(path: Path, pack: Pack, subjects_file: Path | None, progress: Report | None = None
         ) -> tuple[dict[str, Subject], list[Event]]:
    """Events from JSONL (one per line), YAML (a list, or {subjects, events}) or an events
    table in Parquet (events and subjects, docs/events-table.md); ``progress(lines read,
    lines)`` while reading JSONL."""
    file = str(path)
    if not path.is_file():
        raise InputError(_("no such file"), file=file)
    subjects_raw: Mapping[str, Any] = {}
    described: dict[str, Subject] = {}
    if path.suffix == ".parquet":
        from ..batch import table

        described, events = table.read(path, pack.timezone, pack.subject_kind)
    elif path.suffix == ".jsonl":
        events = []
        lines = read_text(path).splitlines()
        for n, raw in json_lines(lines, file):
            if progress is not None and n % 10_000 == 0:
                progress(n, len(lines))
            try:
                events.append(parse_event(raw, pack.timezone))
            except InputError as err:
                raise err.within(file=file, path=f"line {n}") from None
    else:
        doc = read_yaml(path)
        if isinstance(doc, Mapping):
            subjects_raw = doc.get("subjects") or {}
            doc = doc.get("events")
        if not isinstance(doc, list):
            raise InputError(_("expected a list of events, or a mapping with `events`"),
                             file=file)
        events = parse_events(doc, pack.timezone, file=file)
    subjects = described | parse_subjects(subjects_raw, pack, file)
    if subjects_file is not None:
        subjects |= parse_subjects(read_yaml(subjects_file), pack, str(subjects_file))
    warn_unknown_documents(pack, events, file, "events")
    warn_no_subjects(subjects, events, file, _("describe them with --subjects, or under "
                                               "`subjects:` beside `events:` (docs/events.md)"))
    return subjects, events
