"""Document status as of an instant, from document events (视频号橱窗达人违规管理规则 2025; 拼多多海淘商品溯源 2026-05-31; 天猫国际/抖音全球购违规扣分点 2026-02-10)."""

from __future__ import annotations

from typing import Any

import pytest

from zhili.documents import documents_as_of, load_registry, months_before
from zhili.errors import InputError
from zhili.events import Event, parse_event
from zhili.timekit import parse_instant

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")


def ev(kind: str, at: str, subject: str = "s1", **fields: Any) -> Event:
    return parse_event({"type": kind, "at": at, "subject": subject, **fields})


def submitted(doc_type: str, at: str, until: str, doc_id: str, **extra: Any) -> Event:
    return ev("document_submitted", at, doc_type=doc_type, valid_until=until, doc_id=doc_id,
              **extra)


def reviewed(doc_id: str, at: str, result: str) -> Event:
    return ev("document_reviewed", at, doc_id=doc_id, result=result)


def states(events: list[Event], pack: str, as_of: str, cats: tuple[str, ...] = (),
           **kw: Any) -> dict[str, Any]:
    out = documents_as_of(events, pack, {"s1": cats}, parse_instant(as_of), **kw)["s1"]
    return {(s.doc_type if s.batch is None else f"{s.doc_type}/{s.batch}"): s for s in out}


def test_the_registry_knows_every_pack_and_category_of_the_issue() -> None:
    reg = load_registry()
    assert [r.doc_type for r in reg.required_of("wechat_channels", ["health_food"])] == [
        "food_business_licence", "brand_authorisation"]
    assert [r.doc_type for r in reg.required_of("pinduoduo_global", [])] == [
        "circulation_proof", "production_proof"]
    assert reg.spec("pinduoduo_global", "production_proof").parts == (  # type: ignore[union-attr]
        "certificate_of_origin", "factory_registration", "processing_agreement",
        "customs_declaration_90d")
    assert [r.doc_type for r in reg.required_of("tmall_global", [])] == [
        "overseas_company_registration", "brand_authorisation_chain", "qc_report"]
    assert reg.required_of("douyin_global", ["toys"]) == []
    assert [r.doc_type for r in reg.required_of("douyin_global", ["cosmetics"])] == [
        "import_non_special_cosmetics_filing"]
    assert reg.required_of("wechat_store", []) == []
    assert [r.doc_type for r in reg.appeal_materials("wechat_store")] == [
        "production_licence", "purchase_voucher", "drop_ship_contract"]
    assert reg.notice_months == 3 and "提前 3 个月" in (reg.notice_provenance.quote or "")


def test_every_requirement_has_provenance() -> None:
    reg = load_registry()
    for reqs in reg.requirements.values():
        for r in reqs:
            assert (r.provenance.source and r.provenance.quote) or r.provenance.assumptions


def test_a_licence_goes_from_missing_to_pending_to_valid_to_expiring_to_expired() -> None:
    events = [submitted("qc_report", "2026-01-10 10:00", "2026-12-31 00:00", "qc1"),
              reviewed("qc1", "2026-01-12 10:00", "accepted")]
    assert states(events, "tmall_global", "2026-01-01 00:00")["qc_report"].state == "missing"
    assert states(events, "tmall_global", "2026-01-11 00:00")["qc_report"].state == \
        "pending_review"
    valid = states(events, "tmall_global", "2026-09-29 23:59")["qc_report"]
    assert (valid.state, valid.doc_id) == ("valid", "qc1")
    assert valid.notice_at == parse_instant("2026-09-30 00:00")
    assert states(events, "tmall_global", "2026-09-30 00:00")["qc_report"].state == "expiring"
    expired = states(events, "tmall_global", "2026-12-31 00:00")["qc_report"]
    assert (expired.state, expired.code) == ("expired", "qualification_missing_or_forged")


def test_missing_documents_name_the_rule_they_trigger() -> None:
    found = states([], "wechat_channels", "2026-03-01 10:00", ("health_food",))
    assert {k: (s.state, s.code) for k, s in found.items()} == {
        "food_business_licence": ("missing", "qualification_not_displayed"),
        "brand_authorisation": ("missing", "qualification_not_displayed")}


def test_a_renewal_replaces_the_expiring_document() -> None:
    events = [submitted("food_business_licence", "2025-01-01 10:00", "2026-06-01 00:00", "a"),
              reviewed("a", "2025-01-02 10:00", "accepted"),
              submitted("food_business_licence", "2026-04-01 10:00", "2029-06-01 00:00", "b"),
              reviewed("b", "2026-04-02 10:00", "accepted")]
    found = states(events, "wechat_channels", "2026-05-01 00:00", ("health_food",))
    licence = found["food_business_licence"]
    assert (licence.state, licence.doc_id) == ("valid", "b")


@pytest.mark.parametrize("result, code", [("noncompliant", "document_noncompliant"),
                                          ("falsified", "document_falsified")])
def test_a_failed_review_is_the_state_with_its_rule(result: str, code: str) -> None:
    events = [submitted("circulation_proof", "2026-06-01 10:00", "2027-06-01", "c1"),
              reviewed("c1", "2026-06-03 10:00", result)]
    proof = states(events, "pinduoduo_global", "2026-06-04 00:00")["circulation_proof"]
    assert (proof.state, proof.code) == (result, code)


def test_a_document_submitted_in_time_is_not_overdue_while_its_review_is_pending() -> None:
    # 逾期提交: overdue is not submitted by the deadline; the review may come after it.
    events = [ev("document_deadline", "2026-06-01 10:00", doc_type="circulation_proof",
                 due="2026-06-15 23:59"),
              submitted("circulation_proof", "2026-06-10 10:00", "2027-06-01", "c1")]
    before = states(events, "pinduoduo_global", "2026-06-12 00:00")["circulation_proof"]
    assert (before.state, before.due) == ("pending_review",
                                          parse_instant("2026-06-15 23:59"))
    after = states(events, "pinduoduo_global", "2026-06-16 00:00")["circulation_proof"]
    assert (after.state, after.code) == ("pending_review", None)
    events.append(reviewed("c1", "2026-06-20 10:00", "noncompliant"))
    rejected = states(events, "pinduoduo_global", "2026-06-21 00:00")["circulation_proof"]
    assert (rejected.state, rejected.code) == ("noncompliant", "document_noncompliant")


def test_a_deadline_passed_without_a_submission_is_overdue_until_one_is_accepted() -> None:
    events = [ev("document_deadline", "2026-06-01 10:00", doc_type="circulation_proof",
                 due="2026-06-15 23:59"),
              submitted("online_on_sale", "2026-06-16 10:00", "2027-06-01", "c1")]
    after = states(events, "pinduoduo_global", "2026-06-17 00:00")["circulation_proof"]
    assert (after.state, after.code) == ("overdue", "document_overdue")
    events.append(reviewed("c1", "2026-06-20 10:00", "accepted"))
    assert states(events, "pinduoduo_global", "2026-06-21 00:00")["circulation_proof"].state \
        == "valid"


def test_production_proof_is_on_file_when_all_four_core_materials_are() -> None:
    parts = ["certificate_of_origin", "factory_registration", "processing_agreement"]
    events = []
    for i, part in enumerate(parts):
        events += [submitted(part, "2026-06-01 10:00", "2028-01-01", f"p{i}"),
                   reviewed(f"p{i}", "2026-06-02 10:00", "accepted")]
    proof = states(events, "pinduoduo_global", "2026-06-03 00:00")["production_proof"]
    assert (proof.state, proof.missing_parts) == ("incomplete", ("customs_declaration_90d",))
    assert proof.code == "document_noncompliant"
    events += [submitted("customs_declaration_90d", "2026-06-05 10:00", "2028-01-01", "p9"),
               reviewed("p9", "2026-06-06 10:00", "accepted")]
    proof = states(events, "pinduoduo_global", "2026-06-07 00:00")["production_proof"]
    # On file; and since a customs declaration counts 90 days at most, always inside the
    # 3-month notice period.
    assert proof.state == "expiring" and proof.missing_parts == ()
    # The customs declaration counts 90 days at most, so the proof is valid only until then.
    assert proof.valid_until == parse_instant("2026-09-03 10:00")
    assert states(events, "pinduoduo_global", "2026-09-03 10:00")["production_proof"].state \
        == "incomplete"


def test_a_whole_production_proof_counts_for_its_materials() -> None:
    events = [submitted("production_proof", "2026-06-01 10:00", "2027-01-01", "pp"),
              reviewed("pp", "2026-06-02 10:00", "accepted")]
    assert states(events, "pinduoduo_global", "2026-06-03 00:00")["production_proof"].state \
        == "valid"


def test_import_chain_proofs_are_per_batch() -> None:
    events = [submitted("import_chain_proof", "2026-03-01 10:00", "2030-01-01", "b1",
                        batch="B-1"),
              reviewed("b1", "2026-03-01 12:00", "accepted")]
    found = states(events, "wechat_channels", "2026-03-02 00:00", ("cross_border",),
                   batches={"s1": ["B-1", "B-2"]})
    assert found["import_chain_proof/B-1"].state == "valid"
    assert (found["import_chain_proof/B-2"].state, found["import_chain_proof/B-2"].code) == (
        "missing", "import_chain_proof_missing")
    assert found["customs_declaration"].state == "missing"


def test_a_review_of_an_unknown_document_is_an_error_naming_the_event() -> None:
    events = [ev("document_reviewed", "2026-01-01 10:00", id="r1", doc_id="nope",
                 result="accepted")]
    with pytest.raises(InputError, match=r"events.r1.doc_id: no document 'nope'"):
        states(events, "tmall_global", "2026-02-01 00:00")


def test_a_second_review_of_one_document_is_an_error() -> None:
    events = [submitted("qc_report", "2026-01-10 10:00", "2026-12-31", "qc1"),
              reviewed("qc1", "2026-01-12 10:00", "accepted"),
              reviewed("qc1", "2026-01-13 10:00", "falsified")]
    with pytest.raises(InputError, match="already reviewed"):
        states(events, "tmall_global", "2026-02-01 00:00")


def test_reviews_after_the_instant_are_not_seen() -> None:
    events = [submitted("qc_report", "2026-01-10 10:00", "2026-12-31", "qc1"),
              reviewed("qc1", "2026-02-12 10:00", "falsified")]
    assert states(events, "tmall_global", "2026-02-01 00:00")["qc_report"].state == \
        "pending_review"


@pytest.mark.parametrize("t, expected", [
    ("2026-05-31 10:00", "2026-02-28 10:00"),
    ("2028-05-31 10:00", "2028-02-29 10:00"),
    ("2026-03-15 00:00", "2025-12-15 00:00"),
])
def test_three_months_before_clamps_to_the_month_end(t: str, expected: str) -> None:
    assert months_before(parse_instant(t), 3) == parse_instant(expected)
