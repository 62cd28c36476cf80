"""Fulfilment quality from order data (速卖通自发货履约规则 2022-07-19; 视频号橱窗达人违规管理规则 2025; 天猫国际/抖音全球购违规扣分点 2026-02-10).

``load_orders`` validates an order table; ``violations_from_orders`` runs the daily
assessments up to an instant and returns the determinations as ``Violation`` events, which the
engine turns into freezes like any other violation. See docs/orders.md.
"""

from __future__ import annotations

from .assess import Assessment, assess_orders, violations_from_orders
from .channels import violations_from_after_sales, violations_from_cs
from .loading import load_orders
from .products import violations_from_products
from .warnings import EarlyWarning, early_warnings

__all__ = ["Assessment", "EarlyWarning", "assess_orders", "early_warnings", "load_orders",
           "violations_from_after_sales", "violations_from_cs", "violations_from_orders",
           "violations_from_products"]
