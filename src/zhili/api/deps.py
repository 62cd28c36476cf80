"""Request plumbing shared by the routes: the caller, the service, times, errors."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..errors import InputError
from ..i18n import _
from ..timekit import parse_as_of, parse_instant
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
    max_length=64, examples=["2026-03-02 10:00", "2026-06-30"],
    description="an instant in the years 2000-2100; a date alone means the end of that day "
                "(23:59:59.999999, the instant used is in the `As-Of` header); the server's "
                "clock if omitted")]
AS_OF_HEADER = "As-Of"


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


def as_of_param(value: str | None, response: Response, name: str = "as_of",
                where: str = "query") -> dt.datetime | None:
    """An ``as_of`` as the CLI reads it: a date alone is the end of that local day, so that the
    day itself counts. The instant used is named in the ``As-Of`` response header."""
    if value is None or value == "":
        return None
    try:
        found, _bare = parse_as_of(value)
    except InputError as err:
        raise invalid(where, name, err.message) from None
    response.headers[AS_OF_HEADER] = found.isoformat()
    return found


def required_as_of(value: str, response: Response, name: str = "as_of",
                   where: str = "body") -> dt.datetime:
    found = as_of_param(value, response, name, where)
    if found is None:
        raise invalid(where, name, _("expected a date-time such as 2026-03-02 10:00, got nothing"))
    return found
