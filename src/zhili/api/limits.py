"""The API's bounds: how much one request may carry, answered 413 or 422 with the reason.

Each number is documented in ``docs/api.md``; a request within them costs the server work
linear in its size. Bodies are read at most once and up to the limit, so an endless body
costs no more than a refused one.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from ..errors import InputError
from ..events import LONE_SURROGATE, valid_text
from ..i18n import _

MAX_BODY_BYTES = 16 * 1024 * 1024  # a batch of 10,000 events or a 200,000-character text
MAX_BATCH_EVENTS = 10_000  # events in one POST /v1/events
MAX_ORDER_ROWS = 100_000  # rows in one POST /v1/orders/assess
MAX_CLIENT_ID_CHARS = 80  # an event id a client gives (stored ids may be longer)
MAX_SUBJECT_CHARS = 100  # a subject id
MAX_SHORT_TEXT = 200  # codes, packs, licences, devices, material names
MAX_LIST_ITEMS = 1_000  # devices, ips, materials ... of one subject or appeal

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class BoundedBodies:
    """ASGI middleware: bodies over ``MAX_BODY_BYTES`` answer 413 before any route runs, and
    JSON that is not UTF-8, or decodes to text no store can hold (a lone surrogate), 422."""

    def __init__(self, app: App, limit: int = MAX_BODY_BYTES):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _answer(send, 413, _too_large(self.limit))
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _answer(send, 413, _too_large(self.limit))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        refused = _refusal(body) if body and _is_json(scope) else None
        if refused is not None:
            status, reason = refused
            await _answer(send, status, reason if status == 413 else [
                {"loc": ["body"], "type": "value_error", "msg": reason}])
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _too_large(limit: int) -> str:
    return _("the request body is larger than %(mib)d MiB") % {"mib": limit // (1024 * 1024)}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return None


def _is_json(scope: Scope) -> bool:
    return "json" in (_header(scope, b"content-type") or "")


def batch_too_large(n: int) -> str:
    return _("a batch holds at most %(limit)s events, got %(n)s: split it") % {
        "limit": f"{MAX_BATCH_EVENTS:,}", "n": f"{n:,}"}


def _refusal(body: bytes) -> tuple[int, str] | None:
    """``(status, reason)`` for a JSON body refused before any route reads it, or None.

    A JSON array is a batch of events: over ``MAX_BATCH_EVENTS`` items it is a 413 here, before
    every item is validated (which costs seconds for 100,000 of them). orjson refuses invalid
    UTF-8 and lone surrogates, so the slow checks run only for the bodies it refuses; a body
    that is simply not JSON is FastAPI's to answer.
    """
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError:
        pass
    else:
        if isinstance(decoded, list) and len(decoded) > MAX_BATCH_EVENTS:
            return 413, batch_too_large(len(decoded))
        return None
    try:
        decoded = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        return 422, _("expected a JSON body in UTF-8")
    except ValueError:
        return None
    if _holds_surrogate(decoded):
        return 422, _(LONE_SURROGATE)
    return None


def _holds_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            valid_text(value, limit=len(value))
        except InputError:
            return True
        return False
    if isinstance(value, dict):
        return any(_holds_surrogate(k) or _holds_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_surrogate(v) for v in value)
    return False


async def _answer(send: Send, status: int, detail: Any) -> None:
    payload = orjson.dumps({"detail": detail})
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
