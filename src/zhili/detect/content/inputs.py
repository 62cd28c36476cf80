"""Texts to scan from files: ``.txt`` (one text per line, the id is the line number), ``.csv``
(header with ``id`` and ``text``) and ``.jsonl`` (objects with ``id`` and ``text``). Both may give
an optional ``category``, ``channel`` and ``source`` (``seller`` or ``review``). Errors name the
file, the line and the field.

:func:`read_chunks` reads a file a chunk of records at a time, as columns (what the scanner and
the writers take); :func:`read_texts` gives the same records one by one.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError
from ...i18n import _
from ...sheets import EXCEL_SUFFIXES, open_text, read_sheet
from ...textfiles import json_lines, os_reason
from .context import SOURCES

CHANNELS = ("title", "detail", "live", "chat", "video")
# The headers listing exports use for each field (a CSV or Excel listing table may use them).
HEADERS = {"id": ("商品ID", "商品id", "商品编号", "编号"),
           "text": ("文案", "标题", "商品标题", "商品描述", "内容"),
           "category": ("类目", "商品类目"), "channel": ("渠道",)}
_ALIAS = {alias: name for name, aliases in HEADERS.items() for alias in aliases}
CHUNK = 4096
_LINES_HINT = 1 << 20          # bytes of .txt lines read at once


@dataclass(frozen=True, slots=True)
class TextRecord:
    id: str
    text: str
    category: str | None = None
    channel: str | None = None
    source: str | None = None


@dataclass(slots=True)
class Chunk:
    """Consecutive records as columns. ``categories``, ``channels`` and ``sources`` are None
    when no record of the chunk gives one (a .txt file never does)."""
    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    categories: list[str | None] | None = None
    channels: list[str | None] | None = None
    sources: list[str | None] | None = None

    def records(self) -> Iterator[TextRecord]:
        n = len(self.ids)
        for i, cat, chan, src in zip(range(n), self.categories or itertools.repeat(None, n),
                                     self.channels or itertools.repeat(None, n),
                                     self.sources or itertools.repeat(None, n), strict=True):
            yield TextRecord(self.ids[i], self.texts[i], cat, chan, src)

    @classmethod
    def of(cls, records: Iterable[TextRecord]) -> Chunk:
        recs = list(records)

        def column(name: str) -> list[str | None] | None:
            values = [getattr(r, name) for r in recs]
            return values if any(v is not None for v in values) else None

        return cls([r.id for r in recs], [r.text for r in recs], column("category"),
                   column("channel"), column("source"))


def _field(row: dict[str, Any], name: str, file: str, line: int, required: bool) -> str | None:
    value = row.get(name)
    if value is None or value == "":
        if required:
            raise InputError(_("missing `%(name)s`")
                             % {"name": name}, file=file, path=f"line {line}: {name}")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(_("expected text, got %(value)r")
                         % {"value": value}, file=file, path=f"line {line}: {name}")
    return str(value)


def _choice(row: dict[str, Any], name: str, choices: tuple[str, ...], file: str,
            line: int) -> str | None:
    value = _field(row, name, file, line, False)
    if value is not None and value not in choices:
        raise InputError(_("expected one of %(value)s, got %(value2)r")
                         % {"value": ', '.join(choices), "value2": value}, file=file,
                         path=f"line {line}: {name}")
    return value


def _record(row: dict[str, Any], file: str, line: int) -> TextRecord:
    rid = _field(row, "id", file, line, True)
    text = row.get("text")
    if not isinstance(text, str):
        raise InputError("missing `text`" if text is None else f"expected text, got {text!r}",
                         file=file, path=f"line {line}: text")
    return TextRecord(str(rid), text, _field(row, "category", file, line, False),
                      _choice(row, "channel", CHANNELS, file, line),
                      _choice(row, "source", SOURCES, file, line))


def _txt_chunks(fh: Any, size: int) -> Iterator[Chunk]:
    chunk, n = Chunk(), 0
    while lines := fh.readlines(_LINES_HINT):
        for line in lines:
            n += 1
            chunk.ids.append(str(n))
            chunk.texts.append(line.rstrip("\r\n"))
            if len(chunk.ids) == size:
                yield chunk
                chunk = Chunk()
    if chunk.ids:
        yield chunk


def _jsonl_records(fh: Any, file: str) -> Iterator[TextRecord]:
    for n, row in json_lines(fh, file):
        if not isinstance(row, dict):
            raise InputError(_("expected a JSON object"), file=file, path=f"line {n}")
        yield _record(row, file, n)


def _csv_records(fh: Any, file: str) -> Iterator[TextRecord]:
    reader = csv.DictReader(fh)
    reader.fieldnames = [_ALIAS.get(h.strip(), h.strip()) for h in reader.fieldnames or ()]
    missing = {"id", "text"} - set(reader.fieldnames)
    if missing:
        raise InputError(_("the header needs columns id and text; missing %(value)s")
                         % {"value": ', '.join(sorted(missing))}, file=file, path="line 1")
    for row in reader:
        yield _record(row, file, reader.line_num)


def _excel_records(path: Path) -> Iterator[TextRecord]:
    """The first worksheet of a listing workbook (header: id and text, or ``HEADERS``)."""
    table = read_sheet(path, what="listing table")
    table = table.rename_columns([_ALIAS.get(h, h) for h in table.column_names])
    missing = {"id", "text"} - set(table.column_names)
    if missing:
        raise InputError(_("the header needs columns id and text; missing %(value)s")
                         % {"value": ', '.join(sorted(missing))}, file=str(path))
    for n, row in enumerate(table.to_pylist(), start=2):  # row 1 is the header
        yield _record(row, str(path), n)


def read_chunks(path: str | Path, size: int = CHUNK) -> Iterator[Chunk]:
    """The records of a ``.txt``, ``.csv``, ``.xlsx`` or ``.jsonl`` file, ``size`` at a time,
    in order. Text files may be UTF-8 (with or without BOM), UTF-16 or GBK/GB18030 (detected)."""
    p = Path(path)
    file = str(p)
    suffix = p.suffix.lower()
    if suffix not in (".txt", ".csv", ".jsonl", *EXCEL_SUFFIXES):
        raise InputError(_("expected a .txt, .csv, .xlsx or .jsonl file"), file=file)
    if suffix in EXCEL_SUFFIXES:
        excel = _excel_records(p)
        while batch := list(itertools.islice(excel, size)):
            yield Chunk.of(batch)
        return
    try:
        fh = open_text(p) if p.is_file() else p.open(encoding="utf-8")
    except OSError as err:
        raise InputError(_("cannot read the file: %(reason)s")
                         % {"reason": os_reason(err)}, file=file) from None
    with fh:
        try:
            if suffix == ".txt":
                yield from _txt_chunks(fh, size)
                return
            records = _jsonl_records(fh, file) if suffix == ".jsonl" else _csv_records(fh, file)
            while batch := list(itertools.islice(records, size)):
                yield Chunk.of(batch)
        except UnicodeDecodeError as err:
            raise InputError(_("not UTF-8 text (%(reason)s)")
                             % {"reason": err.reason}, file=file) from None


def read_texts(path: str | Path) -> Iterator[TextRecord]:
    """The texts of a ``.txt``, ``.csv`` or ``.jsonl`` file, in file order."""
    for chunk in read_chunks(path):
        yield from chunk.records()
