"""The REST API: ``create_app(store_url)`` returns the FastAPI application.

Wire models (``models``) stay apart from the domain types; ``service.Governance`` holds what
the API and the console may do, with access control applied.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
