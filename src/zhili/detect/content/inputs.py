"""Texts to scan from files: ``.txt`` (one text per line, the id is the line number), ``.csv``
(header with ``id`` and ``text``) and ``.jsonl`` (objects with ``id`` and ``text``). Both may give
an optional ``category`` and ``channel``. Errors name the file, the line and the field."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import InputError

CHANNELS = ("title", "detail", "live", "chat", "video")


@dataclass(frozen=True, slots=True)
class TextRecord:
    id: str
    text: str
    category: str | None = None
    channel: str | None = None


def _field(row: dict[str, Any], name: str, file: str, line: int, required: bool) -> str | None:
    value = row.get(name)
    if value is None or value == "":
        if required:
            raise InputError(f"missing `{name}`", file=file, path=f"line {line}: {name}")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(f"expected text, got {value!r}", file=file, path=f"line {line}: {name}")
    return str(value)


def _record(row: dict[str, Any], file: str, line: int) -> TextRecord:
    rid = _field(row, "id", file, line, True)
    text = row.get("text")
    if not isinstance(text, str):
        raise InputError("missing `text`" if text is None else f"expected text, got {text!r}",
                         file=file, path=f"line {line}: text")
    channel = _field(row, "channel", file, line, False)
    if channel is not None and channel not in CHANNELS:
        raise InputError(f"expected one of {', '.join(CHANNELS)}, got {channel!r}", file=file,
                         path=f"line {line}: channel")
    return TextRecord(str(rid), text, _field(row, "category", file, line, False), channel)


def read_texts(path: str | Path) -> Iterator[TextRecord]:
    """The texts of a ``.txt``, ``.csv`` or ``.jsonl`` file, in file order."""
    p = Path(path)
    file = str(p)
    suffix = p.suffix.lower()
    if suffix not in (".txt", ".csv", ".jsonl"):
        raise InputError("expected a .txt, .csv or .jsonl file", file=file)
    try:
        fh = p.open(encoding="utf-8", newline="")
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", file=file) from None
    with fh:
        try:
            if suffix == ".txt":
                for n, line in enumerate(fh, 1):
                    yield TextRecord(str(n), line.rstrip("\r\n"))
            elif suffix == ".csv":
                reader = csv.DictReader(fh)
                missing = {"id", "text"} - set(reader.fieldnames or ())
                if missing:
                    raise InputError(f"the header needs columns id and text; missing "
                                     f"{', '.join(sorted(missing))}", file=file, path="line 1")
                for row in reader:
                    yield _record(row, file, reader.line_num)
            else:
                for n, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError as err:
                        raise InputError(f"not valid JSON: {err.msg} (column {err.colno})",
                                         file=file, path=f"line {n}") from None
                    if not isinstance(row, dict):
                        raise InputError("expected a JSON object", file=file, path=f"line {n}")
                    yield _record(row, file, n)
        except UnicodeDecodeError as err:
            raise InputError(f"not UTF-8 text ({err.reason})", file=file) from None
