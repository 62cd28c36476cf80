"""The web console: server-rendered pages over the same service as the REST API.

Everything it needs (templates, CSS, charts as inline SVG) ships inside the package, so it
works on a machine without internet access.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

HERE = Path(__file__).parent


def mount(app: FastAPI) -> None:
    # FastAPI is imported here, not with the package: the CLI and the static reports use the
    # console's names and charts without serving anything.
    from fastapi.responses import FileResponse
    from fastapi.staticfiles import StaticFiles

    from .pages import install_error_pages, router

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:  # browsers ask for it whatever the page links
        return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")
    app.include_router(router, include_in_schema=False)
    install_error_pages(app)
