"""The replay's output tables: `states.parquet` (one row per subject: its state as of the
instant) and `decisions.parquet` (one row per decision in a subject's audit trail up to it).

A row is the record `zhili replay --format json --explain` prints, column by column: the
scalar fields as typed columns, the nested ones (scores, sanctions, a decision's detail and
explanation …) as JSON text. ``record(row)`` turns a row back into that record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from ..engine import Ledger

JSON = "json"  # a column holding a nested value as JSON text
STATE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("subject", "string"), ("as_of", "string"), ("pack", "string"), ("version", "string"),
    ("band", "string"), ("fees", "double"), ("deposit", "double"),
    ("outstanding_fees", "double"), ("required_deposit", "double"), ("scores", JSON),
    ("held", JSON), ("sanctions", JSON), ("holds", JSON), ("violations", JSON),
    ("notices", JSON), ("appeals", JSON),
)
DECISION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("subject", "string"), ("n", "long"), ("id", "string"), ("at", "string"),
    ("kind", "string"), ("rule", "string"), ("pack", "string"), ("version", "string"),
    ("cause", "string"), ("detail", JSON), ("explanation", JSON),
)
TABLES = {"states": STATE_COLUMNS, "decisions": DECISION_COLUMNS}
_ARROW = {"string": pa.string(), "double": pa.float64(), "long": pa.int64(), JSON: pa.string()}


def arrow_schema(columns: Iterable[tuple[str, str]]) -> pa.Schema:
    return pa.schema([pa.field(name, _ARROW[kind]) for name, kind in columns])


def records(ledger: Ledger, at: dt.datetime) -> Iterator[tuple[str, dict[str, Any]]]:
    """``("states", state)`` for each subject of the ledger, then ``("decisions", decision)``
    for each decision of its audit trail up to ``at`` (``n``: its place in that trail)."""
    for sid in ledger.subjects:
        yield "states", ledger.state(sid, at).to_dict()
        for n, decision in enumerate(ledger.decisions(sid, at)):
            yield "decisions", {"subject": sid, "n": n, **decision.to_dict()}


def row(rec: Mapping[str, Any], columns: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """A record as a table row: nested values as JSON text, numbers as floats."""
    out: dict[str, Any] = {}
    for name, kind in columns:
        value = rec.get(name)
        if kind == JSON:
            value = orjson.dumps(value).decode()
        elif kind == "double" and value is not None:
            value = float(value)
        out[name] = value
    return out


def record(values: Mapping[str, Any], columns: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """A table row back as the record the JSON output prints."""
    out: dict[str, Any] = {}
    for name, kind in columns:
        value = values[name]
        out[name] = orjson.loads(value) if kind == JSON else value
    return out


def write(ledger: Ledger, at: dt.datetime, out: Path) -> dict[str, int]:
    """Write ``out/states.parquet`` and ``out/decisions.parquet``; rows by table."""
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for name, rec in records(ledger, at):
        rows[name].append(row(rec, TABLES[name]))
    for name, columns in TABLES.items():
        pq.write_table(pa.Table.from_pylist(rows[name], schema=arrow_schema(columns)),
                       out / f"{name}.parquet", compression="zstd")
    return {name: len(r) for name, r in rows.items()}


def read(out: Path, name: str) -> list[dict[str, Any]]:
    """The records of ``out/NAME.parquet`` (a file, or the directory Spark writes), in the
    order of subjects and of each subject's audit trail."""
    columns = TABLES[name]
    table = pq.read_table(out / f"{name}.parquet")
    keys = [("subject", "ascending")] + ([("n", "ascending")] if name == "decisions" else [])
    return [record(r, columns) for r in table.sort_by(keys).to_pylist()]
