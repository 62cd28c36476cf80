"""The FastAPI application: ``create_app(store_url)``.

Routes live in ``routes/``; the HTML console mounts on the same app so that one process
serves both, with the same keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from ..errors import InputError
from ..i18n.asgi import LanguageMiddleware
from .deps import invalid
from .docs import mount_docs
from .limits import BoundedBodies
from .routes import appeals, detect, events, shadows, subjects
from .service import Forbidden, Governance, NotFound, utc_now

DESCRIPTION = """Executable, explainable governance rules of China's e-commerce platforms.

Every request carries `Authorization: Bearer KEY` (a key from `zhili keys create`). Admins do
everything; reviewers read everything and decide appeals; a merchant key reads and appeals only
its own subject (others answer 404) and cannot post violations."""


def create_app(store_url: str | None = None, *, store=None, states=None,
               clock: Callable[[], dt.datetime] = utc_now, console: bool = True) -> FastAPI:
    """The API (and console) over the store at ``store_url``, or over an open ``store``.

    ``states`` is the engine over the store (default ``StateService(store)``). ``clock`` is
    the only place the service reads the time: "now" is the default instant of state queries
    and of appeal steps posted without ``at``.
    """
    from ..store import open_store

    if store is None:
        store = open_store(store_url)
    if states is None:
        from ..store import StateService

        states = StateService(store)
    app = FastAPI(title="zhili", version=_version(), description=DESCRIPTION,
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None)
    mount_docs(app)
    app.state.governance = Governance(store, states, clock)
    app.add_middleware(BoundedBodies)
    for module in (events, subjects, appeals, detect, shadows):
        app.include_router(module.router, prefix="/v1")
    _handle_errors(app)
    app.add_middleware(LanguageMiddleware)
    if console:
        from ..web import mount

        mount(app)
    return app


def _handle_errors(app: FastAPI) -> None:
    def refuse(request: Request, status: int, detail: Any) -> Response:
        # The console (any path outside /v1) answers with a page; the API with JSON.
        html_error = getattr(app.state, "html_error", None)
        if html_error is not None and not request.url.path.startswith("/v1/"):
            return html_error(request, status, detail if isinstance(detail, str)
                              else "; ".join(f"{'.'.join(map(str, d['loc'][1:]))}: {d['msg']}"
                                             for d in detail))
        return JSONResponse({"detail": detail}, status_code=status)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, err: NotFound) -> Response:
        return refuse(request, 404, "not found")

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, err: Forbidden) -> Response:
        return refuse(request, 403, str(err))

    @app.exception_handler(InputError)
    async def bad_input(request: Request, err: InputError) -> Response:
        # Errors raised past the routes' own checks concern the body they were sent.
        converted: RequestValidationError = invalid("body", err.path, err.message)
        return refuse(request, 422, jsonable_encoder(converted.errors()))


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zhili")
    except PackageNotFoundError:
        return "0"
