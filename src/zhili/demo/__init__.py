"""``zhili demo``: a realistic year across every pack, loaded and served (or reported)."""

from __future__ import annotations

from .build import Built, build_demo
from .report import write_report

__all__ = ["Built", "build_demo", "write_report"]
