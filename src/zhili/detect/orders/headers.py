"""Header names of merchants' exports → the columns of the order and product tables.

A file may name a column by its own name (``order_id``), by one of the Chinese names back-office
exports use (``订单号``, the column's ``aliases``), or by a name of the user's own export given in
a column-map file (``--columns map.yaml``, docs/orders.md)::

    columns:                 # header in your file: column of the table
      订单编码: order_id
      店铺名称: store
    ignore: [商品名称, 买家留言]   # columns the assessment does not need ("*": every other one)

A header that none of these explains is an error (a typo must not silently empty a column);
two headers for the same column are an error too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ...errors import InputError
from ...i18n import _
from .columns import Column


@dataclass(frozen=True)
class ColumnMap:
    """A user's header names (``names``: header → column) and the headers to ignore."""

    names: Mapping[str, str] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    ignore_rest: bool = False
    file: str | None = None


def load_column_map(path: str | Path, known: Sequence[str]) -> ColumnMap:
    """Read and check a column-map file; ``known`` are the column names it may map to."""
    from ...histories import read_yaml

    file = str(path)
    doc = read_yaml(Path(path))
    if not isinstance(doc, Mapping) or not set(doc) <= {"columns", "ignore"}:
        raise InputError(_("expected a mapping with `columns` (your header: column) and "
                           "optionally `ignore` (a list of headers, or \"*\")"), file=file)
    names = doc.get("columns") or {}
    if not isinstance(names, Mapping):
        raise InputError(_("expected a mapping of your header to a column"), file=file,
                         path="columns")
    for header, column in names.items():
        if column not in known:
            raise InputError(_("unknown column %(column)r; expected one of: %(value)s")
                             % {"column": column, "value": ', '.join(known)},
                             file=file, path=f"columns.{header}")
    ignore = doc.get("ignore") or []
    if ignore == "*":
        return ColumnMap({str(h): str(c) for h, c in names.items()}, ignore_rest=True, file=file)
    if not isinstance(ignore, list) or not all(isinstance(h, str | int) for h in ignore):
        raise InputError(_("expected a list of headers, or \"*\" for every unmapped one"),
                         file=file, path="ignore")
    return ColumnMap({str(h): str(c) for h, c in names.items()},
                     frozenset(str(h) for h in ignore), file=file)


def to_columns(table: pa.Table, spec: Sequence[Column], cmap: ColumnMap | None,
               error) -> pa.Table:
    """``table`` with its headers renamed to ``spec``'s columns and ignored ones dropped.

    ``error(message, column)`` makes the error to raise for a header."""
    cmap = cmap or ColumnMap()
    own = {c.name for c in spec}
    aliases = {alias: c.name for c in spec for alias in c.aliases}
    mine = {h: c for h, c in cmap.names.items() if c in own}
    keep: list[str] = []
    names: list[str] = []
    source: dict[str, str] = {}
    for header in table.column_names:
        name = header if header in own else mine.get(header, aliases.get(header))
        if name is None:
            if header in cmap.ignore or cmap.ignore_rest or header in cmap.names:
                continue            # ignored, or mapped to a column of another table
            raise error(_("unknown column; expected one of: %(value)s (or a Chinese header of "
                          "docs/orders.md, or map it with --columns)")
                        % {"value": ', '.join(sorted(own))}, header)
        if name in source:
            raise error(_("columns %(value)r and %(header)r both give %(name)s")
                        % {"value": source[name], "header": header, "name": name}, header)
        source[name] = header
        keep.append(header)
        names.append(name)
    return table.select(keep).rename_columns(names)
