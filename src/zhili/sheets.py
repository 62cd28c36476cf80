"""The tables merchants keep, read as they are: CSV in any common encoding, Excel, Parquet.

Back-office exports come as UTF-8 (with or without a byte-order mark), UTF-16 (Excel's
"Unicode text") or GBK/GB18030 (Excel on a Chinese Windows): the encoding is detected as for
every text file (``zhili.textfiles``), and a file in none of them is refused, not read as
mojibake.

CSV and Excel cells arrive as text (``None`` for an empty cell) so that one validator converts
every source alike; Parquet keeps its own types.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import InputError
from .i18n import _
from .textfiles import detect_encoding

if TYPE_CHECKING:
    import pyarrow as pa

# pyarrow is imported where a table is read, not here: `zhili scan FILE.txt` opens its text file
# through open_text and need not pay for pyarrow's import.

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
SUFFIXES = CSV_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES


def open_text(path: Path) -> IO[str]:
    """A text file in its detected encoding (for readers that go line by line)."""
    return path.open(encoding=detect_encoding(path), newline="")


def read_sheet(path: Path, *, what: str = "table") -> pa.Table:
    """A ``.csv``/``.tsv``, ``.xlsx`` or ``.parquet`` file as an Arrow table.

    Errors name the file; ``what`` says what kind of table was expected ("order table").
    """
    import pyarrow as pa
    import pyarrow.parquet as pq
    if not path.is_file():
        raise InputError(_("no such %(what)s file") % {"what": what}, file=str(path))
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, "\t" if suffix == ".tsv" else ",")
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path)
    if suffix in PARQUET_SUFFIXES:
        try:
            return pq.read_table(path)
        except (pa.ArrowException, OSError) as err:
            raise InputError(_("not a readable Parquet file (%(err)s)")
                             % {"err": err}, file=str(path)) from None
    raise InputError(_("expected a %(what)s ending in .csv, .tsv, .xlsx or .parquet")
                     % {"what": what},
                     file=str(path))


def header_names(path: Path) -> list[str]:
    """The column names of a Parquet file, without reading its rows."""
    import pyarrow.parquet as pq
    return list(pq.read_schema(path).names)


def _read_csv(path: Path, delimiter: str) -> pa.Table:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    encoding = detect_encoding(path)
    # pyarrow strips a UTF-8 BOM itself and transcodes any other encoding while it reads.
    read = pacsv.ReadOptions(encoding="utf8" if encoding == "utf-8-sig" else encoding)
    parse = pacsv.ParseOptions(delimiter=delimiter)
    try:
        names = pacsv.open_csv(path, read_options=read, parse_options=parse).schema.names
        convert = pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True)
        table = pacsv.read_csv(path, read_options=read, parse_options=parse,
                               convert_options=convert)
    except pa.ArrowInvalid as err:
        if "Empty CSV file" in str(err):  # pyarrow's words for a file with no header row
            raise InputError(_("not a readable CSV table: no header row"),
                             file=str(path)) from None
        raise InputError(_("not a readable CSV table (%(err)s)")
                         % {"err": err}, file=str(path)) from None
    return table.rename_columns([n.strip() for n in table.column_names])


def _read_excel(path: Path) -> pa.Table:
    """The first worksheet: its first non-empty row is the header."""
    import zipfile

    import pyarrow as pa
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as err:
        raise InputError(_("not a readable Excel workbook (%(err)s)")
                         % {"err": err}, file=str(path)) from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header: list[str] | None = None
        columns: list[list[str | None]] = []
        for n, row in enumerate(rows, start=1):
            if header is None:
                if all(c is None or str(c).strip() == "" for c in row):
                    continue
                header = [("" if c is None else str(c)).strip() for c in row]
                _check_header(header, path, n)
                columns = [[] for _ in header]
                continue
            if all(c is None for c in row):
                continue            # Excel keeps formatted but empty rows
            for i, col in enumerate(columns):
                col.append(_cell_text(row[i]) if i < len(row) else None)
    finally:
        book.close()
    if header is None:
        raise InputError(_("the first worksheet is empty"), file=str(path))
    return pa.table({name: pa.array(col, type=pa.string())
                     for name, col in zip(header, columns, strict=True)})


def _check_header(header: list[str], path: Path, row: int) -> None:
    seen: set[str] = set()
    for i, name in enumerate(header):
        if not name:
            raise InputError(_("column %(value)s of the header row has no name")
                             % {"value": i + 1},
                             file=str(path), path=f"row {row}")
        if name in seen:
            raise InputError(_("column %(name)r appears twice in the header row") % {"name": name},
                             file=str(path), path=f"row {row}")
        seen.add(name)


def _cell_text(value: Any) -> str | None:
    """An Excel cell as the text a CSV export would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))      # ids and counts typed as numbers
    text = str(value).strip()
    return text or None
