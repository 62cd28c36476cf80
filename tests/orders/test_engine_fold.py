"""The assessment folded through the real engine: what the pack freezes is not assessed."""

import datetime as dt

from zhili.detect.orders import violations_from_orders
from zhili.events import parse_event

from .orderrows import batch, table

TZ = "Asia/Shanghai"


def streak_rows():
    return [r for d in (0, 1, 2) for r in batch("s1", d, 100, 50, after=1, line=f"L{d}")]


def test_a_fraud_freeze_stops_the_store_assessment_but_not_the_lines():
    fraud = parse_event({"id": "f1", "at": "2026-03-01 08:00", "type": "fraud_determined",
                         "subject": "s1", "reason": "fake_delivery"}, TZ)
    found = violations_from_orders(table(streak_rows()), "aliexpress", until="2026-03-10",
                                   events=[fraud])
    assert sorted(v.code for v in found) == ["line_nrd_rate"] * 3


def test_after_a_granted_appeal_the_same_days_are_not_punished_again():
    events = [parse_event(e, TZ) for e in (
        {"id": "a1", "at": "2026-03-05 10:00", "type": "appeal_filed", "subject": "s1",
         "violation": "store_nrd_streak:s1:store:2026-03-04"},
        {"id": "d1", "at": "2026-03-06 10:00", "type": "appeal_decided", "subject": "s1",
         "appeal": "a1", "outcome": "granted"})]
    found = violations_from_orders(table(streak_rows()), "aliexpress", until="2026-03-20",
                                   events=events)
    streaks = [v for v in found if v.code == "store_nrd_streak"]
    assert [v.id for v in streaks] == ["store_nrd_streak:s1:store:2026-03-04"]
    assert streaks[0].at == dt.datetime(2026, 3, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))
