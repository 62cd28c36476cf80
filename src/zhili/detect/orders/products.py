"""AliExpress inactive products (速卖通自发货履约规则 2022-07-19) from the product table of docs/orders.md.

A product is inactive at an assessment (end of a local day) when it was created more than 90
days before and has not sold in the last 180. The table holds each product's *last* sale, so
for an instant before that sale the product counts as active (an earlier sale may have been
within 180 days; we do not punish on what we cannot see). A product still inactive 30 days
after a measure gets the next one (traffic block → delisting → deletion, the pack's repeats).
A store whose live products are mostly inactive while its new products hardly sell gets a store
traffic limit (thresholds and their assumptions in the pack's `detectors`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ...events import Violation
from ...timekit import parse_instant, zone
from .columns import STORE_ALIASES, TIMESTAMP, Column
from .expressions import SECONDS_PER_DAY, DayClock
from .headers import ColumnMap
from .loading import OrdersInput, _Where, check_not_before, check_unique, load_table
from .thresholds import thresholds_for

PRODUCT_COLUMNS: tuple[Column, ...] = (
    Column("store", pa.string(), False, meaning="subject id",
           aliases=STORE_ALIASES),
    Column("item", pa.string(), False, meaning="product id",
           aliases=("商品ID", "商品id", "商品编号", "商品编码")),
    Column("created_at", TIMESTAMP, False, meaning="when the product was created",
           aliases=("创建时间", "商品创建时间", "发布时间")),
    Column("last_sold_at", TIMESTAMP, True, meaning="the last sale (null: never sold)",
           aliases=("最近成交时间", "最后成交时间", "最近销售时间")),
    Column("deleted_at", TIMESTAMP, True, meaning="removed by the merchant (null: live)",
           aliases=("删除时间",)),
)
NEVER = np.iinfo(np.int64).max // 4


def load_products(source: OrdersInput, *, tz: str, file: str | None = None,
                  columns: ColumnMap | None = None) -> pa.Table:
    table = load_table(source, PRODUCT_COLUMNS, tz=tz, file=file, rows_key="products",
                       columns=columns)
    where = _Where(file or (str(source) if isinstance(source, str | Path) else None),
                   None if isinstance(source, str | Path | pa.Table) else "products")
    check_unique(table, "item", where)
    check_not_before(table, "last_sold_at", "created_at", where)
    return table


def _seconds(col: pa.ChunkedArray) -> np.ndarray:
    """Epoch seconds, NEVER for null."""
    micros = col.cast(pa.int64()).combine_chunks()
    valid = micros.is_valid().to_numpy(zero_copy_only=False)
    values = micros.fill_null(0).to_numpy()
    return np.where(valid, values // 1_000_000, NEVER)


def violations_from_products(products: OrdersInput, pack: Any, *, until: dt.datetime | str
                             ) -> list[Violation]:
    from .assess import pack_of

    pack = pack_of(pack)
    tz, th = pack.timezone, thresholds_for(pack)
    until = parse_instant(until, tz)
    clock = DayClock.for_zone(tz)
    table = load_products(products, tz=tz)
    if table.num_rows == 0:
        return []
    day = SECONDS_PER_DAY
    created = _seconds(table.column("created_at"))
    sold = _seconds(table.column("last_sold_at"))
    deleted = _seconds(table.column("deleted_at"))
    effective = parse_instant(str(th.value("inactive_product.effective")), tz).timestamp()
    age = int(th.value("inactive_product.created_days")) * day
    unsold = int(th.value("inactive_product.unsold_days")) * day
    step = int(th.value("inactive_product.step_days"))
    # Inactive from the later of: old enough, long enough since the last sale, rule in force.
    start = np.maximum(np.maximum(created + age, np.where(sold == NEVER, 0, sold + unsold)),
                       int(effective))
    # The first assessment (end of local day d, i.e. start of d + 1) at or after ``start``.
    first_day = -(-(start + clock.offset_seconds) // day) - 1
    last_day = clock.day_of(until) - 1
    stores = table.column("store").to_pylist()
    items = table.column("item").to_pylist()
    found: list[Violation] = []
    for i in np.argsort(first_day, kind="stable"):
        for k in range(3):                      # traffic block, delist, delete
            d = int(first_day[i]) + k * step
            at = clock.start_of(d + 1)
            if d > last_day or at.timestamp() >= deleted[i]:
                break
            date = clock.date_of(d).isoformat()
            found.append(Violation(
                id=f"inactive_product:{stores[i]}:{items[i]}:{date}", at=at, subject=stores[i],
                code="inactive_product", item=items[i],
                evidence={"scope": items[i], "step": k + 1,
                          "created_at": _iso(created[i], tz), "last_sold_at": _iso(sold[i], tz),
                          "threshold": {"created_days": age // day, "unsold_days": unsold // day}}))
    found += _inactive_stores(stores, created, sold, deleted, start, clock, th, last_day)
    return sorted(found, key=lambda v: (v.at, v.id))


def _inactive_stores(stores: list[str], created: np.ndarray, sold: np.ndarray,
                     deleted: np.ndarray, start: np.ndarray, clock: DayClock, th: Any,
                     last_day: int) -> list[Violation]:
    share = float(th.value("inactive_store.inactive_share"))
    new_days = int(th.value("inactive_store.new_days")) * SECONDS_PER_DAY
    new_share = float(th.value("inactive_store.new_sold_share"))
    step = int(th.value("inactive_store.step_days"))
    first = int((created.min() + clock.offset_seconds) // SECONDS_PER_DAY)
    days = np.arange(first, last_day + 1)
    ends = np.array([clock.start_of(int(d) + 1).timestamp() for d in days], np.int64)[None, :]
    out = []
    names = np.array(stores)
    for store in sorted(set(stores)):
        m = names == store
        live = (created[m][:, None] <= ends) & (ends < deleted[m][:, None])
        inactive = live & (start[m][:, None] <= ends)
        new = live & (created[m][:, None] > ends - new_days)
        new_sold = new & (sold[m][:, None] <= ends)
        n_live, n_new = live.sum(0), new.sum(0)
        hit = (n_live > 0) & (inactive.sum(0) > share * n_live) & (n_new > 0) \
            & (new_sold.sum(0) < new_share * n_new)
        next_ok = 0
        for j in np.nonzero(hit)[0]:
            if j < next_ok:
                continue
            date = clock.date_of(int(days[j])).isoformat()
            out.append(Violation(
                id=f"inactive_store:{store}:store:{date}", at=clock.start_of(int(days[j]) + 1),
                subject=store, code="inactive_store",
                evidence={"scope": "store", "live": int(n_live[j]),
                          "inactive": int(inactive.sum(0)[j]), "new": int(n_new[j]),
                          "new_sold": int(new_sold.sum(0)[j]),
                          "threshold": {"inactive_share_above": share,
                                        "new_sold_share_below": new_share}}))
            next_ok = int(j) + step
    return out


def _iso(seconds: int, tz: str) -> str | None:
    if seconds >= NEVER:
        return None
    return dt.datetime.fromtimestamp(int(seconds), zone(tz)).isoformat()
