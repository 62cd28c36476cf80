"""The logistics chart and its early warning come from one run of the detector: for the same
line they state the same counts, at any hour of the assessment; freezes are marked."""

from __future__ import annotations

import json
import random
import re

import pytest

from zhili.api.line_watch import check_orders, line_rates
from zhili.demo import orders as demo_orders
from zhili.timekit import parse_instant

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module", params=["2026-11-30 00:00", "2026-11-29 15:37"])
def checked(request):
    end = parse_instant(request.param)
    rows = demo_orders.generate(end, random.Random(7))
    return check_orders(rows, "aliexpress", end)


def test_each_lines_last_point_states_the_warnings_counts(checked):
    rates = line_rates(checked.assessment)
    lines = [w for w in checked.warnings if w.family == "line" and w.code == "line_nrd_rate"]
    assert lines
    for w in lines:
        _, orders, disputes, frozen = rates[w.store][w.scope][-1]
        assert (orders, disputes, frozen) == (w.orders, w.events, w.frozen), w.message


def test_a_freeze_is_marked_from_the_day_after_the_violation(checked):
    rates = line_rates(checked.assessment)
    freezes = [v for v in checked.violations if v.code == "line_nrd_rate"]
    assert freezes, "the demo's orders freeze a line"
    for v in freezes:
        points = rates[v.subject][v.evidence["scope"]]
        # The violation is dated at the end of its assessed day; the freeze holds after it.
        after = [p for p in points if parse_instant(p[0]) > v.at]
        if after:
            assert after[0][3] is True, (v.id, after[0])


def test_recorded_warnings_are_rendered_in_the_readers_language(checked):
    from zhili.i18n import use_language
    from zhili.web.orders_view import _warning

    recorded = json.loads(json.dumps(checked.warnings[0].to_fields()))  # as the store keeps it
    with use_language("zh-CN"):
        assert _warning(recorded) == checked.warnings[0].message
        assert HAN.search(_warning(recorded))
    with use_language("en"):
        assert not HAN.search(_warning(recorded))
    old = "LINE-A: 8 NRD disputes in 74 orders (10.8%): 2 more disputes freeze it for 30 days"
    assert _warning(old) == old   # recorded before warnings were kept as fields
