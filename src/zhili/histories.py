"""Histories as people write them: a pack, subjects and events in a YAML mapping.

Scenario cases, portfolio books and CLI history files share this shape; reading it in one
place keeps their errors alike: each names the file, the place inside it and what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .engine import Subject
from .errors import InputError
from .events import Event, parse_events
from .rules import Pack, load_pack
from .textfiles import read_text


def read_yaml(path: Path) -> Any:
    file = str(path)
    if not path.is_file():
        raise InputError("no such file", file=file)
    try:
        return yaml.safe_load(read_text(path))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(f"not valid YAML: {getattr(err, 'problem', err)}", file=file,
                         path=f"line {mark.line + 1}" if mark else None) from None


def check_keys(raw: Mapping[str, Any], allowed: tuple[str, ...], required: tuple[str, ...],
               file: str, where: str) -> None:
    for key in raw:
        if key not in allowed:
            raise InputError(f"unknown key; expected one of: {', '.join(allowed)}", file=file,
                             path=f"{where}.{key}")
    for key in required:
        if key not in raw:
            raise InputError("missing required key", file=file, path=f"{where}.{key}")


def parse_subjects(raw: Any, pack: Pack, file: str, where: str = "") -> dict[str, Subject]:
    """Subjects from a mapping of id to attributes; ``where`` is the path above `subjects`."""
    at = f"{where}.subjects" if where else "subjects"
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InputError("expected a mapping of subject id to attributes", file=file, path=at)
    subjects = {}
    for sid, attrs in raw.items():
        try:
            subjects[str(sid)] = Subject.from_mapping(str(sid), attrs, pack.subject_kind)
        except InputError as err:
            raise err.within(file=file, path=f"{at}.{sid}") from None
    return subjects


def parse_history(raw: Mapping[str, Any], file: str, where: str
                  ) -> tuple[Pack, dict[str, Subject], list[Event]]:
    """The pack (with `params` overrides), subjects and events of a history mapping."""
    try:
        pack = load_pack(str(raw["pack"]), raw.get("params") or {})
    except InputError as err:
        raise InputError(err.message, file=file, path=f"{where}.pack") from None
    subjects = parse_subjects(raw.get("subjects"), pack, file, where)
    events = parse_events(raw.get("events") or [], pack.timezone, file=file,
                          path=f"{where}.events")
    for k, event in enumerate(events):
        code = getattr(event, "code", None)
        if event.type == "violation" and code not in pack.rules:
            raise InputError(f"pack {pack.code} has no rule {code!r}", file=file,
                             path=f"{where}.events[{k}].code")
    return pack, subjects, events
