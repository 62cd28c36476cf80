"""Console sign-in: the same API keys, carried in an HTTP-only cookie instead of a header."""

from __future__ import annotations

from fastapi import Request

from ..api.auth import Principal, authenticate
from ..api.service import Governance

COOKIE = "zhili_key"


class SignInRequired(Exception):
    """No valid key in the cookie: the page redirects to the sign-in form."""


def governance(request: Request) -> Governance:
    return request.app.state.governance


def viewer(request: Request) -> Principal:
    who = authenticate(governance(request).store, request.cookies.get(COOKIE))
    if who is None:
        raise SignInRequired
    return who
