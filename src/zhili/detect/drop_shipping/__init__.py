"""Drop-shipping (无货源经营) detection, 微信小店严打无货源店铺 2026-03-24: signals with evidence, raised as
``drop_shipping_determined`` candidates for a reviewer, never as final determinations."""

from .candidates import Assessment, DetectorSettings, SignalHit, assess
from .signals import SIGNALS
from .tables import load_parcels, load_purchases

__all__ = ["SIGNALS", "Assessment", "DetectorSettings", "SignalHit", "assess", "load_parcels",
           "load_purchases"]
