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

import dataclasses
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from ..engine import Subject
from ..errors import InputError
from ..events import (
    CHOICES,
    EVENT_TYPES,
    MAX_NAME_CHARS,
    MAX_TEXT_CHARS,
    REQUIRED,
    SUBJECTLESS,
    Event,
    event_to_dict,
    field_reader,
    parse_event,
    read_count,
    read_flag,
    read_number,
    read_text,
)
from ..i18n import _
from ..timekit import FIRST_YEAR, LAST_YEAR, zone

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
                raise InputError(_("expected a JSON object"), path="data")
            if kind == SUBJECT:
                described[rid] = Subject.from_mapping(rid, fields, subject_kind)
                continue
            if at is None:
                raise InputError(_("missing: every event needs `at`"), path="at")
            fields.update(id=rid, type=kind, at=at.astimezone(local))
            if sid is not None:
                fields["subject"] = sid
            events.append(parse_event(fields, tz))
        except orjson.JSONDecodeError as err:
            raise InputError(_("data is not JSON (%(err)s)") % {"err": err},
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
        raise InputError(_("not a readable Parquet file (%(err)s)")
                         % {"err": err}, file=str(path)) from None
    for name in SCHEMA.names:
        if name not in table.column_names:
            raise InputError(_("missing column (required by the events table)"), file=str(path),
                             path=f"column {name}")
    table = table.select(SCHEMA.names).cast(SCHEMA)
    found = by_columns(table, tz, subject_kind)
    if found is not None:
        return found
    ids, types, ats, subjects, data = (table.column(n).to_pylist() for n in SCHEMA.names)
    try:
        return from_rows(ids, types, ats, subjects, data, tz, subject_kind,
                         where=lambda i: f"row {i + 1}")
    except InputError as err:
        raise err.within(file=str(path)) from None


# -- reading column by column -----------------------------------------------------------------------
# A clean table (the common case: one a program wrote) is read a column at a time: the common
# columns are checked with Arrow's own kernels, and the JSON of each event type whose fields are
# all plain numbers, whole numbers, flags or texts is parsed by Arrow into typed columns at once.
# Each check is the one ``parse_event`` makes, on a whole column; whatever they cannot vouch for
# (an unknown field, a value of another JSON type, a missing field, a bound crossed) sends the
# whole table to the row-by-row reading, whose errors name the row.

_ARROW_TYPES: dict[Callable[[object], Any], pa.DataType] = {
    read_number: pa.float64(), read_count: pa.int64(), read_flag: pa.bool_(),
    read_text: pa.string(),
}


def _typed(kind: str, tz: str) -> pa.Schema | None:
    """The Arrow schema of an event type's own fields, if every one of them is typed plainly."""
    found = []
    for f in dataclasses.fields(EVENT_TYPES[kind])[3:]:  # after id, at, subject
        arrow = _ARROW_TYPES.get(field_reader(kind, f.name, tz))
        if arrow is None:
            return None
        found.append(pa.field(f.name, arrow))
    return pa.schema(found)


def by_columns(table: pa.Table, tz: str, subject_kind: str = "creator"
               ) -> tuple[dict[str, Subject], list[Event]] | None:
    """The subjects and events of a table (columns as in ``SCHEMA``), read column by column;
    None when a check fails and the table must be read row by row."""
    try:
        return _by_columns(table, tz, subject_kind)
    except (pa.ArrowException, InputError, UnicodeDecodeError):
        return None


def _by_columns(table: pa.Table, tz: str, subject_kind: str
                ) -> tuple[dict[str, Subject], list[Event]] | None:
    types = table.column("type")
    kinds = pc.unique(types).to_pylist()
    if any(k != SUBJECT and k not in EVENT_TYPES for k in kinds):
        return None
    placed: list[Event | None] = [None] * table.num_rows
    described: dict[str, Subject] = {}
    for kind in kinds:
        mask = pc.equal(types, kind)
        part = table.filter(mask)
        rows = pc.indices_nonzero(mask).to_pylist()
        schema = None if kind == SUBJECT else _typed(kind, tz)
        events: list[Event] | None
        if schema is None:  # subjects, and types with richer fields: the row-by-row reading
            ids, types_, ats, sids, data = (part.column(n).to_pylist() for n in SCHEMA.names)
            subjects, events = from_rows(ids, types_, ats, sids, data, tz, subject_kind)
            described.update(subjects)
            if kind == SUBJECT:
                continue
        else:
            events = _typed_events(kind, part, schema, tz)
            if events is None:
                return None
        for row, event in zip(rows, events, strict=True):
            placed[row] = event
    return described, [e for e in placed if e is not None]


def _typed_events(kind: str, part: pa.Table, schema: pa.Schema, tz: str) -> list[Event] | None:
    ids, subjects = part.column("id"), part.column("subject")
    if not _names(ids) or pc.any(pc.equal(ids, "")).as_py():
        return None  # an empty id is given one from the content, row by row
    if kind in SUBJECTLESS:
        if not _names(subjects.drop_null()):
            return None
    elif subjects.null_count or not _names(subjects) or pc.any(pc.equal(subjects, "")).as_py():
        return None
    ats = _instants(part.column("at"), tz)
    if ats is None:
        return None
    text = "\n".join(part.column("data").to_pylist()).encode()
    own = pa_json.read_json(io.BytesIO(text), parse_options=pa_json.ParseOptions(
        explicit_schema=schema, unexpected_field_behavior="error"))
    if own.num_rows != part.num_rows:
        return None
    columns = []
    for f in dataclasses.fields(EVENT_TYPES[kind])[3:]:
        column = own.column(f.name)
        if not _fits(kind, f.name, column, tz):
            return None
        values = column.to_pylist()
        if column.null_count:  # absent (or null): the field's default, as parse_event leaves it
            values = [f.default if v is None else v for v in values]
        columns.append(values)
    cls = EVENT_TYPES[kind]
    return [cls(*fields) for fields in zip(ids.to_pylist(), ats, subjects.to_pylist(), *columns,
                                           strict=True)]


def _names(column: pa.ChunkedArray) -> bool:
    """Every value an id or subject ``parse_event`` would take as it is."""
    if not len(column):
        return True
    return bool(pc.all(pc.utf8_is_printable(column)).as_py()
                and pc.max(pc.utf8_length(column)).as_py() <= MAX_NAME_CHARS)


def _fits(kind: str, name: str, column: pa.ChunkedArray, tz: str) -> bool:
    """The values of one field pass its reader's checks (a required one present in every row)."""
    if column.null_count == len(column):
        return name not in REQUIRED.get(kind, ())
    if column.null_count and name in REQUIRED.get(kind, ()):
        return False
    reader = field_reader(kind, name, tz)
    if reader in (read_number, read_count) and pc.min(column).as_py() < 0:
        return False
    if reader is read_text and pc.max(pc.utf8_length(column)).as_py() > MAX_TEXT_CHARS:
        return False
    allowed = CHOICES.get((kind, name))
    return allowed is None or bool(pc.all(pc.is_in(column.drop_null(),
                                                   value_set=pa.array(allowed))).as_py())


def _instants(column: pa.ChunkedArray, tz: str) -> list[dt.datetime] | None:
    """The instants in the zone ``tz``, as ``parse_instant`` gives them; None if any is missing
    or out of the years instants may take."""
    if column.null_count:
        return None
    if len(column):
        years = pc.min_max(pc.year(column.cast(pa.timestamp("us", tz=tz))))
        if years["min"].as_py() < FIRST_YEAR or years["max"].as_py() > LAST_YEAR:
            return None
    local = zone(tz)
    at = dt.datetime.fromtimestamp
    # From whole seconds, so that no float rounds a microsecond; most instants have none.
    return [at(us // 1_000_000, local) if not us % 1_000_000
            else at(us // 1_000_000, local).replace(microsecond=us % 1_000_000)
            for us in column.cast(pa.int64()).to_pylist()]
