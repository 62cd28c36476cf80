"""Event parsing and the time functions."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhili.errors import EventError, InputError
from zhili.events import EVENT_TYPES, event_to_dict, in_time_order, parse_event
from zhili.timekit import (
    FIRST_YEAR,
    LAST_YEAR,
    add_working_days,
    in_range,
    is_date_only,
    is_working_day,
    natural_year,
    parse_as_of,
    parse_instant,
)

EXAMPLES = {
    "violation": {"code": "counterfeit", "item": "i", "amount": 10, "flags": ["severe"],
                  "evidence": {"rate": 0.1}},
    "live_session": {"minutes": 30, "transactions": 2},
    "content_published": {"channel": "live", "text": "加我微信", "category": "cosmetics"},
    "deposit_paid": {"amount": 100},
    "appeal_filed": {"violation": "v1", "complex": True, "materials": ["qc_report"]},
    "material_requested": {"appeal": "a1"},
    "material_submitted": {"appeal": "a1"},
    "appeal_decided": {"appeal": "a1", "outcome": "granted"},
    "rectification_completed": {"violation": "v1"},
    "document_submitted": {"doc_type": "qc_report", "valid_until": "2027-01-01",
                           "doc_id": "d1", "batch": "b1"},
    "document_reviewed": {"doc_id": "d1", "result": "falsified"},
    "document_deadline": {"doc_type": "qc_report", "due": "2026-05-01 00:00"},
    "inspection_enabled": {},
    "inspection_result": {"order": "o1", "appearance": "pass", "material": "fail"},
    "spot_check_result": {"item": "i", "result": "fail", "supplier": "lab"},
    "drop_shipping_determined": {"items": ["i"], "flags": ["severe"]},
    "fraud_determined": {"reason": "fake_delivery"},
    "exemption_declared": {"scope": "CN-1", "start": "2026-01-01", "end": "2026-02-01",
                           "reason": "storm"},
    "link_observed": {"other": "s2", "via": "device"},
}


def test_every_event_type_has_an_example() -> None:
    assert set(EXAMPLES) == set(EVENT_TYPES)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_every_event_type_parses_and_round_trips(kind: str) -> None:
    raw = {"type": kind, "at": "2026-03-02 10:00", **EXAMPLES[kind]}
    if kind != "exemption_declared":
        raw["subject"] = "s1"
    event = parse_event(raw)
    assert event.type == kind and event.at.utcoffset() == dt.timedelta(hours=8)
    assert parse_event(event_to_dict(event)) == event


@pytest.mark.parametrize(("raw", "path"), [
    ({"type": "violation", "at": "2026-03-02", "subject": "s", "code": "x", "colour": 1},
     "colour"),
    ({"type": "teleport", "at": "2026-03-02", "subject": "s"}, "type"),
    ({"type": ["violation"], "at": "2026-03-02", "subject": "s"}, "type"),
    ({"type": "violation", "subject": "s", "code": "x"}, "at"),
    ({"type": "violation", "at": "2026-03-02", "code": "x"}, "subject"),
    ({"type": "violation", "at": "2026-03-02", "subject": "s"}, "code"),
    ({"type": "deposit_paid", "at": "2026-03-02", "subject": "s", "amount": -1}, "amount"),
    ({"type": "appeal_decided", "at": "2026-03-02", "subject": "s", "appeal": "a",
      "outcome": "maybe"}, "outcome"),
    ({"type": "live_session", "at": "not a date", "subject": "s", "minutes": 1}, "at"),
])
def test_bad_events_name_the_field(raw: dict, path: str) -> None:
    with pytest.raises(EventError) as err:
        parse_event(raw)
    assert err.value.path == path


def test_events_without_ids_get_deterministic_ones_and_duplicates_collapse() -> None:
    raw = {"type": "live_session", "at": "2026-03-02 10:00", "subject": "s", "minutes": 5}
    a, b = parse_event(raw), parse_event(dict(raw))
    assert a.id == b.id
    assert len(in_time_order([a, b])) == 1


def test_offsets_and_iso_8601_are_accepted() -> None:
    assert parse_instant("2026-03-02T02:00:00Z") == parse_instant("2026-03-02 10:00")
    assert parse_instant("2026-03-02T10:00:00+08:00") == parse_instant("2026-03-02 10:00")
    with pytest.raises(InputError):
        parse_instant("yesterday")
    # ISO first, then the forms ISO does not take (unpadded fields)
    assert parse_instant("2026-3-2 10:00") == parse_instant("2026-03-02 10:00")
    assert parse_instant("2026-03-02") == parse_instant("2026-03-02 00:00")


def test_natural_years_are_local() -> None:
    assert natural_year(parse_instant("2026-12-31T16:30:00Z")) == 2027


def test_working_days_follow_the_chinese_calendar_and_say_when_they_guess() -> None:
    due, assumed = add_working_days(parse_instant("2026-09-29 10:00"), 5)
    assert due == parse_instant("2026-10-12 10:00") and not assumed
    assert is_working_day(dt.date(2026, 10, 10)) == (True, False)   # adjusted working Saturday
    due, assumed = add_working_days(parse_instant("2026-12-29 10:00"), 5)
    assert due == parse_instant("2027-01-05 10:00") and assumed


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
       st.integers(min_value=1, max_value=20))
def test_the_nth_working_day_is_a_working_day_after_the_date(day: dt.date, n: int) -> None:
    start = parse_instant(day)
    due, _ = add_working_days(start, n)
    assert due.date() > day and is_working_day(due.date())[0]


@pytest.mark.parametrize("value, date_only", [
    ("2026-10-13", True), (" 2026-10-13 ", True), (dt.date(2026, 10, 13), True),
    ("2026-10-13 10:00", False), ("2026-10-1", False), (dt.datetime(2026, 10, 13, 10, 0), False),
    (20261013, False), ("not a date", False)])
def test_a_bare_date_matches_a_whole_day_and_nothing_else_does(value: object,
                                                               date_only: bool) -> None:
    assert is_date_only(value) is date_only


def test_an_as_of_date_alone_is_the_end_of_that_local_day_and_says_so():
    """``--as-of 2026-06-30`` counts the whole day: its last microsecond, flagged as a bare
    date (the CLI then tells which instant it used); a date with a time is that instant."""
    end, bare = parse_as_of("2026-06-30", "Asia/Shanghai")
    assert bare is True
    assert end == dt.datetime(2026, 6, 30, 23, 59, 59, 999999,
                              tzinfo=dt.timezone(dt.timedelta(hours=8)))
    at, bare = parse_as_of("2026-06-30 10:00", "Asia/Shanghai")
    assert bare is False and at == dt.datetime(2026, 6, 30, 2, 0, tzinfo=dt.UTC)


def test_instants_are_accepted_from_the_first_to_the_last_year_inclusive():
    utc = dt.UTC
    for year in (FIRST_YEAR, LAST_YEAR):
        t = dt.datetime(year, 6, 1, tzinfo=utc)
        assert in_range(t) is t
    for year in (FIRST_YEAR - 1, LAST_YEAR + 1):
        with pytest.raises(InputError):
            in_range(dt.datetime(year, 6, 1, tzinfo=utc))
    with pytest.raises(InputError):
        parse_as_of(f"{LAST_YEAR + 1}-01-01")
