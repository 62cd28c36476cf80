"""The warehouse-inspection flow of 微信小店严打无货源店铺 2026-03-24 as a state machine."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhili.events import parse_event
from zhili.timekit import parse_instant
from zhili.workflows.inspection import (
    InspectionTransitionError,
    OrderInspection,
    OrderState,
    StoreInspections,
    run_inspections,
)

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")

T0 = parse_instant("2026-04-01 09:00")


def at(hours: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def enabled_store() -> StoreInspections:
    return StoreInspections("s1", max_attempts=3).enable(T0)


def test_both_checks_pass_then_the_platform_ships() -> None:
    store = enabled_store().inspect("o1", at(1), "pass", "pass")
    record = store.orders["o1"]
    assert record.state is OrderState.PASSED
    assert len(record.attempts) == 1 and record.attempts[0].passed
    assert record.ship(at(2)).state is OrderState.SHIPPED


def test_one_failed_check_fails_the_attempt_and_allows_another() -> None:
    store = enabled_store().inspect("o1", at(1), "pass", "fail")
    assert store.orders["o1"].state is OrderState.FAILED
    store = store.inspect("o1", at(2), "pass", "pass")
    assert store.orders["o1"].state is OrderState.PASSED
    assert [a.number for a in store.orders["o1"].attempts] == [1, 2]


def test_three_failures_require_cancellation_and_a_fourth_attempt_is_refused() -> None:
    store = enabled_store()
    for hour in (1, 2, 3):
        store = store.inspect("o1", at(hour), "fail", "pass")
    record = store.orders["o1"]
    assert record.state is OrderState.CANCELLATION_REQUIRED
    with pytest.raises(InspectionTransitionError, match="attempt 4 would exceed the limit of 3"):
        store.inspect("o1", at(4), "pass", "pass")
    assert record.cancel(at(5)).state is OrderState.CANCELLED


def test_a_result_for_a_store_that_never_enabled_inspection_is_impossible() -> None:
    with pytest.raises(InspectionTransitionError, match="store s1 has no warehouse inspection"):
        StoreInspections("s1", max_attempts=3).inspect("o1", at(1), "pass", "pass")


def test_a_result_before_the_store_enabled_inspection_is_impossible() -> None:
    store = StoreInspections("s1", max_attempts=3).enable(at(5))
    with pytest.raises(InspectionTransitionError, match="enabled only at 2026-04-01 14:00"):
        store.inspect("o1", at(1), "pass", "pass")


@pytest.mark.parametrize("action", ["ship", "cancel"])
def test_shipping_or_cancelling_a_new_order_is_refused_with_the_allowed_states(action: str) -> None:
    record = OrderInspection("s1", "o1", max_attempts=3)
    with pytest.raises(InspectionTransitionError, match=f"cannot {action}: it is new"):
        getattr(record, action)(at(1))


def test_a_result_after_the_order_passed_is_refused() -> None:
    store = enabled_store().inspect("o1", at(1), "pass", "pass")
    with pytest.raises(InspectionTransitionError, match="it is passed"):
        store.inspect("o1", at(2), "pass", "pass")


def test_a_step_back_in_time_is_refused() -> None:
    record = OrderInspection("s1", "o1", max_attempts=3).inspect(at(5), "fail", "fail")
    with pytest.raises(InspectionTransitionError, match="before its last step"):
        record.inspect(at(1), "pass", "pass")


def test_a_check_value_other_than_pass_or_fail_is_refused() -> None:
    record = OrderInspection("s1", "o1", max_attempts=3).submit(at(1))
    with pytest.raises(InspectionTransitionError, match="expected pass or fail"):
        record.record_checks(at(2), "ok", "pass")


def test_events_fold_into_notices_for_the_third_failure_only() -> None:
    raw = [
        {"id": "e0", "at": "2026-04-01 08:00", "type": "inspection_enabled", "subject": "s1"},
        *[
            {"id": f"r{i}", "at": f"2026-04-0{i + 1} 10:00", "type": "inspection_result",
             "subject": "s1", "order": "o1", "appearance": "fail", "material": "pass"}
            for i in range(1, 4)
        ],
        {"id": "r9", "at": "2026-04-02 11:00", "type": "inspection_result", "subject": "s1",
         "order": "o2", "appearance": "pass", "material": "pass"},
    ]
    stores, notices = run_inspections([parse_event(r) for r in reversed(raw)], max_attempts=3)
    assert stores["s1"].orders["o2"].state is OrderState.PASSED
    assert [(n.order, n.attempts, n.kind) for n in notices] == [
        ("o1", 3, "order_cancellation_required")
    ]
    assert notices[0].at == parse_instant("2026-04-04 10:00")


def test_fold_names_the_event_of_an_impossible_result() -> None:
    event = parse_event({"id": "r1", "at": "2026-04-01 10:00", "type": "inspection_result",
                         "subject": "s9", "order": "o1", "appearance": "pass",
                         "material": "pass"})
    with pytest.raises(InspectionTransitionError) as err:
        run_inspections([event], max_attempts=3)
    assert str(err.value).startswith("events.r1: store s9 has no warehouse inspection")


checks = st.sampled_from(["pass", "fail"])
steps = st.lists(
    st.one_of(st.tuples(st.just("inspect"), checks, checks),
              st.tuples(st.sampled_from(["ship", "cancel", "submit"]))),
    max_size=12,
)


@given(steps)
def test_no_sequence_of_transitions_exceeds_three_attempts(sequence: list[tuple[str, ...]]) -> None:
    record = OrderInspection("s1", "o1", max_attempts=3)
    for hour, step in enumerate(sequence):
        try:
            if step[0] == "inspect":
                record = record.inspect(at(hour), step[1], step[2])
            else:
                record = getattr(record, step[0])(at(hour))
        except InspectionTransitionError:
            continue  # refused: the record is unchanged
        assert len(record.attempts) <= 3
        if record.state is OrderState.CANCELLATION_REQUIRED:
            assert len(record.attempts) == 3 and not any(a.passed for a in record.attempts)
        if record.state in (OrderState.PASSED, OrderState.SHIPPED):
            assert record.attempts[-1].passed
