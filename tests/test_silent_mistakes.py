"""Input that is valid but probably not what was meant gets a warning, never silence; input
that is what was meant gets none."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhili.cli import app
from zhili.errors import InputWarning
from zhili.i18n import use_language
from zhili.portfolio import load_books

AGENCY = Path(__file__).parents[1] / "examples" / "agency.yaml"


def test_a_known_agency_file_warns_of_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        load_books(AGENCY)


def test_an_unknown_document_type_is_warned_about(tmp_path):
    path = tmp_path / "book.yaml"
    path.write_text(AGENCY.read_text(encoding="utf-8").replace("doc_type: qc_report",
                                                               "doc_type: qc_reprot"))
    with pytest.warns(InputWarning) as caught, use_language("en"):
        load_books(path)
    [message] = [str(w.message) for w in caught]
    assert "books[0].events[1].doc_type" in message and "'qc_reprot'" in message
    assert "qc_report" in message           # the known types are listed


def test_events_without_subjects_are_warned_about(tmp_path):
    path = tmp_path / "history.jsonl"
    path.write_text('{"id": "v1", "type": "violation", "at": "2026-03-02 10:00", '
                    '"subject": "c1", "code": "false_health_claim", "item": "sku-1"}\n')
    args = ["--lang", "en", "replay", str(path), "--pack", "wechat_channels", "--as-of", "2026-03-03 10:00"]
    with pytest.warns(InputWarning, match="no subject is described"):
        assert CliRunner().invoke(app, args).exit_code == 0
    subjects = tmp_path / "subjects.yaml"
    subjects.write_text("c1: {kind: creator, deposit: 20000}\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        assert CliRunner().invoke(app, [*args, "--subjects", str(subjects)]).exit_code == 0


def test_an_unknown_scan_category_is_warned_about(tmp_path):
    path = tmp_path / "listings.csv"
    path.write_text("id,text,category\nsku-1,全网最低价,health_supplment\n"
                    "sku-2,全网最低价,health_supplement\n", encoding="utf-8")
    with pytest.warns(InputWarning) as caught:
        res = CliRunner().invoke(app, ["--lang", "en", "scan", str(path)])
    assert res.exit_code == 0, res.output
    [message] = [str(w.message) for w in caught]
    assert "'health_supplment'" in message and "health_supplement" in message


def test_the_cli_prints_a_warning_as_one_line(tmp_path):
    import os
    import subprocess
    import sys

    path = tmp_path / "history.jsonl"
    path.write_text('{"id": "v1", "type": "violation", "at": "2026-03-02 10:00", '
                    '"subject": "c1", "code": "false_health_claim", "item": "sku-1"}\n')
    done = subprocess.run([sys.executable, "-m", "zhili", "replay", str(path), "--pack",
                           "wechat_channels", "--as-of", "2026-03-03", "--format", "json"],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "ZHILI_LANG": "zh-CN"})
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("警告：") and "未描述任何主体" in lines[0]
    assert lines[1] == "按 2026-03-03 23:59:59.999999（Asia/Shanghai）计算，即 2026-03-03 当天结束时"
