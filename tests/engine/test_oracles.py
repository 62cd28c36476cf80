"""The fold against oracles that share nothing with it: the Channels credit table, fee column
and deposit arithmetic written out here from the source's own sentences, not read from the pack
or computed by the engine. 「初始分值 12 分」; 「| 4 分 | 2000 | 6 分<x≤8 分 |… 6 分 | 3000 |… 8 分 |
4000 |… 12 分 | 10000 | x=0 分 |」 (fees cumulative in the year, our reading); 「若保证金不足,
冻结佣金账户直至补足」."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhili.engine import Subject, replay
from zhili.events import parse_event
from zhili.rules import load_pack
from zhili.timekit import parse_instant

PACK = load_pack("wechat_channels")
# The points each rule's line in the source deducts (扣除信用分 N 分), written out here.
POINTS = {"false_health_claim": 4, "exaggerated_efficacy": 2, "similar_trademark": 6,
          "unauthorized_likeness": 8, "counterfeit": 12, "spot_check_failed": 4,
          "cs_response_timeout": 2, "qualification_not_displayed": 4,
          "cross_border_not_eligible": 12, "health_food_claim_violation": 8,
          "off_platform_inducement": 6, "after_sales_dispute_rate": 4}
# (band ceiling inclusive, the year's total fee once the band is reached), shallowest first
FEES = [(8, 2000), (6, 3000), (4, 4000), (0, 10000)]


def fee_total(lowest: int) -> int:
    total = 0
    for high, fee in FEES:
        if lowest <= high:
            total = fee  # the deepest band reached: the column is a running total
    return total


def _parse(raw: dict) -> object:
    return parse_event(raw, PACK.timezone)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(codes=st.lists(st.sampled_from(sorted(POINTS)), min_size=1, max_size=8),
       deposit=st.integers(min_value=0, max_value=12000),
       payments=st.lists(st.integers(min_value=1, max_value=6000), max_size=3))
def test_credit_fees_and_deposit_match_the_source_table(codes: list[str], deposit: int,
                                                        payments: list[int]) -> None:
    start = dt.datetime(2026, 3, 2, 10, 0)
    events = [_parse({"id": f"v{i}", "type": "violation", "subject": "c1", "code": code,
                      "item": f"sku-{i}", "at": (start + dt.timedelta(days=i)).isoformat()})
              for i, code in enumerate(codes)]
    paid_at = start + dt.timedelta(days=len(codes) + 1)
    events += [_parse({"id": f"p{i}", "type": "deposit_paid", "subject": "c1", "amount": amount,
                       "at": (paid_at + dt.timedelta(hours=i)).isoformat()})
               for i, amount in enumerate(payments)]
    ledger = replay(events, PACK, {"c1": Subject("c1", kind="creator",
                                                 deposit=Decimal(deposit))})
    # no live sessions: no cycle ever recovers a point; all inside one natural year
    score, lowest = 12, 12
    for code in codes:
        score = max(0, score - POINTS[code])
        lowest = min(lowest, score)
    fees = fee_total(lowest)
    balance = max(0, deposit - fees)
    owed = max(0, fees - deposit)
    for amount in payments:
        balance += amount
        covered = min(balance, owed)
        balance, owed = balance - covered, owed - covered
    as_of = parse_instant((paid_at + dt.timedelta(days=1)).isoformat(" "), PACK.timezone)
    state = ledger.state("c1", as_of)
    assert state.scores["credit"] == score
    assert state.fees == fees
    assert (state.deposit, state.outstanding) == (balance, owed)
    shortfall = [h for h in state.holds if h.until == "deposit_paid"]
    assert bool(shortfall) == (owed > 0)
