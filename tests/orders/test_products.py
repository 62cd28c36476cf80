"""Inactive products (速卖通自发货履约规则 2022-07-19) from the product table."""

import pytest

from zhili.detect.orders.products import violations_from_products
from zhili.errors import InputError

ROWS = [
    {"store": "s1", "item": "p1", "created_at": "2025-01-01 10:00",
     "last_sold_at": "2025-03-01 12:00"},
    {"store": "s1", "item": "p2", "created_at": "2025-01-01 10:00",
     "last_sold_at": "2025-12-01 12:00"},
    {"store": "s1", "item": "p3", "created_at": "2025-08-01 10:00"},
    {"store": "s1", "item": "p4", "created_at": "2025-09-01 10:00",
     "deleted_at": "2025-12-15 00:00"},
]


def test_inactive_products_step_every_thirty_days_until_deleted():
    found = violations_from_products(ROWS, "aliexpress", until="2026-01-31")
    ids = [v.id for v in found]
    assert ids[:3] == ["inactive_product:s1:p1:2025-08-28",   # last sale + 180 days
                       "inactive_product:s1:p1:2025-09-27",
                       "inactive_product:s1:p1:2025-10-27"]
    assert "inactive_product:s1:p3:2025-10-30" in ids         # created + 90 days, never sold
    assert [i for i in ids if ":p4:" in i] == ["inactive_product:s1:p4:2025-11-30"]  # deleted
    assert not [i for i in ids if ":p2:" in i]
    assert [v.evidence["step"] for v in found if v.item == "p1"] == [1, 2, 3]


def test_a_mostly_inactive_store_with_unsold_new_products_is_limited():
    rows = ROWS + [{"store": "s1", "item": "p5", "created_at": "2026-01-10 10:00"},
                   {"store": "s1", "item": "p6", "created_at": "2025-01-01 10:00"}]
    found = violations_from_products(rows, "aliexpress", until="2026-01-31")
    stores = [v for v in found if v.code == "inactive_store"]
    assert stores and stores[0].evidence["new_sold"] == 0
    assert stores[0].evidence["inactive"] * 2 > stores[0].evidence["live"]


def test_a_sale_before_creation_is_refused():
    rows = [{"store": "s1", "item": "p1", "created_at": "2025-01-01 10:00",
             "last_sold_at": "2024-01-01 10:00"}]
    with pytest.raises(InputError) as err:
        violations_from_products(rows, "aliexpress", until="2026-01-31")
    assert err.value.path == "products[0].last_sold_at"
