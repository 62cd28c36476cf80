"""The order table (docs/orders.md): its columns, their types, and which may be missing.

Every table that leaves the loader has exactly these columns in this order, timestamps in UTC
(``timestamp[us, tz=UTC]``), so that the Ibis expressions see one schema on every backend.
``aliases`` are the header names Chinese back-office exports use for a column; a file may use
them instead of the column's own name (docs/orders.md lists them; ``--columns`` adds more).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")
AMOUNT = pa.decimal128(18, 2)
STORE_ALIASES = ("店铺", "店铺ID", "店铺id", "店铺编号", "店铺名称", "商家ID")


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    nullable: bool
    # An optional column may be absent from the file; it is then filled with ``default``.
    optional: bool = False
    default: object = None
    meaning: str = ""
    aliases: tuple[str, ...] = ()


ORDER_COLUMNS: tuple[Column, ...] = (
    Column("order_id", pa.string(), False, meaning="unique order id",
           aliases=("订单号", "订单编号", "订单ID", "订单id")),
    Column("store", pa.string(), False, meaning="subject id",
           aliases=STORE_ALIASES),
    Column("placed_at", TIMESTAMP, False, meaning="order time",
           aliases=("下单时间", "订单创建时间", "创建时间")),
    Column("ship_notice_at", TIMESTAMP, True, meaning="shipping notice filed (null: not shipped)",
           aliases=("发货时间", "声明发货时间", "发货通知时间")),
    Column("line", pa.string(), True, meaning="logistics line in the shipping notice",
           aliases=("物流线路", "物流方案", "物流服务")),
    Column("line_cainiao", pa.bool_(), False, meaning="the line is a Cainiao line",
           aliases=("菜鸟线路", "是否菜鸟线路")),
    Column("line_cainiao_overseas_wh", pa.bool_(), False,
           meaning="the line is a Cainiao overseas-warehouse line",
           aliases=("菜鸟海外仓线路", "是否菜鸟海外仓线路")),
    Column("buyer_line_cainiao_overseas_wh", pa.bool_(), False,
           meaning="the buyer chose a Cainiao overseas-warehouse line",
           aliases=("买家选择菜鸟海外仓",)),
    Column("ship_from", pa.string(), False, meaning="ship-from country (CN = cross-border)",
           aliases=("发货地", "发货国家")),
    Column("nrd_at", TIMESTAMP, True, meaning="not-received dispute opened",
           aliases=("未收到货纠纷时间", "纠纷时间", "纠纷发起时间")),
    Column("sold_not_shipped_at", TIMESTAMP, True, meaning="closed as sold-not-shipped",
           aliases=("成交不卖时间", "成交不卖关闭时间")),
    Column("amount", AMOUNT, False, meaning="order amount",
           aliases=("订单金额", "实付金额", "金额")),
    Column("tracking_no", pa.string(), True, meaning="tracking number in the notice",
           aliases=("运单号", "物流单号", "快递单号")),
    Column("bonded", pa.bool_(), False, meaning="bonded-warehouse order",
           aliases=("保税", "是否保税")),
    Column("buyer", pa.string(), True, optional=True, meaning="buyer id",
           aliases=("买家", "买家ID", "买家id")),
    Column("line_assessed", pa.bool_(), False, optional=True, default=True,
           meaning="the line is an assessed line", aliases=("是否考核线路", "考核线路")),
)

BY_NAME = {c.name: c for c in ORDER_COLUMNS}
ORDER_SCHEMA = pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in ORDER_COLUMNS])
