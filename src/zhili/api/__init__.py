"""The REST API: ``create_app(store_url)`` returns the FastAPI application.

Wire models (``models``) stay apart from the domain types; ``service.Governance`` holds what
the API and the console may do, with access control applied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # The web framework loads with the application, not with the package: processes that use
    # only ``service.Governance`` (the stream consumers) start without it.
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
