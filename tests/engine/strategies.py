"""Hypothesis strategies for WeChat Channels histories."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from hypothesis import strategies as st

from zhili.engine import Subject
from zhili.events import Event, parse_event
from zhili.timekit import zone

TZ = zone("Asia/Shanghai")
START = dt.datetime(2026, 1, 1, tzinfo=TZ)
CODES = ["false_health_claim", "exaggerated_efficacy", "similar_trademark",
         "unauthorized_likeness", "counterfeit", "spot_check_failed", "fake_transactions",
         "subsidy_abuse", "after_sales_dispute_rate", "cs_response_timeout",
         "off_platform_inducement", "health_food_claim_violation",
         "imported_health_food_label_missing", "qualification_not_displayed",
         "cross_border_not_eligible", "duty_free_misrepresentation",
         "import_chain_proof_missing", "vulgar_live_content", "live_off_platform_diversion",
         "indecent_live_content", "severe_false_advertising"]
SUBJECTS = ["c1", "c2", "c3"]

instants = st.integers(min_value=0, max_value=500 * 24 * 60).map(
    lambda m: START + dt.timedelta(minutes=m))


@st.composite
def violation(draw: st.DrawFn, subject: str | None = None) -> dict:
    return {"type": "violation", "at": draw(instants), "code": draw(st.sampled_from(CODES)),
            "subject": subject or draw(st.sampled_from(SUBJECTS)),
            "item": draw(st.sampled_from(["sku-1", "sku-2", None])),
            "amount": draw(st.integers(min_value=1, max_value=5000)),
            "flags": draw(st.lists(st.sampled_from(["severe", "duty_free_claim",
                                                    "finance_or_health"]), max_size=2,
                                   unique=True))}


@st.composite
def activity(draw: st.DrawFn, subject: str | None = None) -> dict:
    sid = subject or draw(st.sampled_from(SUBJECTS))
    if draw(st.booleans()):
        return {"type": "live_session", "at": draw(instants), "subject": sid,
                "minutes": draw(st.integers(min_value=0, max_value=400)),
                "transactions": draw(st.integers(min_value=0, max_value=3))}
    return {"type": "deposit_paid", "at": draw(instants), "subject": sid,
            "amount": draw(st.integers(min_value=100, max_value=5000))}


@st.composite
def history(draw: st.DrawFn, subject: str | None = None, max_size: int = 30) -> list[Event]:
    raws = draw(st.lists(st.one_of(violation(subject), activity(subject)), min_size=1,
                         max_size=max_size))
    out = []
    for i, raw in enumerate(raws):
        raw = {k: v for k, v in raw.items() if v is not None}
        out.append(parse_event({**raw, "id": f"e{i}"}))
    return out


@st.composite
def subjects(draw: st.DrawFn) -> dict[str, Subject]:
    licence = draw(st.sampled_from([None, "L-1"]))
    out = {}
    for sid in SUBJECTS:
        out[sid] = Subject(sid, deposit=Decimal(draw(st.integers(0, 30000))),
                           base_deposit=Decimal(1000), main=sid == "c1",
                           licence=licence if sid != "c3" else None)
    return out


@st.composite
def entangled_history(draw: st.DrawFn) -> list[Event]:
    """A history whose subjects meet: links observed between them (one with a subject no
    declaration knows), and appeals, granted or not, against some of the violations."""
    events = draw(history(max_size=25))
    extra = []
    for i in range(draw(st.integers(0, 3))):
        a, b = draw(st.permutations([*SUBJECTS, "c4"]))[:2]
        extra.append({"id": f"link{i}", "type": "link_observed", "at": draw(instants),
                      "subject": a, "other": b, "via": draw(st.sampled_from(["device", "ip"]))})
    violations = [e for e in events if e.type == "violation"]
    for i, voided in enumerate(draw(st.lists(st.sampled_from(violations), max_size=2,
                                             unique_by=lambda e: e.id)) if violations else []):
        filed = voided.at + dt.timedelta(hours=draw(st.integers(1, 10 * 24)))
        extra.append({"id": f"ap{i}", "type": "appeal_filed", "at": filed,
                      "subject": voided.subject, "violation": voided.id})
        extra.append({"id": f"ad{i}", "type": "appeal_decided", "subject": voided.subject,
                      "at": filed + dt.timedelta(hours=draw(st.integers(1, 300))),
                      "appeal": f"ap{i}",
                      "outcome": draw(st.sampled_from(["granted", "denied"]))})
    return events + [parse_event(raw) for raw in extra]


def arrival_order(events: list, rnd: random.Random) -> list:
    """The events shuffled, except that an appeal never arrives before the violation it
    appeals nor a decision before its appeal (the service refuses those batches)."""
    shuffled = list(events)
    rnd.shuffle(shuffled)
    out: list = []
    placed: set[str] = set()
    waiting: list = []
    for event in shuffled:
        waiting.append(event)
        progressed = True
        while progressed:
            progressed = False
            for e in list(waiting):
                needs = getattr(e, "violation", None) or getattr(e, "appeal", None)
                if needs is None or needs in placed:
                    waiting.remove(e)
                    out.append(e)
                    placed.add(e.id)
                    progressed = True
    return out + waiting
