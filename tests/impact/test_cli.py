"""``zhili impact`` on the command line: table, JSON and HTML; versions and drafted packs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhili.cli import app
from zhili.rules import PACKS_ROOT  # type: ignore[attr-defined]

ROOT = Path(__file__).resolve().parents[2]
HISTORY = str(ROOT / "examples" / "history.yaml")
PARAM = "rules.false_health_claim.deduct.credit"
ARGS = ["impact", HISTORY, "--pack", "wechat_channels", "--as-of", "2026-06-30"]


def run(*args: str):
    return CliRunner().invoke(app, ["--lang", "en", *args])


def test_json_names_the_parameter_and_agrees_with_replay():
    result = run(*ARGS, "--param", f"{PARAM}=8", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout[result.stdout.index("{"):])
    assert [c["name"] for c in doc["changes"]] == [PARAM]
    assert doc["summary"]["changed"] == len(doc["subjects"]) == 1
    (subject,) = doc["subjects"]
    replayed = run("replay", HISTORY, "--pack", "wechat_channels", "--as-of", "2026-06-30",
                   "--param", f"{PARAM}=8", "--format", "json")
    states = json.loads(replayed.stdout[replayed.stdout.index("["):])
    state = next(s for s in states if s["subject"] == subject["subject"])
    assert subject["candidate"]["scores"] == state["scores"]
    assert subject["candidate"]["band"] == state["band"]
    assert all(c["name"] == PARAM for d in subject["decisions"] for c in d["causes"])


def test_identical_candidate_reports_no_difference():
    result = run(*ARGS, "--format", "json")
    doc = json.loads(result.stdout[result.stdout.index("{"):])
    assert doc["changes"] == [] and doc["subjects"] == [] and doc["summary"]["changed"] == 0


def test_table_and_html(tmp_path):
    table = run(*ARGS, "--param", f"{PARAM}=8")
    assert table.exit_code == 0, table.output
    assert "lin_beauty" in table.stdout and PARAM in table.stdout and "4 → 8" in table.stdout
    out = tmp_path / "impact.html"
    html = run(*ARGS, "--param", f"{PARAM}=8", "--format", "html", "-o", str(out))
    assert html.exit_code == 0, html.output
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") == 3 and "lin_beauty" in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page


def test_invalid_drafted_pack_is_a_clear_error(tmp_path):
    draft = tmp_path / "pack.yaml"
    text = (PACKS_ROOT / "wechat_channels" / "pack.yaml").read_text(encoding="utf-8")
    draft.write_text(text.replace("subject_kind: creator", "subject_kind: creator\nbogus: 1"),
                     encoding="utf-8")
    result = run(*ARGS, "--candidate-pack", str(draft))
    assert result.exit_code != 0
    assert isinstance(result.exception, Exception) and "bogus" in str(result.exception)
    assert str(draft) in str(result.exception)


@pytest.fixture()
def versioned(tmp_path):
    folder = tmp_path / "wechat_channels"
    shutil.copytree(PACKS_ROOT / "wechat_channels", folder)
    (folder / "versions").mkdir()
    (folder / "versions" / "2026.1.0.yaml").write_text(
        'version: "2026.1.0"\nbased_on: "2025.12.0"\ntitle: draft\n'
        'sources:\n  D1: {title: 征求意见稿, date: "2026-01"}\n'
        f'params:\n  {PARAM}: {{value: 8, source: D1, quote: "扣除信用分 8 分"}}\n',
        encoding="utf-8")
    return folder


def test_a_pack_version_against_the_shipped_one(versioned):
    args = ["impact", HISTORY, "--pack", str(versioned), "--as-of", "2026-06-30"]
    result = run(*args, "--candidate-version", "2026.1.0", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout[result.stdout.index("{"):])
    assert doc["candidate"]["version"] == "2026.1.0"
    (change,) = doc["changes"]
    assert change["candidate"] == {"value": 8, "provenance": {
        "source": "征求意见稿", "date": "2026-01", "quote": "扣除信用分 8 分"}}
    same = run(*args, "--base-version", "2026.1.0", "--candidate-version", "2026.1.0",
               "--format", "json")
    assert json.loads(same.stdout[same.stdout.index("{"):])["subjects"] == []
    missing = run(*args, "--candidate-version", "1999.1")
    assert missing.exit_code != 0 and "2026.1.0" in str(missing.exception)


def test_orders_read_once_and_match_an_assessment_under_each_threshold(tmp_path, monkeypatch):
    import datetime as dt

    from zhili.detect.orders import assess, assess_orders
    from zhili.detect.orders.generate import generate_orders
    from zhili.impact.orders import compare_orders
    from zhili.rules import load_pack
    from zhili.timekit import zone

    table = tmp_path / "orders.parquet"
    generate_orders(table, stores=12, days=60, seed=3, start=dt.date(2026, 4, 1))
    until = dt.datetime(2026, 6, 1, tzinfo=zone("Asia/Shanghai"))
    name = "detectors.line_nrd_rate.rate"
    base, cand = load_pack("aliexpress"), load_pack("aliexpress", {name: 0.02})
    reads = []
    real = assess.aggregate
    monkeypatch.setattr("zhili.impact.orders.aggregate",
                        lambda *a, **k: reads.append(1) or real(*a, **k))
    result = compare_orders(table, base, cand, until)
    assert len(reads) == 1
    sides = [assess_orders(table, p, until=until).violations for p in (base, cand)]
    added = {x.candidate.cause for d in result.subjects for x in d.decisions
             if x.kind == "violation" and x.change == "added"}
    removed = {x.base.cause for d in result.subjects for x in d.decisions
               if x.kind == "violation" and x.change == "removed"}
    assert added == {v.id for v in sides[1]} - {v.id for v in sides[0]}
    assert removed == {v.id for v in sides[0]} - {v.id for v in sides[1]}
    assert added, "a lower threshold freezes more lines"
    assert all(c.name == name for d in result.subjects for x in d.decisions for c in x.causes)
    same = compare_orders(table, base, load_pack("aliexpress"), until)
    # the stores compared: those either side found a violation for
    assert same.subjects == [] and same.summary.subjects == len({v.subject for v in sides[0]})
    assert result.summary.subjects == len({v.subject for side in sides for v in side})


def test_orders_on_the_command_line():
    result = run("impact", "--orders", str(ROOT / "examples" / "orders.parquet"), "--pack",
                 "aliexpress", "--as-of", "2026-06-30", "--param",
                 "detectors.line_nrd_rate.rate=0.08")
    assert result.exit_code == 0, result.output
    assert "SELF-01" in result.stdout and "0.1 → 0.08" in result.stdout


def test_a_drafted_pack_is_compared_with_its_own_provenance(tmp_path):
    draft = tmp_path / "pack.yaml"
    text = (PACKS_ROOT / "wechat_channels" / "pack.yaml").read_text(encoding="utf-8")
    old = "扣除信用分 4 分。\"\n    deduct: {credit: 4}"
    assert text.count(old) == 1
    draft.write_text(text.replace(old, old.replace(
        "deduct: {credit: 4}", "deduct: {credit: {value: 6, assumption: a draft under review}}")),
        encoding="utf-8")
    result = run(*ARGS, "--candidate-pack", str(draft), "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout[result.stdout.index("{"):])
    (change,) = doc["changes"]
    assert change["name"] == PARAM and change["base"]["value"] == 4
    assert change["candidate"] == {"value": 6,
                                   "provenance": {"assumption": "a draft under review"}}
    assert [d["subject"] for d in doc["subjects"]] == ["lin_beauty"]
