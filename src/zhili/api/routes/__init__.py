"""The API's routes, one module per resource; every operation documents its refusals."""

from __future__ import annotations

from typing import Any

from ..models import Problem, Refusals

# Every operation can answer these; the OpenAPI description says so for each of them.
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "no key, or a key unknown, revoked or expired"},
    403: {"model": Problem, "description": "the key's role may not do this"},
    404: {"model": Problem, "description": "not found, or not the key's to see"},
    413: {"model": Problem, "description": "the body or batch is over its documented limit"},
    422: {"model": Refusals, "description": "a field is invalid: its place and the reason"},
}
