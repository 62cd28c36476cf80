"""The events table: a history in Parquet, one row per event and one per described subject.

| column | type | meaning |
|---|---|---|
| `id` | string | the event's id; for a subject row, the subject's id |
| `type` | string | the event's type, or `subject` for a row describing a subject |
| `at` | timestamp (µs, UTC) | when the event happened; null for a subject row |
| `subject` | string | the subject the event concerns (null for the types of no subject) |
| `data` | string (JSON) | the type's own fields as in a JSONL history (`code`, `minutes` …); for a subject row, its attributes |

A row reads as the JSONL event ``{"id", "type", "at", "subject", **data}`` (docs/events-table.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from ..engine import Subject
from ..errors import InputError
from ..events import Event, event_to_dict, parse_event
from ..timekit import zone

SUBJECT = "subject"  # the type of a row that describes a subject
SCHEMA = pa.schema([
    pa.field("id", pa.string(), nullable=False),
    pa.field("type", pa.string(), nullable=False),
    pa.field("at", pa.timestamp("us", tz="UTC")),
    pa.field("subject", pa.string()),
    pa.field("data", pa.string(), nullable=False),
])
_COMMON = ("id", "type", "at", "subject")


def event_row(event: Event) -> tuple[str, str, dt.datetime | None, str | None, str]:
    raw = event_to_dict(event)
    data = {k: v for k, v in raw.items() if k not in _COMMON}
    return event.id, event.type, event.at, event.subject, orjson.dumps(data).decode()


def subject_row(subject: Subject) -> tuple[str, str, dt.datetime | None, str | None, str]:
    data = subject.to_dict()
    del data["id"]
    return subject.id, SUBJECT, None, subject.id, orjson.dumps(data).decode()


def to_arrow(rows: Sequence[tuple[str, str, dt.datetime | None, str | None, str]]) -> pa.Table:
    columns: list[Sequence[Any]] = [[r[i] for r in rows] for i in range(len(SCHEMA))]
    return pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, SCHEMA,
                                                                          strict=True)],
                                schema=SCHEMA)


def write(path: Path, chunks: Iterable[tuple[Subject, list[Event]]],
          progress: Callable[[int], None] | None = None, rows_per_group: int = 200_000) -> int:
    """Write subjects and their events (``chunks`` of a subject and its events) to a Parquet
    file in row groups, never holding the whole history; returns how many events."""
    count = 0
    pending: list[tuple[str, str, dt.datetime | None, str | None, str]] = []
    with pq.ParquetWriter(path, SCHEMA, compression="zstd") as writer:
        for subject, events in chunks:
            pending.append(subject_row(subject))
            pending += map(event_row, events)
            count += len(events)
            if len(pending) >= rows_per_group:
                writer.write_table(to_arrow(pending))
                pending = []
            if progress is not None:
                progress(1)
        if pending:
            writer.write_table(to_arrow(pending))
    return count


def from_rows(ids: Sequence[str], types: Sequence[str], ats: Sequence[Any],
              subjects: Sequence[str | None], data: Sequence[str], tz: str,
              subject_kind: str = "creator", where: Callable[[int], str] | None = None
              ) -> tuple[dict[str, Subject], list[Event]]:
    """The subjects and events of the table's rows (columns given one by one); ``at`` values
    are instants, shown in the pack's zone as a JSONL history's would be. An error names
    the row (``where(i)``)."""
    local = zone(tz)
    described: dict[str, Subject] = {}
    events: list[Event] = []
    for i, (rid, kind, at, sid, raw) in enumerate(zip(ids, types, ats, subjects, data,
                                                        strict=True)):
        try:
            fields = orjson.loads(raw)
            if not isinstance(fields, dict):
                raise InputError("expected a JSON object", path="data")
            if kind == SUBJECT:
                described[rid] = Subject.from_mapping(rid, fields, subject_kind)
                continue
            if at is None:
                raise InputError("missing: every event needs `at`", path="at")
            fields.update(id=rid, type=kind, at=at.astimezone(local))
            if sid is not None:
                fields["subject"] = sid
            events.append(parse_event(fields, tz))
        except orjson.JSONDecodeError as err:
            raise InputError(f"data is not JSON ({err})",
                             path=where(i) if where else None) from None
        except InputError as err:
            raise err.within(path=where(i)) if where else err from None
    return described, events


def read(path: Path, tz: str, subject_kind: str = "creator"
         ) -> tuple[dict[str, Subject], list[Event]]:
    """A history from an events table."""
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as err:
        raise InputError(f"not a readable Parquet file ({err})", file=str(path)) from None
    for name in SCHEMA.names:
        if name not in table.column_names:
            raise InputError("missing column (required by the events table)", file=str(path),
                             path=f"column {name}")
    table = table.select(SCHEMA.names).cast(SCHEMA)
    ids, types, ats, subjects, data = (table.column(n).to_pylist() for n in SCHEMA.names)
    try:
        return from_rows(ids, types, ats, subjects, data, tz, subject_kind,
                         where=lambda i: f"row {i + 1}")
    except InputError as err:
        raise err.within(file=str(path)) from None
