"""An agency's books as the table it keeps (CSV in GBK or UTF-8, Excel, Chinese or English
headers) read exactly as the same books in YAML."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from zhili.agency_table import HEADERS
from zhili.cli import app
from zhili.errors import InputError
from zhili.portfolio import load_books, portfolio
from zhili.timekit import parse_instant

EXAMPLES = Path(__file__).parents[2] / "examples"
AS_OF = parse_instant("2026-04-01 00:00")


def rows_of(path: Path) -> list[dict]:
    return [r.to_dict("Asia/Shanghai") for r in portfolio(load_books(path), AS_OF)]


def table() -> list[list[str]]:
    """The example table's rows (GBK, as Excel on a Chinese Windows saves a CSV)."""
    text = (EXAMPLES / "agency.csv").read_bytes().decode("gbk")
    return list(csv.reader(io.StringIO(text)))


def test_the_gbk_example_reads_as_the_yaml_books():
    assert rows_of(EXAMPLES / "agency.csv") == rows_of(EXAMPLES / "agency.yaml")


@pytest.mark.parametrize("form", ["xlsx", "utf-8 csv, field names"])
def test_excel_and_english_headers_read_alike(tmp_path, form):
    rows = table()
    if form == "xlsx":
        path = tmp_path / "agency.xlsx"
        book = Workbook()
        sheet = book.active
        for row in rows:
            sheet.append([cell or None for cell in row])
        book.save(path)
    else:
        path = tmp_path / "agency.csv"
        header = [HEADERS[h] for h in rows[0]]
        with path.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows([header, *rows[1:]])
    assert rows_of(path) == rows_of(EXAMPLES / "agency.yaml")


def test_the_commands_read_the_table():
    runner = CliRunner()
    for command in ("documents", "portfolio"):
        done = runner.invoke(app, [command, str(EXAMPLES / "agency.csv"), "--as-of",
                                   "2026-04-01 00:00"])
        assert done.exit_code == 0, done.output
        assert "tg-calm" in done.output


@pytest.mark.parametrize(("text", "message"), [
    ("类型,主体\nviolation,s1\n", "needs a pack column"),
    ("平台,类型,主体,违规代码\ntmall_global,主体,s1,harassing_buyers\n", "subject row takes only"),
    ("平台,类型,主体,颜色\ntmall_global,violation,s1,red\n", "colour|颜色|unknown"),
    ("平台,类型,主体\n", "no rows"),
])
def test_mistakes_are_named(tmp_path, monkeypatch, text, message):
    monkeypatch.setenv("ZHILI_LANG", "en")
    path = tmp_path / "agency.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as found:
        load_books(path)
    assert found.value.file == str(path)


def test_the_platform_column_takes_the_names_people_write(tmp_path):
    """The example writes 天猫国际, 微信视频号, 微信小店, 拼多多跨境; other names of the same
    platforms (the console's, in either language, aliases, codes, full-width letters) read as
    the same books."""
    others = {"天猫国际": "Tmall Global", "微信视频号": "视频号", "微信小店": "wechat_store",
              "拼多多跨境": "ＰＤＤ"}
    rows = table()
    assert {row[0] for row in rows[1:]} == set(others)
    path = tmp_path / "agency.xlsx"
    book = Workbook()
    for row in [rows[0], *([others[row[0]], *row[1:]] for row in rows[1:])]:
        book.active.append([cell or None for cell in row])
    book.save(path)
    assert rows_of(path) == rows_of(EXAMPLES / "agency.yaml")


def test_an_unknown_platform_is_named_with_the_allowed_ones(tmp_path, monkeypatch):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    path = tmp_path / "agency.csv"
    path.write_text("平台,类型,主体\n天猫国际,主体,s1\n京东国际,主体,s2\n", encoding="utf-8")
    done = CliRunner().invoke(app, ["portfolio", str(path), "--as-of", "2026-04-01"])
    assert done.exit_code != 0
    error = str(done.exception)
    assert "第 3 行: 未知的平台 '京东国际'" in error
    for shown in ("视频号 (wechat_channels)", "微信小店 (wechat_store)", "速卖通 (aliexpress)",
                  "天猫国际 (tmall_global)", "抖音全球购 (douyin_global)",
                  "拼多多跨境 (pinduoduo_global)"):
        assert shown in error


def test_a_yaml_book_may_name_its_platform(tmp_path):
    import yaml

    books = yaml.safe_load((EXAMPLES / "agency.yaml").read_text(encoding="utf-8"))
    listed = books["books"] if isinstance(books, dict) else books
    for book in listed:
        book["pack"] = {"tmall_global": "天猫国际", "wechat_channels": "微信视频号",
                        "wechat_store": "视频号小店", "pinduoduo_global": "拼多多"}[book["pack"]]
    path = tmp_path / "agency.yaml"
    path.write_text(yaml.safe_dump(books, allow_unicode=True), encoding="utf-8")
    assert rows_of(path) == rows_of(EXAMPLES / "agency.yaml")
