"""Request plumbing shared by the routes: the caller, the service, times, errors."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..errors import InputError
from ..timekit import parse_instant
from .auth import Principal, authenticate
from .limits import MAX_SHORT_TEXT, MAX_SUBJECT_CHARS
from .service import Governance

bearer = HTTPBearer(auto_error=False, description="an API key from `zhili keys create`")


def governance(request: Request) -> Governance:
    return request.app.state.governance


def caller(request: Request,
           creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    gov = governance(request)
    who = authenticate(gov.store, creds.credentials if creds else None, gov.clock())
    if who is None:
        raise HTTPException(status_code=401, detail="a valid API key is required",
                            headers={"WWW-Authenticate": "Bearer"})
    return who


Caller = Annotated[Principal, Depends(caller)]
Gov = Annotated[Governance, Depends(governance)]
SubjectPath = Annotated[str, Path(min_length=1, max_length=MAX_SUBJECT_CHARS,
                                  description="a subject id")]
AppealPath = Annotated[str, Path(min_length=1, max_length=MAX_SHORT_TEXT,
                                 description="an appeal id, as the API returned it")]
AsOf = Annotated[str | None, Query(
    max_length=64, examples=["2026-03-02 10:00"],
    description="an instant in the years 2000-2100; the server's clock if omitted")]


def invalid(where: str, path: str | None, message: str) -> RequestValidationError:
    """A 422 in FastAPI's own shape: ``{"detail": [{"loc": [...], "msg": ..., ...}]}``."""
    loc: list[Any] = [where]
    for part in re.findall(r"\[(\d+)\]|([^.\[\]]+)", path or ""):
        loc.append(int(part[0]) if part[0] else part[1])
    return RequestValidationError([{"loc": tuple(loc), "msg": message, "type": "value_error"}])


def instant_param(value: str | None, name: str, where: str = "query") -> dt.datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_instant(value)
    except InputError as err:
        raise invalid(where, name, err.message) from None


def required_instant(value: str, name: str, where: str = "body") -> dt.datetime:
    found = instant_param(value, name, where)
    if found is None:
        raise invalid(where, name, "expected a date-time such as 2026-03-02 10:00, got nothing")
    return found
