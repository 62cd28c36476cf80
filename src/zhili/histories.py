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
from .errors import InputError, warn_input
from .events import Event, parse_events
from .i18n import _
from .rules import Pack, load_pack
from .textfiles import read_text
from .timekit import parse_instant


def read_yaml(path: Path) -> Any:
    file = str(path)
    if not path.is_file():
        raise InputError(_("no such file"), file=file)
    try:
        return yaml.safe_load(read_text(path))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(_("not valid YAML: %(value)s")
                         % {"value": getattr(err, 'problem', err)}, file=file,
                         path=f"line {mark.line + 1}" if mark else None) from None


def check_keys(raw: Mapping[str, Any], allowed: tuple[str, ...], required: tuple[str, ...],
               file: str, where: str) -> None:
    for key in raw:
        if key not in allowed:
            raise InputError(_("unknown key; expected one of: %(value)s")
                             % {"value": ', '.join(allowed)}, file=file,
                             path=f"{where}.{key}")
    for key in required:
        if key not in raw:
            raise InputError(_("missing required key"), file=file, path=f"{where}.{key}")


def timed_entries(entries: Any, allowed: tuple[str, ...], tz: str, file: str, where: str
                  ) -> list[Mapping[str, Any]]:
    """A list of mappings each with an instant ``at`` and a ``subject`` (a scenario's checks),
    every key one of ``allowed``."""
    if not isinstance(entries, list):
        raise InputError(_("expected a list of checks"), file=file, path=where)
    for j, entry in enumerate(entries):
        p = f"{where}[{j}]"
        if not isinstance(entry, Mapping):
            raise InputError(_("expected a mapping"), file=file, path=p)
        check_keys(entry, allowed, ("at", "subject"), file, p)
        try:
            parse_instant(entry["at"], tz)
        except InputError as err:
            raise InputError(err.message, file=file, path=f"{p}.at") from None
    return list(entries)


def parse_subjects(raw: Any, pack: Pack, file: str, where: str = "") -> dict[str, Subject]:
    """Subjects from a mapping of id to attributes; ``where`` is the path above `subjects`."""
    at = f"{where}.subjects" if where else "subjects"
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InputError(_("expected a mapping of subject id to attributes"), file=file, path=at)
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
            raise InputError(_("pack %(code)s has no rule %(code2)r")
                             % {"code": pack.code, "code2": code}, file=file,
                             path=f"{where}.events[{k}].code")
    warn_unknown_documents(pack, events, file, f"{where}.events")
    return pack, subjects, events


def warn_unknown_documents(pack: Pack, events: list[Event], file: str, where: str) -> None:
    """Warn, once per type, of documents of a type the pack does not know: they count for
    nothing (no requirement is met, no deadline is enforced), which is rarely what was meant."""
    from .documents import load_registry

    registry = load_registry()
    seen: set[str] = set()
    for k, event in enumerate(events):
        doc_type = getattr(event, "doc_type", None)
        if doc_type is None or doc_type in seen:
            continue
        seen.add(doc_type)
        if registry.spec(pack.code, doc_type) is None \
                and registry.requirement_of(pack.code, doc_type) is None:
            known = sorted({r.doc_type for r in registry.for_pack(pack.code)})
            warn_input(_("document type %(type)r is not one pack %(pack)s knows, so it meets "
                         "no requirement and sets no enforced deadline; known: %(known)s")
                       % {"type": doc_type, "pack": pack.code, "known": ", ".join(known) or "—"},
                       file=file, path=f"{where}[{k}].doc_type")


def warn_no_subjects(subjects: Mapping[str, Subject], events: list[Event], file: str,
                     hint: str) -> None:
    """Warn when events name subjects but none is described: every subject then has the
    pack's defaults (no deposit, no licence or legal representative to associate by)."""
    if not subjects and any(e.subject for e in events):
        warn_input(_("no subject is described, so every subject has the defaults (deposit 0, "
                     "no association); %(hint)s") % {"hint": hint}, file=file)
