"""Console sign-in: the same API keys, signed in once by a form; the HTTP-only cookie then
holds a random session token (only its hash is stored), never the key."""

from __future__ import annotations

from fastapi import Request

from ..api.auth import Principal, session_principal
from ..api.service import Governance

COOKIE = "zhili_session"


class SignInRequired(Exception):
    """No valid key in the cookie: the page redirects to the sign-in form."""


def governance(request: Request) -> Governance:
    return request.app.state.governance


def viewer(request: Request) -> Principal:
    gov = governance(request)
    who = session_principal(gov.store, request.cookies.get(COOKIE), gov.clock())
    if who is None:
        raise SignInRequired
    return who
