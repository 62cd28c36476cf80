"""The agency's view across packs, and the `zhili documents` / `zhili portfolio` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhili.cli import app
from zhili.errors import InputError
from zhili.i18n import use_language
from zhili.portfolio import RiskRow, load_books, nearest_threshold, portfolio
from zhili.timekit import parse_instant

AGENCY = Path(__file__).parents[2] / "examples" / "agency.yaml"
AS_OF = parse_instant("2026-04-01 00:00")
runner = CliRunner()


def rows(lang: str = "en") -> dict[str, RiskRow]:
    """The rows, their words in ``lang`` (the pack's names, not codes)."""
    with use_language(lang):
        return {r.subject: r for r in portfolio(load_books(AGENCY), AS_OF)}


def test_one_row_per_subject_of_every_pack_most_urgent_first() -> None:
    found = portfolio(load_books(AGENCY), AS_OF)
    assert sorted(r.subject for r in found) == [
        "ch-creator", "pdd-1", "tg-beauty", "tg-calm", "ws-1", "ws-quiet"]
    assert [r.level for r in found] == sorted((r.level for r in found), reverse=True)
    assert found[-1].subject == "ws-quiet" and found[-1].level == 0


def test_a_creator_one_violation_from_the_next_band_is_ranked_by_that_gap() -> None:
    creator = rows()["ch-creator"]
    assert creator.standing == "Credit score 8, Live-safety score 100 (4-point tier)"
    threshold = creator.threshold
    assert (threshold.score, threshold.gap, threshold.limit) == ("credit", 2.0, 6.0)
    assert ("one violation from All items on sale delisted, Live streaming banned"
            in creator.reasons)
    chinese = rows("zh-CN")["ch-creator"]
    assert chinese.standing == "信用分 8, 直播安全分 100 (累计扣分 4 分档)"
    assert "再有一次违规即下架全部在售商品、禁播" in chinese.reasons
    assert chinese.threshold.describe() == "信用分 8：距「下架全部在售商品、禁播」还差 2"
    # It has active sanctions too, so it is high and, at the smallest gap, first among them.
    found = portfolio(load_books(AGENCY), AS_OF)
    assert found[0].subject == "ch-creator"


def test_overdue_documents_and_their_sanctions_make_a_row_high() -> None:
    pdd = rows()["pdd-1"]
    assert pdd.level == 3
    assert pdd.sanctions == ("no_new_listings", "restrict_operations")
    assert ("Proof of overseas circulation overdue due 2026-03-15 23:59 → Proof submitted late"
            in pdd.documents)
    assert "境外流通证明 逾期未交 截止 2026-03-15 23:59 → 逾期提交" in rows("zh-CN")["pdd-1"].documents


def test_an_expiring_document_is_named_with_its_date() -> None:
    calm = rows()["tg-calm"]
    assert "Product quality-inspection report expiring until 2026-05-31 00:00" in calm.documents
    assert calm.next_date == parse_instant("2026-05-31 00:00")


def test_packs_without_a_ladder_have_no_threshold() -> None:
    assert rows()["tg-beauty"].threshold is None


def test_the_live_safety_ladder_counts_as_a_threshold() -> None:
    books = load_books(AGENCY)
    ledger_rows = portfolio(books, AS_OF)
    state_row = next(r for r in ledger_rows if r.subject == "ch-creator")
    assert state_row.threshold is not None
    from zhili.engine import replay

    book = books[1]
    state = replay(book.events, book.pack, dict(book.subjects)).state("ch-creator", AS_OF)
    state.scores["credit"] = 12.0
    th = nearest_threshold(state, book.pack)
    assert th is not None and (th.score, th.gap) == ("credit", 4.0)
    state.scores["live_safety"] = 91.0
    th = nearest_threshold(state, book.pack)
    assert th is not None and (th.score, th.limit, th.gap) == ("live_safety", 90.0, 1.0)


def test_the_portfolio_command_prints_json_rows_in_urgency_order() -> None:
    result = runner.invoke(app, ["portfolio", str(AGENCY), "--as-of", "2026-04-01 00:00",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [d["subject"] for d in data][0] == "ch-creator"
    assert {d["urgency"] for d in data} <= {"ok", "watch", "elevated", "high", "critical"}


def test_the_portfolio_table_names_every_subject() -> None:
    result = runner.invoke(app, ["portfolio", str(AGENCY), "--as-of", "2026-04-01 00:00"])
    assert result.exit_code == 0, result.output
    for subject in ("ch-creator", "pdd-1", "tg-calm", "ws-quiet"):
        assert subject in result.output
    # In Chinese by default, by the platforms' and packs' names rather than their codes.
    for words in ("紧急程度", "视频号", "拼多多跨境", "禁止上新", "无分数"):
        assert words in result.output
    for code in ("wechat_channels", "band_8", "no_new_listings", "circulation_proof"):
        assert code not in result.output
    english = runner.invoke(app, ["--lang", "en", "portfolio", str(AGENCY), "--as-of",
                                  "2026-04-01 00:00"]).output
    assert "urgency" in english and "WeChat Channels" in english and "紧急程度" not in english


def test_the_documents_command_says_what_is_missing_and_what_it_costs() -> None:
    result = runner.invoke(app, ["documents", str(AGENCY), "--as-of", "2026-04-01 00:00",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    by_subject = {d["subject"]: d for d in json.loads(result.output)}
    beauty = {d["doc_type"]: d for d in by_subject["tg-beauty"]["documents"]}
    assert beauty["qc_report"]["state"] == "missing"
    assert beauty["qc_report"]["cost"].startswith(
        "缺失或伪造资质 (qualification_missing_or_forged): 扣分 +12")
    calm = {d["doc_type"]: d for d in by_subject["tg-calm"]["documents"]}
    assert calm["qc_report"]["cost"].startswith("到期后：缺失或伪造资质 (qualification_missing_or_forged)")
    assert by_subject["ws-1"]["documents"] == []


def test_the_documents_table_keeps_rule_text_literal() -> None:
    result = runner.invoke(app, ["documents", str(AGENCY), "--as-of", "2026-04-01 00:00"])
    assert result.exit_code == 0, result.output
    assert "标记为“情节严重 (severe)”时加重" in result.output
    assert "微信小店 申诉时需备好：生产许可证" in result.output
    english = runner.invoke(app, ["--lang", "en", "documents", str(AGENCY), "--as-of",
                                  "2026-04-01 00:00"])
    assert "more with flag serious circumstances (severe)" in english.output
    assert "Keep ready for appeals on WeChat Store: Production licence" in english.output


@pytest.mark.parametrize("text, message", [
    ("- {pack: tmall_global, colour: red}\n", "unknown key"),
    ("- {subjects: {}}\n", "pack: missing required key"),
    ("[]\n", "expected a book"),
    ("- {pack: tmall_global, batches: {s1: B-1}}\n", "list of batch ids"),
])
def test_bad_files_are_named_errors(tmp_path: Path, text: str, message: str,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHILI_LANG", "en")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_books(bad)
