"""Reading event histories (JSONL or YAML) and subjects for the CLI."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ..engine import Subject
from ..errors import InputError
from ..events import Event, parse_event, parse_events
from ..rules import Pack, pack_dir


def example_path(pack: Pack) -> Path:
    path = pack_dir(pack.code) / "examples" / "history.yaml"
    if not path.is_file():
        raise InputError(f"pack {pack.code} ships no example history")
    return path


def load(path: Path, pack: Pack, subjects_file: Path | None
         ) -> tuple[dict[str, Subject], list[Event]]:
    """Events from JSONL (one per line) or YAML (a list, or {subjects, events})."""
    file = str(path)
    if not path.is_file():
        raise InputError("no such file", file=file)
    subjects_raw: Mapping[str, Any] = {}
    if path.suffix == ".jsonl":
        events = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as err:
                raise InputError(f"not valid JSON: {err.msg}", file=file,
                                 path=f"line {n}") from None
            try:
                events.append(parse_event(raw, pack.timezone))
            except InputError as err:
                raise err.within(file=file, path=f"line {n}") from None
    else:
        doc = _yaml(path)
        if isinstance(doc, Mapping):
            subjects_raw = doc.get("subjects") or {}
            doc = doc.get("events")
        if not isinstance(doc, list):
            raise InputError("expected a list of events, or a mapping with `events`", file=file)
        events = parse_events(doc, pack.timezone, file=file)
    if subjects_file is not None:
        raw = _yaml(subjects_file)
        if not isinstance(raw, Mapping):
            raise InputError("expected a mapping of subject id to attributes",
                             file=str(subjects_file))
        subjects_raw = {**subjects_raw, **raw}
    subjects = {}
    for sid, attrs in subjects_raw.items():
        try:
            subjects[str(sid)] = Subject.from_mapping(str(sid), attrs, pack.subject_kind)
        except InputError as err:
            raise err.within(file=str(subjects_file or path), path=f"subjects.{sid}") from None
    return subjects, events


def _yaml(path: Path) -> Any:
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(f"not valid YAML: {getattr(err, 'problem', err)}", file=str(path),
                         path=f"line {mark.line + 1}" if mark else None) from None
