"""The order table of SCENARIOS.md: its columns, their types, and which may be missing.

Every table that leaves the loader has exactly these columns in this order, timestamps in UTC
(``timestamp[us, tz=UTC]``), so that the Ibis expressions see one schema on every backend.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")
AMOUNT = pa.decimal128(18, 2)


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    nullable: bool
    # An optional column may be absent from the file; it is then filled with ``default``.
    optional: bool = False
    default: object = None
    meaning: str = ""


ORDER_COLUMNS: tuple[Column, ...] = (
    Column("order_id", pa.string(), False, meaning="unique order id"),
    Column("store", pa.string(), False, meaning="subject id"),
    Column("placed_at", TIMESTAMP, False, meaning="order time"),
    Column("ship_notice_at", TIMESTAMP, True, meaning="shipping notice filed (null: not shipped)"),
    Column("line", pa.string(), True, meaning="logistics line in the shipping notice"),
    Column("line_cainiao", pa.bool_(), False, meaning="the line is a Cainiao line"),
    Column("line_cainiao_overseas_wh", pa.bool_(), False,
           meaning="the line is a Cainiao overseas-warehouse line"),
    Column("buyer_line_cainiao_overseas_wh", pa.bool_(), False,
           meaning="the buyer chose a Cainiao overseas-warehouse line"),
    Column("ship_from", pa.string(), False, meaning="ship-from country (CN = cross-border)"),
    Column("nrd_at", TIMESTAMP, True, meaning="not-received dispute opened"),
    Column("sold_not_shipped_at", TIMESTAMP, True, meaning="closed as sold-not-shipped"),
    Column("amount", AMOUNT, False, meaning="order amount"),
    Column("tracking_no", pa.string(), True, meaning="tracking number in the notice"),
    Column("bonded", pa.bool_(), False, meaning="bonded-warehouse order"),
    Column("buyer", pa.string(), True, optional=True, meaning="buyer id"),
    Column("line_assessed", pa.bool_(), False, optional=True, default=True,
           meaning="the line is an assessed line"),
)

BY_NAME = {c.name: c for c in ORDER_COLUMNS}
ORDER_SCHEMA = pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in ORDER_COLUMNS])


def empty_orders() -> pa.Table:
    return ORDER_SCHEMA.empty_table()
