"""The input tables of the drop-shipping detector besides the order table.

``purchases``: what the store bought from third parties, one row per purchase.
``parcels``: what is known of the parcel of an order (where it was sent from, who created its
waybill), one row per order. Both are defined in ``docs/tables-governance.md``.

They load from CSV, Parquet, an Arrow table or scenario-style rows, with the same conventions
as the order table (empty CSV cell = null; times local to the pack's zone unless they carry
an offset; timestamps are UTC inside), and errors that name the file, row and column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ...errors import InputError
from ...i18n import _
from ...timekit import DEFAULT_ZONE, parse_instant

TIMESTAMP = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    required: bool  # must be present and never empty


PURCHASE_COLUMNS: tuple[Column, ...] = (
    Column("purchase_id", pa.string(), True),
    Column("store", pa.string(), True),
    Column("item", pa.string(), True),
    Column("purchased_at", TIMESTAMP, True),
    Column("seller", pa.string(), False),  # the third party the goods were bought from
    Column("marketplace", pa.string(), False),  # where the purchase was made, e.g. 1688
    Column("order_id", pa.string(), False),  # the customer order this purchase fulfils
    Column("tracking_no", pa.string(), False),  # the waybill the third party created
    Column("quantity", pa.int64(), False),
)

PARCEL_COLUMNS: tuple[Column, ...] = (
    Column("order_id", pa.string(), True),
    Column("item", pa.string(), False),
    Column("origin", pa.string(), False),  # the warehouse (or place) the parcel left from
    Column("waybill_marketplace", pa.string(), False),  # the marketplace of the waybill's creator
    Column("waybill_account", pa.string(), False),  # the seller account that created it
)

TableInput: TypeAlias = str | Path | pa.Table | Iterable[Mapping[str, Any]]


def load_purchases(source: TableInput, *, tz: str = DEFAULT_ZONE,
                   file: str | None = None) -> pa.Table:
    return _load("purchase", PURCHASE_COLUMNS, "purchase_id", source, tz, file)


def load_parcels(source: TableInput, *, tz: str = DEFAULT_ZONE,
                 file: str | None = None) -> pa.Table:
    return _load("parcel", PARCEL_COLUMNS, "order_id", source, tz, file)


def _load(kind: str, columns: tuple[Column, ...], key: str, source: TableInput, tz: str,
          file: str | None) -> pa.Table:
    rows: list[Any]
    if isinstance(source, str | Path):
        path = Path(source)
        file = file or str(path)
        rows, where = _read_file(path), "row"
    elif isinstance(source, pa.Table):
        rows, where = source.to_pylist(), "row"
    else:
        rows, where = list(source), f"{kind}s"
    return _convert(kind, columns, key, rows, where, tz, file)


def _convert(kind: str, columns: tuple[Column, ...], key: str, rows: list[Any], where: str,
             tz: str, file: str | None) -> pa.Table:
    by_name = {c.name: c for c in columns}
    out: dict[str, list[Any]] = {c.name: [] for c in columns}
    seen: set[str] = set()
    for i, row in enumerate(rows):
        place = f"row {i + 1}" if where == "row" else f"{where}[{i}]"
        if not isinstance(row, Mapping):
            raise InputError(_("expected a %(kind)s mapping, got %(row)r")
                             % {"kind": kind, "row": row}, file=file, path=place)
        for name in row:
            if name not in by_name:
                allowed = ", ".join(c.name for c in columns)
                raise InputError(_("unknown %(kind)s column; expected: %(allowed)s")
                                 % {"kind": kind, "allowed": allowed}, file=file,
                                 path=f"{place}, column {name}")
        for col in columns:
            try:
                out[col.name].append(_cell(col, row.get(col.name), tz))
            except InputError as err:
                raise InputError(err.message, file=file,
                                 path=f"{place}, column {col.name}") from None
        ident = out[key][-1]
        if ident in seen:
            raise InputError(_("duplicate %(key)s %(ident)r")
                             % {"key": key, "ident": ident},
                             file=file, path=f"{place}, column {key}")
        seen.add(ident)
    return pa.table({c.name: pa.array(out[c.name], type=c.type) for c in columns})


def _read_file(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        raise InputError(_("no such file"), file=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            names = pacsv.open_csv(path).schema.names
            options = pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                           null_values=[""], strings_can_be_null=True)
            table = pacsv.read_csv(path, convert_options=options)
        elif suffix in (".parquet", ".pq"):
            table = pq.read_table(path)
        else:
            raise InputError(_("expected a table ending in .csv or .parquet"), file=str(path))
    except (pa.ArrowException, OSError) as err:
        raise InputError(_("not a readable table (%(err)s)")
                         % {"err": err}, file=str(path)) from None
    return table.to_pylist()


def _cell(col: Column, value: Any, tz: str) -> Any:
    if value is None or value == "":
        if col.required:
            raise InputError(_("missing value (this column may not be empty)"))
        return 1 if col.name == "quantity" else None
    if col.type == TIMESTAMP:
        return parse_instant(value, tz).astimezone(dt.UTC)
    if col.type == pa.int64():
        try:
            number = int(str(value).strip())
        except ValueError:
            raise InputError(_("expected a whole number ≥ 1, got %(value)r")
                             % {"value": value}) from None
        if isinstance(value, bool) or number < 1:
            raise InputError(_("expected a whole number ≥ 1, got %(value)r") % {"value": value})
        return number
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(_("expected text, got %(value)r") % {"value": value})
    return str(value)
