"""Detectors over the wire: content scans and order assessments.

The detectors are pure functions owned by their own packages; these routes only translate.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from ..deps import Caller
from ..models import FindingOut, ScanIn, ScanOut

router = APIRouter(tags=["detectors"])


def _unavailable(what: str) -> HTTPException:
    return HTTPException(status_code=501, detail=f"{what} is not part of this build")


@router.post("/scan", response_model=ScanOut,
             summary="Scan a text for Advertising Law words, claims and off-platform contact")
def scan(who: Caller, body: ScanIn) -> ScanOut:
    try:
        from ...detect.content import scan as scan_text
    except ImportError:
        raise _unavailable("the content scanner") from None
    findings = scan_text(body.text, pack=body.pack, category=body.category)
    return ScanOut(findings=[FindingOut.model_validate(f, from_attributes=True)
                             for f in findings])
