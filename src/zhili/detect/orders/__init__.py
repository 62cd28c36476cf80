"""Fulfilment quality from order data (RULES 5, and the order rules of sections 1.2 and 4).

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
