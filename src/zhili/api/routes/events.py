"""``POST /v1/events``: facts in, one atomic batch at a time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Query

from ..deps import Caller, Gov
from ..limits import MAX_BATCH_EVENTS, batch_too_large
from ..models import EventIn, IngestOut
from . import ERRORS

router = APIRouter(tags=["events"], responses=ERRORS)


@router.post("/events", response_model=IngestOut, summary="Ingest one event or a list")
def post_events(
    who: Caller, gov: Gov,
    body: Annotated[EventIn | list[EventIn], Body()],
    pack: Annotated[str | None, Query(description="the pack of subjects new to the store")] = None,
) -> IngestOut:
    """Events already stored (by id) are accepted and ignored. One invalid event answers 422
    with its field and reason, and nothing of the batch is stored. A merchant's events take
    the server's time and are stored under its own id namespace (`merchant:SUBJECT:ID`)."""
    items = body if isinstance(body, list) else [body]
    if len(items) > MAX_BATCH_EVENTS:
        raise HTTPException(status_code=413, detail=batch_too_large(len(items)))
    raws = [item.model_dump(exclude_none=True) for item in items]
    result = gov.ingest(who, raws, pack)
    return IngestOut(stored=list(result.stored), duplicates=list(result.duplicates))
