"""Detectors over the wire: content scans and order assessments.

The detectors are pure functions owned by their own packages; these routes only translate.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response

from ...events import event_to_dict
from ..deps import Caller, Gov, required_as_of
from ..models import FindingOut, OrdersIn, OrdersOut, ScanIn, ScanOut
from ..scanning import scan_text, scanner_available
from . import ERRORS

router = APIRouter(tags=["detectors"], responses=ERRORS)


def _unavailable(what: str) -> HTTPException:
    return HTTPException(status_code=501, detail=f"{what} is not part of this build")


@router.post("/scan", response_model=ScanOut,
             summary="Scan a text for Advertising Law words, claims and off-platform contact")
def scan(who: Caller, body: ScanIn) -> ScanOut:
    if not scanner_available():
        raise _unavailable("the content scanner")
    findings = scan_text(body.text, pack=body.pack, category=body.category,
                         channel=body.channel, source=body.source)
    return ScanOut(findings=[FindingOut(**f) for f in findings])


@router.post("/orders/assess", response_model=OrdersOut,
             summary="Assess an order table as of an instant (AliExpress: lines, ship-from, store)")
def assess_orders(who: Caller, gov: Gov, body: OrdersIn, response: Response) -> OrdersOut:
    """A simulation by default: the violations the daily assessments would raise. With
    ``record`` (admin only) they are stored, and the console charts the lines."""
    as_of = required_as_of(body.as_of, response)
    violations, stored = gov.assess_orders(who, body.pack, body.orders, as_of,
                                           record=body.record)
    return OrdersOut(as_of=as_of.isoformat(), violations=[event_to_dict(v) for v in violations],
                     stored=list(stored.stored) if stored else [],
                     duplicates=list(stored.duplicates) if stored else [])
