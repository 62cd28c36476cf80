"""The appeal flow: file, request and submit material, decide; deadlines in working days."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from ..deps import AppealPath, AsOf, Caller, Gov, as_of_param, instant_param
from ..models import AppealDecisionIn, AppealIn, AppealOut, AppealStepIn
from ..wire import appeal_out
from . import ERRORS

router = APIRouter(tags=["appeals"], responses=ERRORS)
Status = Literal["open", "awaiting_material", "granted", "denied", "lapsed", "rejected_late"]


@router.get("/appeals", response_model=list[AppealOut],
            summary="Appeals the key may see, soonest deadline first")
def list_appeals(who: Caller, gov: Gov, response: Response,
                 status: Annotated[list[Status] | None, Query()] = None,
                 as_of: AsOf = None) -> list[AppealOut]:
    found = gov.appeals(who, tuple(status or ()), as_of_param(as_of, response))
    return [appeal_out(subject, appeal) for subject, appeal in found]


@router.post("/appeals", response_model=AppealOut, status_code=201,
             summary="File an appeal against a violation or determination")
def file_appeal(who: Caller, gov: Gov, body: AppealIn) -> AppealOut:
    subject, appeal = gov.file_appeal(
        who, body.subject, body.violation, complex=body.complex, materials=body.materials,
        at=instant_param(body.at, "at", "body"))
    return appeal_out(subject, appeal)


@router.get("/appeals/{appeal_id}", response_model=AppealOut)
def get_appeal(who: Caller, gov: Gov, appeal_id: AppealPath, response: Response,
               as_of: AsOf = None) -> AppealOut:
    return appeal_out(*gov.find_appeal(who, appeal_id, as_of_param(as_of, response)))


@router.post("/appeals/{appeal_id}/material-requests", response_model=AppealOut,
             summary="Ask for more material (reviewer); unanswered in 24 h, the appeal lapses")
def request_material(who: Caller, gov: Gov, appeal_id: AppealPath,
                     body: AppealStepIn | None = None) -> AppealOut:
    at = instant_param(body.at if body else None, "at", "body")
    return appeal_out(*gov.request_material(who, appeal_id, at))


@router.post("/appeals/{appeal_id}/materials", response_model=AppealOut,
             summary="Submit the requested material (the merchant)")
def submit_material(who: Caller, gov: Gov, appeal_id: AppealPath,
                    body: AppealStepIn | None = None) -> AppealOut:
    at = instant_param(body.at if body else None, "at", "body")
    return appeal_out(*gov.submit_material(who, appeal_id, at))


@router.post("/appeals/{appeal_id}/decision", response_model=AppealOut,
             summary="Grant or deny (reviewer); a granted appeal voids the violation")
def decide(who: Caller, gov: Gov, appeal_id: AppealPath, body: AppealDecisionIn) -> AppealOut:
    at = instant_param(body.at, "at", "body")
    return appeal_out(*gov.decide_appeal(who, appeal_id, body.outcome, at))
