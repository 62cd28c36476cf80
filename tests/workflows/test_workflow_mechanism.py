"""Inspections and spot checks through the engine with the wechat_store pack."""

from __future__ import annotations

from typing import Any

import pytest

from zhili.engine import replay
from zhili.events import parse_events
from zhili.rules import load_pack, pack_dir
from zhili.timekit import parse_instant
from zhili.workflows.inspection import InspectionTransitionError
from zhili.workflows.mechanism import max_attempts
from zhili.workflows.spot_checks import SupplierCriteria, violations_from_results

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")

PACK = load_pack("wechat_store")


def result(at: str, order: str = "o1", ok: bool = False) -> dict[str, Any]:
    outcome = "pass" if ok else "fail"
    return {"at": at, "type": "inspection_result", "subject": "s1", "order": order,
            "appearance": outcome, "material": "pass"}


def test_the_attempt_limit_is_the_packs_cancellation_tier() -> None:
    assert max_attempts(PACK) == 3
    assert max_attempts(load_pack("wechat_store", {
        "rules.inspection_failed.repeats.tiers[0].nth": 2})) == 2


def test_a_result_for_a_store_that_never_enabled_inspection_stops_the_replay() -> None:
    events = parse_events([{**result("2026-04-02 10:00"), "id": "r1"}])
    with pytest.raises(InspectionTransitionError, match="events.r1: store s1 has no warehouse"):
        replay(events, PACK, {})


def test_a_fourth_attempt_stops_the_replay_naming_the_event() -> None:
    raw = [{"at": "2026-04-01 09:00", "type": "inspection_enabled", "subject": "s1"}]
    raw += [{**result(f"2026-04-0{d} 10:00"), "id": f"r{d}"} for d in (2, 3, 4, 5)]
    with pytest.raises(InspectionTransitionError, match="events.r5: .*attempt 4 would exceed"):
        replay(parse_events(raw), PACK, {})


def test_failed_attempts_carry_their_evidence() -> None:
    raw = [{"at": "2026-04-01 09:00", "type": "inspection_enabled", "subject": "s1"},
           result("2026-04-02 10:00")]
    state = replay(parse_events(raw), PACK, {}).state("s1", parse_instant("2026-04-03 00:00"))
    [violation] = state.violations
    assert violation.id == "inspection_failed:s1:o1#1:2026-04-02"
    assert violation.item == "o1" and violation.evidence["attempt"] == 1
    assert violation.evidence["max_attempts"] == 3


def test_the_supplier_criteria_come_from_the_pack_with_provenance() -> None:
    criteria = SupplierCriteria.from_pack(pack_dir("wechat_store"))
    assert criteria == SupplierCriteria(("CNAS", "CMA"), 3, criteria.min_registered_capital,
                                        10, 2)
    assert criteria.min_registered_capital == 3_000_000


def test_the_detector_and_the_pack_give_spot_check_violations_the_same_id() -> None:
    events = parse_events([{"id": "r1", "at": "2026-04-10 15:00", "type": "spot_check_result",
                            "subject": "s1", "item": "sku-7", "result": "fail"}])
    [ours] = violations_from_results(events)
    state = replay(events, PACK, {}).state("s1", parse_instant("2026-04-11 00:00"))
    assert [v.id for v in state.violations] == [ours.id]
