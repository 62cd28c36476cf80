"""Explanations read as the platform's notice would: names, not codes; a band passed is not a
band entered; the source by its title, date and quote."""

from __future__ import annotations

import re

import pytest

from zhili.engine import Subject, replay
from zhili.events import parse_events
from zhili.i18n import use_language
from zhili.notices import RENDER, notice, rule_name, source
from zhili.rules import available_packs, load_pack, pack_dir
from zhili.scenario import load_cases, scenario_files

from ..test_docs import OUTSIDE

CHANNELS = load_pack("wechat_channels")


def _decisions(events, pack=CHANNELS):
    subjects = {"c1": Subject.from_mapping("c1", {"kind": "creator", "deposit": 20000})}
    ledger = replay(parse_events(events, pack.timezone), pack, subjects)
    return ledger.decisions("c1")


@pytest.fixture
def falls_to_four(monkeypatch):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    # An 8-point deduction takes the credit score from 12 to 4 in one step: through the 8- and
    # 6-point bands (6 < x ≤ 8, 4 < x ≤ 6) into 2 < x ≤ 4.
    return _decisions([{"id": "v1", "at": "2026-03-02 10:00", "type": "violation",
                        "subject": "c1", "code": "health_food_claim_violation",
                        "item": "sku-1"}])


def test_a_band_passed_is_not_a_band_entered(falls_to_four):
    bands = [notice(d, CHANNELS) for d in falls_to_four if d.kind == "band"]
    assert bands == [
        "信用分 12 → 4，越过累计扣分 4 分档（信用分 ≤ 8），该档处罚同样适用：暂停橱窗新增商品、冻结佣金提现",
        "信用分 12 → 4，越过累计扣分 6 分档（信用分 ≤ 6），该档处罚同样适用：下架全部在售商品、禁播",
        "信用分 12 → 4，进入累计扣分 8 分档（信用分 0 < x ≤ 4）：关闭精选联盟权限、延长结算周期",
    ]
    with use_language("en"):
        assert notice(next(d for d in falls_to_four if d.kind == "band"), CHANNELS) == (
            "Credit score 12 → 4: passes the 4-point tier (Credit score ≤ 8), whose sanctions "
            "apply too: New showcase listings suspended, Commission withdrawals frozen")
    # The engine's own sentence agrees: no "credit 4 enters band band_8 (6 < x ≤ 8)".
    texts = [d.text for d in falls_to_four if d.kind == "band"]
    assert texts[0] == "credit 12 → 4 passes band band_8 (credit ≤ 8)"
    assert texts[2] == "credit 12 → 4 enters band band_4 (0 < x ≤ 4)"


def test_each_kind_reads_as_a_notice(falls_to_four):
    by_kind = {}
    for d in falls_to_four:
        by_kind.setdefault(d.kind, notice(d, CHANNELS))
    assert by_kind["violation"] == "违规：非“蓝帽子”产品宣称保健功能"
    assert by_kind["deduction"] == "非“蓝帽子”产品宣称保健功能：信用分 12 → 4（扣 8 分）"
    assert by_kind["fee"] == "违约金 4000 元（累计扣分 8 分档）"
    assert by_kind["sanction"] == "暂停橱窗新增商品，分数处于该档及以下期间有效"
    assert notice(falls_to_four[-1], CHANNELS) == "下架商品（sku-1）（永久）"
    live_ban = next(d for d in falls_to_four if d.detail.get("sanction") == "live_ban")
    assert notice(live_ban, CHANNELS) == "禁播，至 2026-03-05 10:00"


def test_the_source_is_cited_by_title_date_and_quote(falls_to_four):
    deduction = next(d for d in falls_to_four if d.kind == "deduction")
    cited = source(deduction)
    assert cited.startswith("视频号橱窗达人违规管理规则 2025 解析 (2025): 「非 “蓝帽子”")
    assert ".txt" not in cited and not OUTSIDE.search(cited) and "Seed" not in cited
    band = next(d for d in falls_to_four if d.kind == "band")
    assert "||" not in source(band) and "对应信用分区间 6 分<x≤8 分" in source(band)
    assumed = next(d for d in falls_to_four if d.kind == "sanction"
                   and d.detail["sanction"] == "suspend_new_listings")
    assert source(assumed).startswith("假设：")


def test_rule_references_have_names():
    assert str(rule_name(CHANNELS, "bands.band_4")) == "累计扣分 8 分档"
    assert str(rule_name(CHANNELS, "ladders.live_safety.light")) == "轻度限流"
    assert str(rule_name(CHANNELS, "ladders.live_safety.escalation")) == "直播安全分累计处罚升级"
    assert str(rule_name(CHANNELS, "scores.credit.reset")) == "信用分自然年清零"
    assert str(rule_name(CHANNELS, "funds.deposit_shortfall")) == "保证金不足"
    with use_language("en"):
        assert str(rule_name(CHANNELS, "association")) == "Associated accounts"


def _scenario_decisions():
    for code in available_packs():
        for path in scenario_files([str(pack_dir(code) / "tests")]):
            for case in load_cases(path):
                if case.orders is not None:
                    continue
                ledger = replay(list(case.events), case.pack, case.subjects)
                for subject in ledger.subjects:
                    yield case.pack, ledger.decisions(subject)


def test_no_code_word_in_any_notice_of_the_packs_scenarios(monkeypatch):
    """Every decision the packs' scenarios make reads without a code of the pack in it, in
    both languages; a decision kind without a renderer must not slip by either."""
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    seen = 0
    for pack, decisions in _scenario_decisions():
        codes = {code for entries in pack.names.values() for code in entries
                 if "_" in code}
        for d in decisions:
            for lang in ("zh-CN", "en"):
                with use_language(lang):
                    text = notice(d, pack)
                words = set(re.findall(r"[a-z][a-z0-9_]*_[a-z0-9_]+", text))
                # A scope (an item, a logistics line) is the user's own data, not a code.
                scope = str(d.detail.get("sanction", "")).partition(":")[2]
                leaked = (words & codes) - {scope}
                assert not leaked, f"{pack.code} {d.kind} {d.rule}: {text!r}"
                if d.kind in RENDER:
                    seen += 1
    assert seen > 500


def test_assumptions_read_in_the_readers_language(monkeypatch):
    """Where a source is silent the pack states its assumption; decisions resting on one show
    it in Chinese by default (the shipped packs' assumptions are in the catalog) and as written
    in English, and a parameter's provenance in `zhili rules --params` does the same."""
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    decisions = [d for d in _decisions([
        {"id": "v1", "at": "2026-03-02 10:00", "type": "violation", "subject": "c1",
         "code": "health_food_claim_violation", "item": "sku-1"}])
        if (d.provenance or {}).get("assumption")]
    assert decisions, "an 8-point fall enters bands whose sanctions rest on assumptions"
    for d in decisions:
        written = d.provenance["assumption"]
        with use_language("zh-CN"):
            chinese = source(d)
        with use_language("en"):
            english = source(d)
        assert english == f"Assumption: {written}"
        assert chinese.startswith("假设：") and written not in chinese
        assert re.search(r"[\u4e00-\u9fff]{4}", chinese.removeprefix("假设："))
    fee_mode = CHANNELS.params["bands.fee_mode"].provenance
    with use_language("zh-CN"):
        assert fee_mode.describe().startswith("假设：违约金一栏")
