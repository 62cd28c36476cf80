"""Workflows with their own state machines: warehouse inspection, spot-check programmes."""
