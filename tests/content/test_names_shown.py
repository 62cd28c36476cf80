"""Scan results speak to people: the matched text, the finding's name and, for a pattern, what
it matched (微信号), never an internal pattern name like ``<wechat_id>`` on its own; the codes
stay beside them for programs. CLI (JSON Lines, table, HTML report), API and console alike."""

from __future__ import annotations

import re
import sys

import pytest
from fastapi.testclient import TestClient

from zhili.api import create_app
from zhili.api.auth import create_key
from zhili.store import open_store

TEXT = "加我微信 abc12345 领取优惠，全网最低价"


def _visible(page: str) -> str:
    """What a reader sees of an HTML page: no tags, no attributes (tooltips keep codes)."""
    return re.sub(r"<[^>]+>", " ", page)


@pytest.fixture
def scan_cli(tmp_path, capsys, monkeypatch):
    from zhili.cli import main

    source = tmp_path / "texts.txt"
    source.write_text(TEXT + "\n", encoding="utf-8")

    def run(*args: str, lang: str = "zh-CN") -> str:
        monkeypatch.setenv("ZHILI_LANG", lang)
        monkeypatch.setattr(sys, "argv", ["zhili", "scan", str(source), *args])
        capsys.readouterr()
        try:
            main()
        except SystemExit as done:
            assert done.code in (0, None)
        return capsys.readouterr().out

    return run


def test_the_cli_names_findings_and_patterns(scan_cli):
    import json

    row = next(f for f in json.loads(scan_cli())["findings"] if f["term"] == "<wechat_id>")
    assert (row["text"], row["term_name"], row["name"]) == ("abc12345", "微信号", "引导添加私人联系方式")
    english = json.loads(scan_cli(lang="en"))["findings"]
    assert {f["term_name"] for f in english} >= {"WeChat ID", "全网最低价"}
    for fmt, lang, words in (("table", "zh-CN", ("微信号", "广告法极限词", "abc12345")),
                             ("html", "zh-CN", ("微信号", "广告法极限词", "共扫描 1 条文本")),
                             ("html", "en", ("WeChat ID", "1 text scanned"))):
        out = scan_cli("--format", fmt, lang=lang)
        shown = _visible(out) if fmt == "html" else out
        assert all(w in shown for w in words), (fmt, lang)
        assert "<wechat_id>" not in shown and "&lt;wechat_id&gt;" not in shown
        assert "off_platform_contact" not in shown and "extreme_word" not in shown


def test_the_html_report_words_assumptions_in_the_readers_language(scan_cli):
    """A finding resting on the lexicon's assumption (what counts as a WeChat ID) shows it in
    the reader's language; JSON Lines keep it as the lexicon wrote it, for programs."""
    chinese = _visible(scan_cli("--format", "html"))
    assert "假设：紧跟在微信类词语之后的微信号" in chinese
    assert "A WeChat ID (a letter" not in chinese
    english = _visible(scan_cli("--format", "html", lang="en"))
    assert "Assumption: A WeChat ID (a letter" in english


@pytest.mark.parametrize(("lang", "term", "finding"), [
    ("zh-CN", "微信号", "引导添加私人联系方式"), ("en", "WeChat ID", "Steering buyers off the platform"),
])
def test_the_api_and_the_console_name_them_in_the_readers_language(lang, term, finding):
    store = open_store("memory://")
    client = TestClient(create_app(store=store))
    key = create_key(store, "admin")[1]
    headers = {"Authorization": f"Bearer {key}", "Accept-Language": lang}
    found = client.post("/v1/scan", json={"text": TEXT, "pack": "wechat_channels"},
                        headers=headers).json()["findings"]
    row = next(f for f in found if f["term"] == "<wechat_id>")
    assert (row["text"], row["term_name"], row["name"]) == ("abc12345", term, finding)
    client.post("/login", data={"key": key})
    page = client.post("/scan", data={"text": TEXT, "pack": "wechat_channels"},
                       headers={"Accept-Language": lang}).text
    assert term in _visible(page) and "<wechat_id>" not in _visible(page)
