"""The interactive API reference at ``/docs``, served from the package: no CDN, so it works on
a machine without internet access. The Swagger UI assets come from the ``fastapi-offline``
distribution (a PyPI package that ships them); FastAPI's own page would load them from a CDN.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs-assets"


def assets_folder() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def mount_docs(app: FastAPI, url: str = "/docs") -> None:
    app.mount(ASSETS, StaticFiles(directory=assets_folder()), name="docs-assets")

    @app.get(url, include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url="/favicon.ico")
