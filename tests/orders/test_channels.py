"""Channels after-sales dispute rate and customer-service timeouts from their own tables."""

import pytest

from zhili.detect.orders.channels import violations_from_after_sales, violations_from_cs
from zhili.errors import InputError


def sales(n, disputed, day="2026-03-01"):
    return [{"creator": "c1", "order_id": f"o{day}-{i}", "placed_at": f"{day} 10:00",
             "dispute_at": "2026-03-03 10:00" if i < disputed else None} for i in range(n)]


def test_dispute_rate_strictly_above_five_percent():
    (v,) = violations_from_after_sales(sales(40, 3), "wechat_channels", until="2026-04-10")
    assert v.id == "after_sales_dispute_rate:c1:creator:2026-03-03"
    assert (v.evidence["orders"], v.evidence["disputes"]) == (40, 3)
    assert violations_from_after_sales(sales(40, 2), "wechat_channels", until="2026-04-10") == []
    # Too few orders for a rate: 2 of 19 is 10.5% but says nothing.
    assert violations_from_after_sales(sales(19, 2), "wechat_channels", until="2026-04-10") == []


def test_a_batch_of_disputes_is_punished_once():
    rows = sales(40, 3) + sales(10, 0, "2026-03-05")
    assert len(violations_from_after_sales(rows, "wechat_channels", until="2026-04-10")) == 1


def msgs(n, late):
    return [{"creator": "c1", "message_id": f"m{i}", "asked_at": "2026-03-01 10:00",
             "answered_at": None if i < late else "2026-03-01 10:02"} for i in range(n)]


def test_more_than_ten_timeouts_in_a_day():
    (v,) = violations_from_cs(msgs(20, 11), "wechat_channels", until="2026-03-03")
    assert v.id == "cs_response_timeout:c1:creator:2026-03-01"
    assert v.evidence["timeouts"] == 11
    assert violations_from_cs(msgs(20, 10), "wechat_channels", until="2026-03-03") == []


def test_bad_rows_are_named():
    rows = msgs(1, 0)
    rows[0]["asked_at"] = "soon"
    with pytest.raises(InputError) as err:
        violations_from_cs(rows, "wechat_channels", until="2026-03-03")
    assert err.value.path == "messages[0].asked_at"
