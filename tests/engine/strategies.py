"""Hypothesis strategies for WeChat Channels histories."""

from __future__ import annotations

import datetime as dt
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
