"""Detectors: pure functions from facts (content, orders, documents, purchases) to findings."""
