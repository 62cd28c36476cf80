"""Load and validate order tables from CSV, Excel, Parquet, Arrow or scenario rows.

Conversion is vectorised (pyarrow compute); only the cells the fast path cannot read are looked
at one by one, so that an error can name the file, the row and the column, and a valid
10-million-row file costs no Python loop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from ...errors import InputError
from ...i18n import _
from ...sheets import PARQUET_SUFFIXES, header_names, read_sheet
from ...timekit import DATE_FORMATS, DEFAULT_ZONE, parse_instant
from .columns import AMOUNT, ORDER_COLUMNS, TIMESTAMP, Column
from .headers import ColumnMap, to_columns

# ISO first (what zhili writes), then the forms Chinese back offices export: 2026/01/28 01:44:47,
# 2026年6月30日, 2026-6-30 (unpadded fields parse too). A date alone is its local midnight.
_FAST_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", *DATE_FORMATS)
# Booleans as exports write them: true/false, 是/否, 1/0.
TRUE_WORDS = ("true", "是", "1")
FALSE_WORDS = ("false", "否", "0")
OrdersInput: TypeAlias = str | Path | pa.Table | Iterable[Mapping[str, Any]]


class _Where:
    """How to name a cell in an error: CSV/Parquet rows or scenario ``orders[i]`` entries."""

    def __init__(self, file: str | None, rows_key: str | None):
        self.file = file
        self.rows_key = rows_key

    def error(self, message: str, row: int | None, column: str | None) -> InputError:
        path: str | None
        if self.rows_key is not None:
            path = self.rows_key if row is None else f"{self.rows_key}[{row}]"
            path = f"{path}.{column}" if column else path
        else:
            parts = [f"row {row + 1}" if row is not None else None,
                     f"column {column}" if column else None]
            path = ", ".join(p for p in parts if p) or None
        return InputError(message, file=self.file, path=path)


def load_orders(source: OrdersInput, *, tz: str = DEFAULT_ZONE, file: str | None = None,
                rows_key: str = "orders", columns: ColumnMap | None = None) -> pa.Table:
    """A validated order table (columns of ``ORDER_SCHEMA``, timestamps in UTC).

    ``source`` is a ``.csv``/``.tsv`` (any common encoding), ``.xlsx`` or ``.parquet`` path, an
    Arrow table, or scenario rows (mappings). A file's headers may be the columns' Chinese names
    or those of ``columns`` (``headers.py``). Times without an offset are local to ``tz``.
    Errors name the file, row (1 = first data row) and column; for scenario rows they name
    ``orders[i].column``.
    """
    table = load_table(source, ORDER_COLUMNS, tz=tz, file=file, rows_key=rows_key,
                       columns=columns)
    _check_rows(table, _Where(file or _name(source), rows_key if _is_rows(source) else None))
    return table


def _name(source: OrdersInput) -> str | None:
    return str(source) if isinstance(source, str | Path) else None


def _is_rows(source: OrdersInput) -> bool:
    return not isinstance(source, str | Path | pa.Table)


def load_table(source: OrdersInput, spec: tuple[Column, ...], *, tz: str = DEFAULT_ZONE,
               file: str | None = None, rows_key: str = "rows",
               columns: ColumnMap | None = None) -> pa.Table:
    """Any table with a column spec (orders, products, Channels tables), validated."""
    if isinstance(source, str | Path):
        path = Path(source)
        where = _Where(file or str(path), None)
        raw = read_sheet(path, what="table")
    elif isinstance(source, pa.Table):
        raw, where = source, _Where(file, None)
    else:
        where = _Where(file, rows_key)
        return _validate(_rows_to_table(list(source), where, tz, spec), where, tz, spec)
    raw = to_columns(raw, spec, columns, lambda message, header: where.error(message, None,
                                                                             header))
    return _validate(raw, where, tz, spec)


def backend_readable(source: OrdersInput) -> bool:
    """A Parquet file the query engine may read itself: its headers are the columns' own."""
    if not isinstance(source, str | Path) or Path(source).suffix.lower() not in PARQUET_SUFFIXES:
        return False
    try:
        names = header_names(Path(source))
    except (pa.ArrowException, OSError):
        return False            # the loader names the problem
    return set(names) <= {c.name for c in ORDER_COLUMNS}


def _rows_to_table(rows: list[Mapping[str, Any]], where: _Where, tz: str,
                   spec: tuple[Column, ...]) -> pa.Table:
    """Scenario rows → Arrow, converting cell by cell (scenario tables are small)."""
    by_name = {c.name: c for c in spec}
    columns: dict[str, list[Any]] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise where.error(_("expected an order mapping, got %(row)r") % {"row": row}, i, None)
        for key in row:
            if key not in by_name:
                raise where.error(_unknown_message(spec), i, str(key))
    for col in spec:
        if rows and not any(col.name in row for row in rows):
            if col.nullable:   # a scenario may leave out a column that is empty everywhere
                columns[col.name] = [None] * len(rows)
            continue
        values = []
        for i, row in enumerate(rows):
            try:
                values.append(_cell(col, row.get(col.name), tz))
            except InputError as err:
                raise where.error(err.message, i, col.name) from None
        columns[col.name] = values
    if not rows:
        return pa.schema([pa.field(c.name, c.type) for c in spec]).empty_table()
    return pa.table({name: pa.array(vals, type=by_name[name].type)
                     for name, vals in columns.items()})


def _cell(col: Column, value: Any, tz: str) -> Any:
    if value is None or value == "":
        return None
    if col.type == TIMESTAMP:
        return parse_instant(value, tz).astimezone(dt.UTC)
    if col.type == pa.bool_():
        return _bool(value)
    if col.type == AMOUNT:
        return _amount(value)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(_("expected text, got %(value)r") % {"value": value})
    return str(value)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS + FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise InputError(_("expected true or false (是/否), got %(value)r") % {"value": value})


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise InputError(_("expected an amount, got %(value)r") % {"value": value})
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InputError(_("expected an amount such as 12.50, got %(value)r")
                         % {"value": value}) from None
    if not amount.is_finite() or amount < 0:
        raise InputError(_("expected a non-negative amount, got %(value)r") % {"value": value})
    return amount.quantize(Decimal("0.01"))


def _unknown_message(spec: tuple[Column, ...]) -> str:
    return "unknown column; expected: " + ", ".join(c.name for c in spec)


def _validate(raw: pa.Table, where: _Where, tz: str, spec: tuple[Column, ...]) -> pa.Table:
    names = {c.name for c in spec}
    for name in raw.column_names:
        if name not in names:
            raise where.error(_unknown_message(spec), None, name)
    out = {}
    for col in spec:
        if col.name not in raw.column_names:
            if not col.optional:
                known = (_("; headers taken for it: %(aliases)s")
                         % {"aliases": ", ".join(col.aliases)} if col.aliases else "")
                raise where.error(_("missing column (required%(known)s; map another header to "
                                    "it with --columns)") % {"known": known}, None, col.name)
            out[col.name] = pa.array([col.default] * raw.num_rows, type=col.type)
            continue
        values = _convert(raw.column(col.name).combine_chunks(), col, where, tz)
        if col.type == AMOUNT:
            negative = pc.fill_null(pc.less(values, pa.scalar(0, AMOUNT)), False)
            if pc.any(negative).as_py():
                row = _first(negative)
                raise where.error(_("expected a non-negative amount, got %(value)s")
                                  % {"value": values[row].as_py()},
                                  row, col.name)
        if col.optional and col.default is not None:
            values = pc.fill_null(values, pa.scalar(col.default, type=col.type))
        if not col.nullable and values.null_count:
            row = _first(pc.is_null(values))
            raise where.error(_("missing value (this column may not be empty)"), row, col.name)
        out[col.name] = values
    schema = pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in spec])
    return pa.table(out, schema=schema)


def _convert(values: pa.Array, col: Column, where: _Where, tz: str) -> pa.Array:
    if values.type == col.type:
        return values
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if col.type == TIMESTAMP:
        return _to_timestamp(values, col, where, tz)
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        if col.type == pa.bool_():
            lowered = pc.utf8_lower(pc.utf8_trim_whitespace(values))
            known = pc.is_in(lowered, value_set=pa.array(TRUE_WORDS + FALSE_WORDS))
            bad = pc.and_(pc.is_valid(values), pc.invert(pc.fill_null(known, False)))
            if pc.any(bad).as_py():
                row = _first(bad)
                raise where.error(_("expected true or false (是/否), got %(value)r")
                                  % {"value": values[row].as_py()}, row, col.name)
            return pc.is_in(lowered, value_set=pa.array(TRUE_WORDS))
        if col.type == AMOUNT:
            return _to_amount(values, col, where)
        return values.cast(pa.string())
    try:
        cast = values.cast(col.type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise where.error(_("expected %(type)s, got a column of %(type2)s")
                          % {"type": col.type, "type2": values.type},
                          None, col.name) from None
    return cast


def _to_timestamp(values: pa.Array, col: Column, where: _Where, tz: str) -> pa.Array:
    if pa.types.is_timestamp(values.type):
        if values.type.tz is None:  # wall-clock times: local to the pack's zone
            values = pc.assume_timezone(values, timezone=tz)
        return values.cast(TIMESTAMP)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        raise where.error(_("expected timestamps, got a column of %(type)s")
                          % {"type": values.type}, None, col.name)
    text = pc.utf8_trim_whitespace(values)
    parsed = pa.nulls(len(values), type=pa.timestamp("us"))
    for fmt in _FAST_FORMATS:
        attempt = pc.strptime(text, format=fmt, unit="us", error_is_null=True)
        parsed = pc.coalesce(parsed, attempt)
    local = pc.assume_timezone(parsed, timezone=tz).cast(TIMESTAMP)
    missed = pc.and_(pc.is_valid(values), pc.is_null(local))
    if not pc.any(missed).as_py():
        return local
    # Slow path for the few cells with an offset (ISO 8601) or a bad value.
    cells = local.to_pylist()
    for row in pc.indices_nonzero(missed).to_pylist():
        try:
            cells[row] = parse_instant(values[row].as_py(), tz).astimezone(dt.UTC)
        except InputError as err:
            raise where.error(err.message, row, col.name) from None
    return pa.array(cells, type=TIMESTAMP)


def _to_amount(values: pa.Array, col: Column, where: _Where) -> pa.Array:
    try:
        amounts = pc.utf8_trim_whitespace(values).cast(pa.decimal128(38, 10)).cast(AMOUNT)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        for row, cell in enumerate(values.to_pylist()):
            if cell is not None:
                try:
                    _amount(cell)
                except InputError as err:
                    raise where.error(err.message, row, col.name) from None
        raise where.error(_("expected amounts with at most 2 decimals"), None, col.name) from None
    return amounts


def check_unique(table: pa.Table, column: str, where: _Where) -> None:
    ids = table.column(column)
    if pc.count_distinct(ids).as_py() != table.num_rows:
        seen: set[str] = set()
        for row, oid in enumerate(ids.to_pylist()):
            if oid in seen:
                raise where.error(_("duplicate %(column)s %(oid)r")
                                  % {"column": column, "oid": oid}, row, column)
            seen.add(oid)


def check_not_before(table: pa.Table, later: str, earlier: str, where: _Where) -> None:
    early = pc.fill_null(pc.less(table.column(later), table.column(earlier)), False)
    if pc.any(early).as_py():
        row = _first(early.combine_chunks())
        raise where.error(_("%(later)s is before %(earlier)s")
                          % {"later": later, "earlier": earlier}, row, later)


def _check_rows(table: pa.Table, where: _Where) -> None:
    """Cross-column checks: unique ids, and no dispute or notice before the order itself."""
    check_unique(table, "order_id", where)
    for name in ("ship_notice_at", "nrd_at", "sold_not_shipped_at"):
        check_not_before(table, name, "placed_at", where)


def _first(mask: pa.Array | pa.ChunkedArray) -> int:
    return int(pc.indices_nonzero(pc.fill_null(mask, False))[0].as_py())
