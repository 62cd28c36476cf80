"""Subjects, their state as of an instant, and the decisions with their explanations."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ..deps import AsOf, Caller, Gov, SubjectPath, as_of_param
from ..models import DecisionOut, StateOut, SubjectIn, SubjectOut
from ..wire import decision_out, state_out
from . import ERRORS

router = APIRouter(tags=["subjects"], responses=ERRORS)


@router.get("/subjects", response_model=list[SubjectOut], summary="Subjects the key may see")
def list_subjects(who: Caller, gov: Gov) -> list[SubjectOut]:
    return [SubjectOut(id=sid, pack=pack, kind=str(getattr(subject, "kind", "")))
            for sid, (pack, subject) in gov.subjects(who).items()]


@router.put("/subjects/{subject_id}", response_model=SubjectOut,
            summary="Register a subject and its attributes (admin)")
def put_subject(who: Caller, gov: Gov, subject_id: SubjectPath, body: SubjectIn) -> SubjectOut:
    attributes = body.model_dump(exclude={"pack"}, exclude_none=True)
    subject = gov.register_subject(who, body.pack, subject_id, attributes)
    return SubjectOut(id=subject_id, pack=body.pack, kind=subject.kind)


@router.get("/subjects/{subject_id}/state", response_model=StateOut,
            summary="Scores, sanctions, holds, fees and appeals as of an instant")
def get_state(who: Caller, gov: Gov, subject_id: SubjectPath, response: Response,
              as_of: AsOf = None) -> StateOut:
    return state_out(gov.state(who, subject_id, as_of_param(as_of, response)))


@router.get("/subjects/{subject_id}/decisions", response_model=list[DecisionOut],
            summary="Every decision about the subject, in time order, with its explanation")
def get_decisions(who: Caller, gov: Gov, subject_id: SubjectPath, response: Response,
                  as_of: AsOf = None) -> list[DecisionOut]:
    return [decision_out(d)
            for d in gov.decisions(who, subject_id, as_of_param(as_of, response))]
