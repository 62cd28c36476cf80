"""The language of one HTTP request: ``?lang=`` (remembered in a cookie), the cookie, the
browser's ``Accept-Language``, then the server's default (``ZHILI_LANG`` or zh-CN).

A plain ASGI middleware rather than Starlette's ``BaseHTTPMiddleware``: it sets the language
contextvar in the request's own context, which FastAPI copies into the worker thread of a sync
endpoint, so concurrent requests never see one another's language.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from . import _language
from .language import environment_language, match_language, negotiate

COOKIE = "zhili_lang"
_YEAR = 365 * 24 * 3600


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def request_language(scope: dict[str, Any]) -> tuple[str, str | None]:
    """The tag for this request, and the tag ``?lang=`` chose (to remember), if any."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    chosen = match_language((query.get("lang") or [None])[0])
    if chosen:
        return chosen, chosen
    cookie = SimpleCookie()
    try:
        cookie.load(_header(scope, b"cookie") or "")
    except Exception:  # a malformed Cookie header is the browser's problem, not a 500
        cookie = SimpleCookie()
    remembered = match_language(cookie[COOKIE].value) if COOKIE in cookie else None
    accepted = negotiate(_header(scope, b"accept-language"))
    return remembered or accepted or environment_language(), None


class LanguageMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tag, chosen = request_language(scope)

        async def send_with_language(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"content-language", tag.encode()))
                vary = [v for k, v in headers if k.lower() == b"vary"]
                if not vary:
                    headers.append((b"vary", b"Accept-Language, Cookie"))
                if chosen:
                    headers.append((b"set-cookie", f"{COOKIE}={chosen}; Path=/; Max-Age={_YEAR}; "
                                                   "SameSite=Lax".encode()))
                message = {**message, "headers": headers}
            await send(message)

        token = _language.set(tag)
        try:
            await self.app(scope, receive, send_with_language)
        finally:
            _language.reset(token)
