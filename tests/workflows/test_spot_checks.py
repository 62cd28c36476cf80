"""The 神买 spot-check programme of 微信小店严打无货源店铺 2026-03-24."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhili.errors import InputError
from zhili.events import Event, parse_event
from zhili.workflows.spot_checks import (
    Listing,
    SamplingWeights,
    Supplier,
    SupplierCriteria,
    choose_suppliers,
    full_years,
    qualify,
    sampling_plan,
    violations_from_results,
)

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")

# The programme's criteria as the wechat_store pack states them (微信小店严打无货源店铺 2026-03-24).
CRITERIA = SupplierCriteria.from_mapping({
    "accreditations": ["CNAS", "CMA"], "min_years_registered": 3,
    "min_registered_capital": 3_000_000, "min_own_labs": 10, "suppliers_selected": 2,
})
AS_OF = dt.date(2026, 4, 1)
WEIGHTS = SamplingWeights(category={"thangka": 3.0, "health_food": 2.0},
                          risk={"low": 1.0, "medium": 2.0, "high": 4.0})


def supplier(sid: str, **overrides: object) -> Supplier:
    raw: dict[str, object] = {"id": sid, "accreditations": ["CNAS", "cma"],
                              "registered_on": "2020-05-01", "registered_capital": 5_000_000,
                              "own_labs": 12}
    raw.update(overrides)
    return Supplier.from_mapping(raw)


def test_a_supplier_meeting_every_criterion_qualifies() -> None:
    [result] = qualify([supplier("a")], CRITERIA, AS_OF)
    assert result.qualified and result.reasons == ()


def test_every_failed_criterion_is_a_reason() -> None:
    weak = supplier("b", accreditations=["CMA"], registered_on="2024-01-01",
                    registered_capital=2_999_999, own_labs=9)
    [result] = qualify([weak], CRITERIA, AS_OF)
    assert not result.qualified
    assert result.reasons == (
        "no CNAS accreditation",
        "registered 2 full years by 2026-04-01, needs 3",
        "registered capital 2999999 CNY, needs at least 3000000",
        "9 own laboratories, needs at least 10",
    )


def test_boundaries_are_inclusive_and_unstated_facts_are_not_presumed() -> None:
    edge = supplier("c", registered_on="2023-04-01", registered_capital=3_000_000, own_labs=10)
    assert qualify([edge], CRITERIA, AS_OF)[0].qualified
    silent = Supplier.from_mapping({"id": "d", "accreditations": ["CNAS", "CMA"]})
    assert qualify([silent], CRITERIA, AS_OF)[0].reasons == (
        "registration date not stated", "registered capital not stated",
        "number of own laboratories not stated")


def test_full_years_handles_a_leap_day_start() -> None:
    assert full_years(dt.date(2020, 2, 29), dt.date(2023, 2, 28)) == 2
    assert full_years(dt.date(2020, 2, 29), dt.date(2023, 3, 1)) == 3


def test_two_suppliers_are_chosen_most_capacity_first() -> None:
    pool = [supplier("a", own_labs=11), supplier("b", own_labs=30), supplier("c", own_labs=11,
            registered_capital=9_000_000), supplier("x", accreditations=["CNAS"], own_labs=99)]
    chosen = choose_suppliers(qualify(pool, CRITERIA, AS_OF), CRITERIA)
    assert [s.id for s in chosen] == ["b", "c"]


def test_too_few_qualified_suppliers_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="1 supplier\\(s\\) qualify; the programme selects 2"):
        choose_suppliers(qualify([supplier("a")], CRITERIA, AS_OF), CRITERIA)


@pytest.mark.parametrize("raw, message", [
    ({"id": "a", "own_labs": "ten"}, "own_labs must be a whole number"),
    ({"id": "a", "registered_on": "last year"}, "supplier a: Invalid isoformat"),
    ({"id": "a", "accreditations": "CNAS"}, "must be a list"),
    ({"id": "a", "labs": 3}, "unknown field"),
    ({"name": "nameless"}, "needs `id`"),
])
def test_bad_supplier_records_are_refused(raw: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        Supplier.from_mapping(raw)


def catalogue(n: int) -> list[Listing]:
    categories = ["thangka", "health_food", "toys"]
    risks = ["low", "medium", "high"]
    return [Listing(f"s{i % 7}", f"sku-{i}", categories[i % 3], risks[(i // 3) % 3])
            for i in range(n)]


def test_the_plan_alternates_suppliers_and_numbers_its_purchases() -> None:
    plan = sampling_plan(catalogue(30), WEIGHTS, ["a", "b"], purchases=5, seed=7, plan_id="p1")
    assert [p.id for p in plan] == [f"p1-00{i}" for i in range(1, 6)]
    assert [p.supplier for p in plan] == ["a", "b", "a", "b", "a"]
    event = plan[0].result_event("2026-04-10 10:00", "fail")
    assert parse_event(event).subject == plan[0].listing.subject


def test_zero_weight_listings_are_never_drawn() -> None:
    weights = SamplingWeights(category={"toys": 0.0}, risk={"low": 1, "medium": 1, "high": 1})
    plan = sampling_plan(catalogue(30), weights, ["a"], purchases=30, seed=1)
    assert len(plan) == 20 and all(p.listing.category != "toys" for p in plan)


def test_weights_pull_high_risk_listings_into_plans() -> None:
    """Over many seeds, a listing four times as heavy is drawn clearly more often."""
    listings = [Listing("s1", "heavy", "toys", "high")] + [
        Listing("s1", f"light-{i}", "toys", "low") for i in range(9)]
    heavy = sum(any(p.listing.item == "heavy" for p in sampling_plan(
        listings, WEIGHTS, ["a"], purchases=1, seed=seed)) for seed in range(2000))
    # Exact probability 4/13 ≈ 0.31; uniform sampling would give 0.10.
    assert 0.27 < heavy / 2000 < 0.35


def test_an_unknown_risk_level_is_named() -> None:
    with pytest.raises(InputError, match="unknown risk level 'extreme'"):
        sampling_plan([Listing("s1", "i", "toys", "extreme")], WEIGHTS, ["a"], 1, seed=0)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32), st.integers(0, 40), st.integers(0, 12), st.randoms())
def test_the_plan_is_reproducible_for_a_seed_whatever_the_input_order(
        seed: int, size: int, purchases: int, shuffler: random.Random) -> None:
    listings = catalogue(size)
    shuffled = listings[:]
    shuffler.shuffle(shuffled)
    first = sampling_plan(listings, WEIGHTS, ["a", "b"], purchases, seed)
    second = sampling_plan(shuffled, WEIGHTS, ["a", "b"], purchases, seed)
    assert first == second
    assert len(first) == min(purchases, size)
    assert len({(p.listing.subject, p.listing.item) for p in first}) == len(first)


def result(rid: str, at: str, item: str, outcome: str, supplier: str = "a") -> Event:
    return parse_event({"id": rid, "at": at, "type": "spot_check_result", "subject": "s1",
                        "item": item, "result": outcome, "supplier": supplier})


def test_failed_results_become_violations_with_deterministic_ids() -> None:
    events = [result("r1", "2026-04-10 23:30", "sku-1", "fail"),
              result("r2", "2026-04-10 10:00", "sku-2", "pass"),
              result("r3", "2026-04-10 23:50", "sku-1", "fail", supplier="b")]
    [violation] = violations_from_results(events, suppliers={"a", "b"})
    assert violation.id == "spot_check_failed:s1:sku-1:2026-04-10"
    assert violation.code == "spot_check_failed" and violation.item == "sku-1"
    assert violation.evidence == {"scope": "sku-1", "result": "r1", "supplier": "a"}


def test_the_violation_date_is_the_local_date() -> None:
    event = parse_event({"id": "r1", "at": "2026-04-10T17:30:00+00:00", "type":
                         "spot_check_result", "subject": "s1", "item": "i", "result": "fail"})
    assert violations_from_results([event])[0].id == "spot_check_failed:s1:i:2026-04-11"


def test_a_result_from_a_supplier_outside_the_programme_is_refused() -> None:
    with pytest.raises(InputError, match="supplier 'z' is not in the programme"):
        violations_from_results([result("r1", "2026-04-10 10:00", "i", "fail", "z")],
                                suppliers={"a", "b"})


def test_criteria_need_every_value() -> None:
    with pytest.raises(InputError, match="need min_own_labs"):
        SupplierCriteria.from_mapping({"accreditations": [], "min_years_registered": 3,
                                       "min_registered_capital": Decimal(1),
                                       "suppliers_selected": 2})
