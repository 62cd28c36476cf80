"""The appeal flow (视频号橱窗达人违规管理规则 2025): filing within the window, working-day deadlines, requests for
material, and decisions; a grant stops the component's fold so that it is folded again without
the violation. Each handler takes the component fold and the event."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from .. import events as ev
from ..errors import EventError
from ..i18n import _
from ..timekit import add_working_days
from .book import AppealBook, SubjectBook
from .effects import DAY, prov_of

if TYPE_CHECKING:
    from .fold import ComponentFold


def appeal_filed(fold: ComponentFold, e: ev.AppealFiled) -> None:
    appeals = fold.pack.appeals
    if appeals is None:
        raise EventError(_("pack %(code)s has no appeal flow")
                         % {"code": fold.pack.code}, path="type")
    owner = fold.violation_owner.get(e.violation)
    if owner is None:
        raise EventError(_("appeal %(id)s: no violation or determination %(violation)r was "
                           "recorded before it")
                         % {"id": e.id, "violation": e.violation}, path="violation")
    book = fold.touch(e.subject or owner[0], e.at)
    window = DAY * float(appeals.window_days.at(e.at))
    late = e.at > owner[1] + window
    days = int((appeals.complex_due_working_days if e.complex
                else appeals.due_working_days).at(e.at))
    due, assumed = (None, False) if late else add_working_days(e.at, days,
                                                               fold.pack.timezone)
    status = "rejected_late" if late else "open"
    book.keyed("appeals")[e.id] = AppealBook(e.id, e.violation, e.at, e.complex, due, assumed,
                                    [(e.at, status)])
    fold.own("appeal_owner")[e.id] = book.subject.id
    note = (" — the working-day calendar has no data for that year; Monday–Friday assumed"
            if assumed else "")
    text = (f"appeal against {e.violation} filed after the {window.days}-day window"
            if late else f"appeal against {e.violation} open; decision due in {days} working "
            f"days{note}")
    fold.effects.decide(book, e.at, "appeal", "appeals", e.id,
                        {"appeal": e.id, "violation": e.violation, "status": status,
                         "due": due, "assumed_weekdays": assumed}, text,
                        prov_of(appeals), {"violation_at": owner[1], "complex": e.complex})


def _appeal(fold: ComponentFold, e: Any) -> tuple[SubjectBook, AppealBook]:
    sid = fold.appeal_owner.get(e.appeal)
    if sid is None:
        raise EventError(_("no appeal %(appeal)r was filed before this event")
                         % {"appeal": e.appeal}, path="appeal")
    book = fold.touch(sid, e.at)
    return book, book.appeals[e.appeal]


def material_requested(fold: ComponentFold, e: ev.MaterialRequested) -> None:
    book, appeal = _appeal(fold, e)
    if appeal.status_at(e.at)[0] != "open":
        return
    hours = float(fold.pack.appeals.material_hours.at(e.at))  # type: ignore[union-attr]
    appeal.material_due = e.at + dt.timedelta(hours=hours)
    appeal.history.append((e.at, "awaiting_material"))
    fold.effects.decide(book, e.at, "appeal", "appeals", e.id,
                        {"appeal": appeal.id, "status": "awaiting_material",
                         "material_due": appeal.material_due},
                        f"more material requested; due within {hours:g} hours or the appeal "
                        "lapses", prov_of(fold.pack.appeals))


def material_submitted(fold: ComponentFold, e: ev.MaterialSubmitted) -> None:
    _, appeal = _appeal(fold, e)
    if appeal.status_at(e.at)[0] == "awaiting_material":
        appeal.history.append((e.at, "open"))


def appeal_decided(fold: ComponentFold, e: ev.AppealDecided) -> None:
    book, appeal = _appeal(fold, e)
    status = appeal.status_at(e.at)[0]
    if status not in ("open", "awaiting_material"):
        fold.effects.decide(book, e.at, "appeal", "appeals", e.id,
                            {"appeal": appeal.id, "ignored": e.outcome, "status": status},
                            f"decision {e.outcome} ignored: the appeal is {status}", {})
        return
    if e.outcome == "granted" and appeal.violation not in fold.voided:
        fold.grant = (e.at, appeal.violation, appeal.id)
        return
    appeal.history.append((e.at, e.outcome))
    fold.effects.decide(book, e.at, "appeal", "appeals", e.id,
                        {"appeal": appeal.id, "status": e.outcome,
                         "on_time": appeal.due is None or e.at <= appeal.due},
                        f"appeal {e.outcome}" + ("; the violation is void and everything "
                                                 "that followed from it recomputed"
                                                 if e.outcome == "granted" else ""),
                        prov_of(fold.pack.appeals))
