"""Order and product tables as merchants have them: CSV in UTF-8 (BOM or not), UTF-16 or
GBK/GB18030, Excel workbooks, Chinese headers, back-office date forms and a column-map file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from zhili.detect.orders import load_orders
from zhili.detect.orders.columns import ORDER_COLUMNS
from zhili.detect.orders.headers import load_column_map
from zhili.detect.orders.products import PRODUCT_COLUMNS, load_products
from zhili.errors import InputError, InputWarning

# A back-office export: Chinese headers, slashed and Chinese dates, 是/否 flags.
CHINESE = [
    ["订单号", "店铺", "下单时间", "发货时间", "物流线路", "菜鸟线路", "菜鸟海外仓线路",
     "买家选择菜鸟海外仓", "发货地", "未收到货纠纷时间", "成交不卖时间", "订单金额", "运单号",
     "是否保税"],
    ["8123", "店铺甲", "2026/01/28 01:44:47", "2026年1月29日 10:00", "CAINIAO-STD", "是", "否",
     "否", "CN", "", "", "12.50", "LP00001", "否"],
    ["8124", "店铺甲", "2026-1-28", "", "", "0", "0", "0", "CN", "", "2026年2月3日", "8", "",
     "0"],
]
LOCAL = dt.timezone(dt.timedelta(hours=8))


def csv_text(rows: list[list[str]]) -> str:
    return "\n".join(",".join(r) for r in rows) + "\n"


def check(table) -> None:
    rows = table.to_pylist()
    assert [r["order_id"] for r in rows] == ["8123", "8124"]
    assert rows[0]["placed_at"] == dt.datetime(2026, 1, 28, 1, 44, 47, tzinfo=LOCAL)
    assert rows[0]["ship_notice_at"] == dt.datetime(2026, 1, 29, 10, 0, tzinfo=LOCAL)
    assert rows[1]["placed_at"] == dt.datetime(2026, 1, 28, tzinfo=LOCAL)  # a date: midnight
    assert rows[1]["sold_not_shipped_at"] == dt.datetime(2026, 2, 3, tzinfo=LOCAL)
    assert rows[0]["line_cainiao"] is True and rows[1]["line_cainiao"] is False
    assert rows[0]["store"] == "店铺甲" and rows[1]["line"] is None


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_every_common_encoding_with_chinese_headers(tmp_path, encoding):
    path = tmp_path / "orders.csv"
    path.write_text(csv_text(CHINESE), encoding=encoding)
    check(load_orders(path))


def test_an_undetectable_encoding_is_named_in_the_error(tmp_path, monkeypatch):
    monkeypatch.setenv("ZHILI_LANG", "en")
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_text(CHINESE).replace("店铺甲", "café").encode("utf-8")
                     .replace("caf\xc3\xa9".encode("latin-1"), b"caf\xe9"))
    with pytest.raises(InputError) as err:
        load_orders(path)
    assert err.value.file == str(path)
    assert "encoding" in err.value.message and "GB18030" in err.value.message


def test_excel_workbook_with_typed_cells(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append([])                        # exports often start with a blank or title row
    sheet.append(CHINESE[0])
    first = list(CHINESE[1])
    first[0] = 8123                          # an id typed as a number
    first[2] = dt.datetime(2026, 1, 28, 1, 44, 47)   # a real Excel date-time
    first[11] = 12.5
    sheet.append(first)
    sheet.append([c or None for c in CHINESE[2]])
    path = tmp_path / "orders.xlsx"
    book.save(path)
    check(load_orders(path))


def test_column_map_file_names_the_users_own_headers(tmp_path):
    rows = [list(r) for r in CHINESE]
    rows[0][0], rows[0][1] = "订单编码", "商户"
    rows[0].append("买家留言")
    rows[1].append("尽快发货")
    rows[2].append("")
    path = tmp_path / "orders.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_orders(path)
    assert err.value.path == "column 订单编码" and "--columns" in err.value.message
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  订单编码: order_id\n  商户: store\nignore: [买家留言]\n",
                       encoding="utf-8")
    known = [c.name for c in ORDER_COLUMNS]
    check(load_orders(path, columns=load_column_map(mapping, known)))
    mapping.write_text("columns:\n  订单编码: order_id\n  商户: store\nignore: '*'\n")
    check(load_orders(path, columns=load_column_map(mapping, known)))


@pytest.mark.usefixtures("english")
def test_column_map_errors_name_the_entry(tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  订单编码: order_number\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_column_map(mapping, [c.name for c in ORDER_COLUMNS])
    assert err.value.path == "columns.订单编码" and "order_id" in err.value.message
    mapping.write_text("订单编码: order_id\n", encoding="utf-8")
    with pytest.raises(InputError, match="expected a mapping with `columns`"):
        load_column_map(mapping, [c.name for c in ORDER_COLUMNS])


@pytest.mark.usefixtures("english")
def test_two_headers_for_one_column_is_an_error(tmp_path):
    path = tmp_path / "orders.csv"
    rows = [r + [r[0]] for r in CHINESE]
    rows[0][-1] = "订单编号"
    path.write_text(csv_text(rows), encoding="utf-8")
    with pytest.raises(InputError, match="'订单号' and '订单编号' both give order_id"):
        load_orders(path)


def test_a_missing_column_says_which_headers_would_do(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(csv_text([r[1:] for r in CHINESE]), encoding="gbk")
    with pytest.raises(InputError) as err:
        load_orders(path)
    assert err.value.path == "column order_id"
    assert "订单号" in err.value.message and "--columns" in err.value.message


def test_product_table_with_chinese_headers_in_gbk(tmp_path):
    path = tmp_path / "products.csv"
    path.write_text("店铺ID,商品ID,创建时间,最近成交时间,删除时间\n"
                    "s1,p1,2025/1/1 10:00,2025年3月1日,\n", encoding="gbk")
    rows = load_products(path, tz="Asia/Shanghai").to_pylist()
    assert rows[0]["item"] == "p1"
    assert rows[0]["last_sold_at"] == dt.datetime(2025, 3, 1, tzinfo=LOCAL)
    assert {c.name for c in PRODUCT_COLUMNS} == set(rows[0])


def test_every_alias_is_unique_within_its_table():
    for spec in (ORDER_COLUMNS, PRODUCT_COLUMNS):
        aliases = [a for c in spec for a in c.aliases]
        assert len(aliases) == len(set(aliases))
        assert not set(aliases) & {c.name for c in spec}


def test_the_documented_headers_are_the_loaders(tmp_path):
    """docs/orders.md lists every Chinese header the loader takes, column by column."""
    doc = (Path(__file__).parents[2] / "docs" / "orders.md").read_text(encoding="utf-8")
    for col in (*ORDER_COLUMNS, *PRODUCT_COLUMNS):
        for alias in col.aliases:
            assert alias in doc, f"{col.name}: {alias} is not documented"


def test_assess_cli_reads_a_gbk_export_with_a_column_map_and_a_date_only_as_of(tmp_path):
    from typer.testing import CliRunner

    from zhili.cli import app

    rows = [list(r) for r in CHINESE]
    rows[0][0] = "订单编码"
    path = tmp_path / "导出.csv"
    path.write_text(csv_text(rows), encoding="gbk")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  订单编码: order_id\n", encoding="utf-8")
    args = ["assess", str(path), "--pack", "aliexpress", "--as-of", "2026年2月5日", "--columns",
            str(mapping), "--format", "json"]
    res = CliRunner().invoke(app, args, env={"ZHILI_LANG": ""})
    assert res.exit_code == 0, res.output
    assert res.stderr.strip() == "按 2026-02-05 24:00（Asia/Shanghai）计算，即 2026年2月5日 当天结束时"
    assert isinstance(json.loads(res.stdout), list)
    res = CliRunner().invoke(app, ["--lang", "en", *args])
    assert res.stderr.strip() == "as of 2026-02-05 24:00 (Asia/Shanghai), the end of 2026年2月5日"


def test_an_order_table_under_a_pack_without_order_rules_is_warned_about(tmp_path):
    from typer.testing import CliRunner

    from zhili.cli import app

    path = tmp_path / "orders.csv"
    path.write_text(csv_text(CHINESE), encoding="utf-8")
    with pytest.warns(InputWarning, match="pack wechat_channels has no rule that reads an order"):
        res = CliRunner().invoke(app, ["--lang", "en", "assess", str(path), "--pack",
                                       "wechat_channels",
                                       "--as-of", "2026-02-05 12:00", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert res.stderr == ""                  # a time was given: no note about the instant


def test_generate_orders_between_start_and_end(tmp_path):
    from typer.testing import CliRunner

    from zhili.cli import app

    out = tmp_path / "o.csv"
    res = CliRunner().invoke(app, ["generate", "orders", str(out), "--stores", "2", "--orders",
                                   "300", "--start", "2026-04-01", "--end", "2026-06-30"])
    assert res.exit_code == 0, res.output
    placed = [r["placed_at"] for r in load_orders(out).to_pylist()]
    assert min(placed) >= dt.datetime(2026, 4, 1, tzinfo=LOCAL)
    assert max(placed) < dt.datetime(2026, 7, 1, tzinfo=LOCAL)
    assert max(placed) >= dt.datetime(2026, 6, 1, tzinfo=LOCAL)
    bad = CliRunner().invoke(app, ["generate", "orders", str(out), "--start", "2026-04-01",
                                   "--end", "2026-03-01"])
    assert isinstance(bad.exception, InputError)
    assert "2026-03-01 早于 --start 2026-04-01" in str(bad.exception)
