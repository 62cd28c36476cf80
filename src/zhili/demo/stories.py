"""The demo's cast and what happens to them over a year, pack by pack.

Each story is a list of raw events (as in scenario files) relative to the demo's last day, so
the console always opens on a living year: recoveries under way, appeals waiting, a logistics
line close to its threshold. Codes are the packs' own; a story line whose rule
a pack does not define is left out, so the demo follows the packs as they grow.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

STAMP = "%Y-%m-%d %H:%M"
AGENCY_LICENCE = "91310115MA1H7XKQ2B"  # 星河传媒 (an agency, 代运营) runs these creators


@dataclass
class Cast:
    """Subjects of one pack, with their attributes, and their events."""

    pack: str
    subjects: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)


class Calendar:
    """Instants counted back from the demo's last day, at plausible local hours."""

    def __init__(self, end: dt.datetime, rng: random.Random):
        self.end, self.rng = end, rng

    def ago(self, days: float, hour: int | None = None) -> str:
        t = self.end - dt.timedelta(days=days)
        if hour is not None:
            t = t.replace(hour=hour, minute=self.rng.randrange(0, 60, 5))
        return t.strftime(STAMP)


def _live_weeks(cal: Calendar, subject: str, weeks: int, skip: set[int]) -> Iterator[dict]:
    """Two or three evening sessions a week: enough effective live time to earn recovery."""
    for week in range(weeks):
        if week in skip:
            continue
        for day in cal.rng.sample(range(7), 3):
            yield {"id": f"live:{subject}:{week}:{day}", "type": "live_session",
                   "subject": subject, "at": cal.ago(7 * week + day, hour=20),
                   "minutes": cal.rng.choice([95, 110, 125, 140]),
                   "transactions": cal.rng.randint(3, 60)}


def wechat_channels(cal: Calendar) -> Cast:
    cast = Cast("wechat_channels")
    agency = {"licence": AGENCY_LICENCE, "deposit": 20000, "base_deposit": 20000}
    cast.subjects = {
        "xinghe-main": {"kind": "creator", "main": True, **agency},
        "xinghe-lulu": {"kind": "creator", **agency, "categories": ["cosmetics"]},
        "xinghe-dabao": {"kind": "creator", **agency, "categories": ["health_food"]},
        "xinghe-tiantian": {"kind": "creator", **agency, "categories": ["health_supplement"]},
        "chen-kitchen": {"kind": "creator", "deposit": 10000, "base_deposit": 10000,
                         "categories": ["food"]},
        "momo-live": {"kind": "creator", "deposit": 5000, "base_deposit": 5000},
    }
    ev = cast.events
    for sid in cast.subjects:
        ev.append({"id": f"deposit:{sid}", "type": "deposit_paid", "subject": sid,
                   "at": cal.ago(360, hour=9), "amount": cast.subjects[sid]["deposit"]})
        ev.extend(_live_weeks(cal, sid, 50, skip={3, 4} if sid == "momo-live" else set()))

    def violation(vid: str, sid: str, days: float, code: str, **more: Any) -> None:
        ev.append({"id": vid, "type": "violation", "subject": sid, "at": cal.ago(days, hour=14),
                   "code": code, **more})

    violation("v-lulu-1", "xinghe-lulu", 300, "false_health_claim", item="面霜-sku-9")
    violation("v-lulu-2", "xinghe-lulu", 200, "exaggerated_efficacy", item="瘦身茶-sku-3")
    violation("v-lulu-3", "xinghe-lulu", 150, "exaggerated_efficacy", item="瘦身茶-sku-3")
    violation("v-lulu-4", "xinghe-lulu", 2, "false_health_claim", item="胶原蛋白-sku-5")
    violation("v-dabao-1", "xinghe-dabao", 120, "similar_trademark", item="nutri-sku-1")
    violation("v-dabao-2", "xinghe-dabao", 60, "unauthorized_likeness", item="nutri-sku-2")
    violation("v-tian-1", "xinghe-tiantian", 20, "counterfeit", item="鱼油-sku-7")
    violation("v-chen-1", "chen-kitchen", 9, "qualification_not_displayed", item="辣酱-sku-1")
    violation("v-momo-1", "momo-live", 240, "vulgar_live_content", score="live_safety")
    violation("v-momo-2", "momo-live", 180, "live_off_platform_diversion", score="live_safety",
              flags=["severe"])
    violation("v-momo-3", "momo-live", 6, "vulgar_live_content", score="live_safety",
              flags=["severe"])
    # Appeals: one denied, one granted (the violation and all that followed are undone),
    # and the rest waiting in the reviewer's queue at different points of their deadlines.
    appeal = _appeal_events(cal, ev)
    appeal("a-lulu-1", "xinghe-lulu", "v-lulu-1", after=1, decided=(296, "denied"))
    appeal("a-dabao-2", "xinghe-dabao", "v-dabao-2", after=2, decided=(55, "granted"))
    appeal("a-tian-1", "xinghe-tiantian", "v-tian-1", after=18.8, complex=True)
    appeal("a-chen-1", "chen-kitchen", "v-chen-1", after=0.5)
    appeal("a-momo-3", "momo-live", "v-momo-3", after=1.5, requested=0.1)
    return cast


def _appeal_events(cal: Calendar, ev: list[dict[str, Any]]):
    # An appeal is dated from its violation, not from the demo's end: counted back from the end,
    # it would fall before a violation raised later in the same day at some hours of the clock.
    def appeal(aid: str, sid: str, violation: str, *, after: float, complex: bool = False,
               requested: float | None = None, decided: tuple[float, str] | None = None) -> None:
        raised = next(dt.datetime.strptime(e["at"], STAMP) for e in ev if e["id"] == violation)
        filed = (raised + dt.timedelta(days=after)).strftime(STAMP)
        ev.append({"id": aid, "type": "appeal_filed", "subject": sid, "at": filed,
                   "violation": violation, "complex": complex,
                   "materials": ["质检报告 QC report", "品牌授权书 authorisation letter"]})
        if requested is not None:
            ev.append({"id": f"{aid}:request", "type": "material_requested", "subject": sid,
                       "at": cal.ago(requested), "appeal": aid})
        if decided is not None:
            ev.append({"id": f"{aid}:decision", "type": "appeal_decided", "subject": sid,
                       "at": cal.ago(decided[0]), "appeal": aid, "outcome": decided[1]})
    return appeal


def wechat_store(cal: Calendar) -> Cast:
    cast = Cast("wechat_store")
    cast.subjects = {
        "shop-tangka": {"kind": "store", "deposit": 50000, "categories": ["thangka", "dzi_bead"],
                        "registered_warehouses": ["拉萨仓"]},
        "shop-quick": {"kind": "store", "deposit": 10000, "registered_warehouses": ["义乌仓"]},
    }
    ev = cast.events
    ev.append({"id": "insp-on", "type": "inspection_enabled", "subject": "shop-tangka",
               "at": cal.ago(200, hour=10)})
    for i, (app_, mat) in enumerate([("pass", "pass"), ("fail", "pass"), ("pass", "pass")]):
        ev.append({"id": f"insp-{i}", "type": "inspection_result", "subject": "shop-tangka",
                   "at": cal.ago(150 - 20 * i, hour=11), "order": f"o-tk-{i}",
                   "appearance": app_, "material": mat})
    ev.append({"id": "spot-1", "type": "spot_check_result", "subject": "shop-tangka",
               "at": cal.ago(70, hour=15), "item": "天珠-sku-2", "result": "fail",
               "supplier": "华测检测"})
    for i, days in enumerate((210, 95, 12)):
        ev.append({"id": f"ds-{i}", "type": "drop_shipping_determined", "subject": "shop-quick",
                   "at": cal.ago(days, hour=16), "items": [f"quick-sku-{i}"]})
    return cast


def pinduoduo_global(cal: Calendar) -> Cast:
    cast = Cast("pinduoduo_global", {"pdd-haitao": {"kind": "store"}})
    ev = cast.events
    ev.append({"id": "pdd-deadline", "type": "document_deadline", "subject": "pdd-haitao",
               "at": cal.ago(120, hour=9), "doc_type": "circulation_proof",
               "due": cal.ago(90, hour=23)})
    ev.append({"id": "pdd-doc-1", "type": "document_submitted", "subject": "pdd-haitao",
               "at": cal.ago(100, hour=10), "doc_type": "circulation_proof",
               "doc_id": "cp-1", "valid_until": cal.ago(-300)})
    ev.append({"id": "pdd-review-1", "type": "document_reviewed", "subject": "pdd-haitao",
               "at": cal.ago(97, hour=10), "doc_id": "cp-1", "result": "noncompliant"})
    return cast


def global_stores(cal: Calendar, pack: str) -> Cast:
    sid = "tm-beauty" if pack == "tmall_global" else "dy-muying"
    cast = Cast(pack, {sid: {"kind": "store", "deposit": 30000,
                             "categories": ["cosmetics", "infant_formula"]}})
    for i, (days, code) in enumerate([(280, "extreme_words"), (160, "false_efficacy"),
                                      (75, "unauthorized_badge"), (30, "ip_infringement"),
                                      (8, "infant_formula_violation"),
                                      (3, "live_sensitive_terms")]):
        cast.events.append({"id": f"{sid}-v{i}", "type": "violation", "subject": sid,
                            "at": cal.ago(days, hour=13), "code": code})
    return cast


def aliexpress(cal: Calendar) -> Cast:
    cast = Cast("aliexpress", {"ae-3c": {"kind": "store", "deposit": 10000},
                               "ae-home": {"kind": "store", "deposit": 10000}})
    for sid in cast.subjects:
        cast.events.append({"id": f"deposit:{sid}", "type": "deposit_paid", "subject": sid,
                            "at": cal.ago(360, hour=9), "amount": 10000})
    cast.events.append({"id": "ae-fraud", "type": "fraud_determined", "subject": "ae-home",
                        "at": cal.ago(40, hour=12), "reason": "fake_delivery"})
    return cast
