"""What documents cause over time: expiry notices and violations, with deterministic ids."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from zhili.documents import findings_until
from zhili.events import Event, parse_event
from zhili.timekit import parse_instant


def ev(kind: str, at: str, subject: str = "s1", **fields: Any) -> Event:
    return parse_event({"type": kind, "at": at, "subject": subject, **fields})


def run(events: list[Event], pack: str, until: str,
        cats: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    found = findings_until(events, pack, {"s1": cats}, parse_instant(until))
    return [(f.kind, f.id, f.at.strftime("%Y-%m-%d %H:%M")) for f in found]


LICENCE = [ev("document_submitted", "2025-06-01 10:00", doc_type="food_business_licence",
              valid_until="2026-08-31 00:00", doc_id="L1"),
           ev("document_reviewed", "2025-06-02 10:00", doc_id="L1", result="accepted")]


def test_an_expiring_licence_gets_a_notice_three_months_ahead_then_a_violation() -> None:
    assert run(LICENCE, "wechat_channels", "2026-09-01 00:00", ("health_food",)) == [
        ("notice", "document_expiring:s1:food_business_licence:2026-05-31", "2026-05-31 00:00"),
        ("violation", "qualification_not_displayed:s1:food_business_licence:2026-08-31",
         "2026-08-31 00:00"),
    ]


def test_nothing_is_found_before_it_happens() -> None:
    assert run(LICENCE, "wechat_channels", "2026-05-30 23:59", ("health_food",)) == []


def test_a_renewal_before_the_notice_period_prevents_notice_and_violation() -> None:
    renewed = LICENCE + [
        ev("document_submitted", "2026-05-01 10:00", doc_type="food_business_licence",
           valid_until="2029-08-31 00:00", doc_id="L2"),
        ev("document_reviewed", "2026-05-02 10:00", doc_id="L2", result="accepted")]
    assert run(renewed, "wechat_channels", "2026-12-01 00:00", ("health_food",)) == []


def test_failed_reviews_and_overdue_deadlines_are_violations_of_their_rules() -> None:
    events = [
        ev("document_deadline", "2026-06-01 09:00", doc_type="circulation_proof",
           due="2026-06-30 23:59"),
        ev("document_submitted", "2026-06-05 10:00", doc_type="circulation_proof",
           valid_until="2027-06-01", doc_id="c1"),
        ev("document_reviewed", "2026-06-08 10:00", doc_id="c1", result="falsified"),
    ]
    found = findings_until(events, "pinduoduo_global", {"s1": []},
                           parse_instant("2026-07-02 00:00"))
    assert [f.id for f in found] == [
        "document_falsified:s1:circulation_proof:2026-06-08",
        "document_overdue:s1:circulation_proof:2026-06-30",
    ]
    event = parse_event(found[0].violation_event())
    assert event.code == "document_falsified"  # type: ignore[attr-defined]
    assert event.evidence == {"scope": "circulation_proof",  # type: ignore[attr-defined]
                              "failure": "falsified", "doc_id": "c1",
                              "review": found[0].evidence["review"]}


def test_an_accepted_document_by_the_deadline_is_not_overdue() -> None:
    events = [
        ev("document_deadline", "2026-06-01 09:00", doc_type="qc_report", due="2026-06-30"),
        ev("document_submitted", "2026-06-05 10:00", doc_type="qc_report",
           valid_until="2028-06-01", doc_id="q"),
        ev("document_reviewed", "2026-06-08 10:00", doc_id="q", result="accepted"),
    ]
    assert run(events, "tmall_global", "2026-07-01 00:00") == []


def test_documents_of_no_concern_to_the_subject_cause_nothing() -> None:
    events = [ev("document_submitted", "2026-01-01 10:00", doc_type="import_non_special_"
                 "cosmetics_filing", valid_until="2026-02-01", doc_id="f")]
    assert run(events, "douyin_global", "2026-12-01 00:00", ("toys",)) == []
    assert [k for k, _, _ in run(events, "douyin_global", "2026-12-01 00:00",
                                 ("cosmetics",))] == ["notice"]


days = st.integers(min_value=0, max_value=500)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(days, days, st.sampled_from(["accepted", "noncompliant",
                                                       "falsified", None])), max_size=5),
       st.lists(days, max_size=3), days)
def test_findings_are_deterministic_and_grow_with_time(
        docs: list[tuple[int, int, str | None]], deadlines: list[int], cut: int) -> None:
    import datetime as dt
    start = parse_instant("2026-01-01 00:00")
    events: list[Event] = []
    for i, (offset, length, result) in enumerate(docs):
        at = start + dt.timedelta(days=offset)
        events.append(ev("document_submitted", at.isoformat(), doc_type="qc_report",
                         valid_until=(at + dt.timedelta(days=length + 1)).isoformat(),
                         doc_id=f"d{i}"))
        if result:
            events.append(ev("document_reviewed", (at + dt.timedelta(hours=5)).isoformat(),
                             doc_id=f"d{i}", result=result))
    for j, offset in enumerate(deadlines):
        events.append(ev("document_deadline", start.isoformat(), id=f"dl{j}",
                         doc_type="qc_report", due=(start + dt.timedelta(days=offset)).isoformat()))
    later = start + dt.timedelta(days=1000)
    full = findings_until(events, "tmall_global", {"s1": []}, later)
    assert findings_until(list(reversed(events)), "tmall_global", {"s1": []}, later) == full
    until = start + dt.timedelta(days=cut)
    partial = findings_until(events, "tmall_global", {"s1": []}, until)
    assert partial == [f for f in full if f.at <= until]
