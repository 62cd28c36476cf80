"""Listing tables as merchants export them: GBK CSV with Chinese headers, and Excel."""

from __future__ import annotations

from openpyxl import Workbook

from zhili.detect.content.inputs import read_texts


def test_gbk_csv_with_chinese_headers(tmp_path):
    path = tmp_path / "listings.csv"
    path.write_text("商品ID,标题,类目\nsku-1,全网最低价 国家级面霜,cosmetics\nsku-2,普通的杯子,\n",
                    encoding="gbk")
    records = list(read_texts(path))
    assert [(r.id, r.text, r.category) for r in records] == [
        ("sku-1", "全网最低价 国家级面霜", "cosmetics"), ("sku-2", "普通的杯子", None)]


def test_excel_listing_table(tmp_path):
    book = Workbook()
    book.active.append(["商品编号", "文案", "渠道"])
    book.active.append([1001, "加微信领优惠", "detail"])
    path = tmp_path / "listings.xlsx"
    book.save(path)
    [record] = read_texts(path)
    assert (record.id, record.text, record.channel) == ("1001", "加微信领优惠", "detail")
