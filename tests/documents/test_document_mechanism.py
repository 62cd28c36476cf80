"""Documents through the engine on WeChat Channels (视频号橱窗达人违规管理规则 2025): expiry notices, expired
licences counted as not displayed, and review results for a pack without determinations."""

from __future__ import annotations

from typing import Any

from zhili.engine import Subject, SubjectState, replay
from zhili.events import parse_events
from zhili.rules import load_pack
from zhili.timekit import parse_instant

PACK = load_pack("wechat_channels")
CREATOR = {"c1": Subject("c1", "creator", categories=("health_food", "cross_border"))}


def state(raw: list[dict[str, Any]], at: str) -> SubjectState:
    events = parse_events([{"subject": "c1", **r} for r in raw], PACK.timezone)
    return replay(events, PACK, dict(CREATOR)).state("c1", parse_instant(at))


LICENCE = [
    {"id": "d1", "at": "2025-06-01 10:00", "type": "document_submitted",
     "doc_type": "food_business_licence", "valid_until": "2026-08-31 00:00", "doc_id": "L1"},
    {"id": "r1", "at": "2025-06-02 10:00", "type": "document_reviewed", "doc_id": "L1",
     "result": "accepted"},
]


def test_an_expired_licence_counts_as_not_displayed_with_a_notice_before() -> None:
    before = state(LICENCE, "2026-05-31 00:00")
    assert [n.kind for n in before.notices] == ["document_expiring"]
    assert before.violations == []
    after = state(LICENCE, "2026-08-31 00:00")
    [violation] = after.violations
    assert violation.id == "qualification_not_displayed:c1:food_business_licence:2026-08-31"
    assert after.scores["credit"] == 8
    assert "restrict_category_listing:health_food" in {s.name for s in after.sanctions}


def test_a_renewal_on_time_prevents_notice_and_violation() -> None:
    renewed = LICENCE + [
        {"id": "d2", "at": "2026-02-01 10:00", "type": "document_submitted",
         "doc_type": "food_business_licence", "valid_until": "2029-08-31", "doc_id": "L2"},
        {"id": "r2", "at": "2026-02-02 10:00", "type": "document_reviewed", "doc_id": "L2",
         "result": "accepted"}]
    after = state(renewed, "2026-12-01 00:00")
    assert after.violations == [] and after.notices == []


def test_a_falsified_import_chain_proof_is_treated_as_counterfeit() -> None:
    raw = [{"id": "b1", "at": "2026-03-01 10:00", "type": "document_submitted",
            "doc_type": "import_chain_proof", "valid_until": "2030-01-01", "doc_id": "B1",
            "batch": "2026-03", "item": "sku-9"},
           {"id": "rv", "at": "2026-03-03 10:00", "type": "document_reviewed", "doc_id": "B1",
            "result": "falsified"}]
    after = state(raw, "2026-03-03 10:01")
    [violation] = after.violations
    assert (violation.id, violation.code) == ("rv", "import_chain_proof_missing")
    assert after.scores["credit"] == 0
    assert {"account_ban", "item_link_ban:sku-9"} <= {s.name for s in after.sanctions}


def test_the_review_violation_is_appealable_by_the_review_event() -> None:
    raw = [{"id": "d1", "at": "2026-03-01 10:00", "type": "document_submitted",
            "doc_type": "brand_authorisation", "valid_until": "2030-01-01", "doc_id": "BA"},
           {"id": "rv", "at": "2026-03-03 10:00", "type": "document_reviewed", "doc_id": "BA",
            "result": "noncompliant"},
           {"id": "a1", "at": "2026-03-04 10:00", "type": "appeal_filed", "violation": "rv"},
           {"id": "x1", "at": "2026-03-06 10:00", "type": "appeal_decided", "appeal": "a1",
            "outcome": "granted"}]
    assert [v.code for v in state(raw, "2026-03-05 00:00").violations] == [
        "qualification_not_displayed"]
    after = state(raw, "2026-03-06 10:01")
    assert after.violations == [] and after.scores["credit"] == 12


def test_documents_of_other_packs_leave_channels_alone() -> None:
    raw = [{"id": "d1", "at": "2026-03-01 10:00", "type": "document_submitted",
            "doc_type": "qc_report", "valid_until": "2026-04-01", "doc_id": "Q"},
           {"id": "rv", "at": "2026-03-03 10:00", "type": "document_reviewed", "doc_id": "Q",
            "result": "falsified"}]
    after = state(raw, "2026-06-01 00:00")
    assert after.violations == [] and after.notices == []
