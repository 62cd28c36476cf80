"""Drop-shipping (无货源经营) detection, RULES.md 2.1: signals with evidence, raised as
``drop_shipping_determined`` candidates for a reviewer, never as final determinations."""

from .candidates import Assessment, DetectorSettings, SignalHit, assess
from .signals import SIGNALS
from .tables import load_parcels, load_purchases

__all__ = ["SIGNALS", "Assessment", "DetectorSettings", "SignalHit", "assess", "load_parcels",
           "load_purchases"]
