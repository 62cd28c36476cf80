"""Shadows (admin only): candidate rule sets folded beside the live pack, and how they differ.

A shadow never changes what anyone else sees: no decision is stored, no notice sent, and
merchant and reviewer keys cannot reach these routes (403).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from ..deps import AsOf, Caller, Gov, as_of_param
from ..limits import MAX_SHORT_TEXT, MAX_SUBJECT_CHARS
from ..models import ShadowComparisonOut, ShadowIn, ShadowOut
from . import ERRORS

router = APIRouter(prefix="/admin", tags=["shadows"], responses=ERRORS)
ShadowPath = Annotated[str, Path(min_length=1, max_length=64, description="a shadow id")]


def _out(shadow) -> ShadowOut:
    c = shadow.candidate
    created = shadow.stored.created
    return ShadowOut(id=shadow.id, pack=shadow.pack, kind=c.kind, version=c.version,
                     file=c.file, params=dict(c.params),
                     created=created.isoformat() if created else None)


@router.post("/shadows", response_model=ShadowOut, status_code=201,
             summary="Register a candidate rule set as a shadow of a live pack")
def add_shadow(who: Caller, gov: Gov, body: ShadowIn) -> ShadowOut:
    """The candidate is validated like any pack (422 naming the field); an id already
    registered is refused (422)."""
    candidate = body.candidate.model_dump(exclude_none=True)
    return _out(gov.add_shadow(who, body.id, body.pack, candidate))


@router.get("/shadows", response_model=list[ShadowOut], summary="Every shadow, oldest first")
def list_shadows(who: Caller, gov: Gov,
                 pack: Annotated[str | None, Query(max_length=MAX_SHORT_TEXT)] = None
                 ) -> list[ShadowOut]:
    return [_out(s) for s in gov.shadows(who, pack)]


@router.get("/shadows/{shadow_id}", response_model=ShadowOut, summary="One shadow")
def get_shadow(who: Caller, gov: Gov, shadow_id: ShadowPath) -> ShadowOut:
    return _out(gov.shadow(who, shadow_id))


@router.delete("/shadows/{shadow_id}", status_code=204, response_class=Response,
               summary="Remove a shadow; the live rules are untouched")
def remove_shadow(who: Caller, gov: Gov, shadow_id: ShadowPath) -> Response:
    gov.remove_shadow(who, shadow_id)
    return Response(status_code=204)


@router.get("/shadows/{shadow_id}/comparison", response_model=ShadowComparisonOut,
            summary="Where the shadow diverges from the live rules, over the same events")
def compare(who: Caller, gov: Gov, shadow_id: ShadowPath, response: Response, as_of: AsOf = None,
            subject: Annotated[str | None, Query(min_length=1, max_length=MAX_SUBJECT_CHARS,
                                                 description="one subject's differences")] = None,
            points: Annotated[int, Query(ge=0, le=60, description=(
                "earlier instants of the view over time"))] = 12) -> ShadowComparisonOut:
    found = gov.compare_shadow(who, shadow_id, as_of_param(as_of, response), subject=subject,
                               points=points)
    return ShadowComparisonOut(**found.to_dict())
