"""A large synthetic portfolio: thousands of subjects across packs, for timing the console's
subjects list and for trying its search and filters on more than a demo's dozen.

Deterministic for a seed. About a third of the subjects have violations, some a sanction; every
Tmall Global store files its documents, some of them close to expiry.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from ..engine import Subject
from ..events import parse_events

# (pack, subject kind, violation codes the pack defines, categories)
PROFILES = (
    ("wechat_channels", "creator", ("exaggerated_efficacy", "false_health_claim"),
     ("health_supplement",)),
    ("tmall_global", "store", ("extreme_words", "false_efficacy", "unauthorized_badge"), ()),
    ("wechat_store", "store", ("spot_check_failed", "inspection_failed"), ()),
)
NAMES = ("星河", "晨光", "海淘", "悦享", "优选", "臻品", "嘉禾", "云栖", "森林", "鹿鸣")
SHOPS = ("美妆旗舰店", "母婴专营店", "保健品店", "好物小店", "跨境海外店")
TMALL_DOCS = ("overseas_company_registration", "brand_authorisation_chain", "qc_report")


def subjects(n: int, seed: int = 11) -> Iterator[tuple[str, str, Subject]]:
    """``(pack, id, Subject)`` for ``n`` subjects, round-robin over the profiles."""
    rng = random.Random(seed)
    for i in range(n):
        pack, kind, _, cats = PROFILES[i % len(PROFILES)]
        sid = f"{''.join(w[0] for w in pack.split('_'))}-{i:05d}"  # wc-, tg-, ws-
        name = f"{rng.choice(NAMES)}{rng.choice(SHOPS)} {i:05d}"
        licence = f"9131{rng.randrange(10**13, 10**14)}"
        yield pack, sid, Subject.from_mapping(sid, {"kind": kind, "name": name,
                                                    "licence": licence,
                                                    "categories": list(cats)})


def events_of(pack: str, sid: str, index: int, end: dt.datetime,
              rng: random.Random) -> list[dict[str, Any]]:
    profile = next(p for p in PROFILES if p[0] == pack)
    out: list[dict[str, Any]] = []
    if pack == "tmall_global":
        for d, doc in enumerate(TMALL_DOCS):
            # Valid for a year from filing; filing dates spread so some expire within months.
            filed = end - dt.timedelta(days=rng.randrange(30, 360))
            out.append({"id": f"{sid}-doc{d}", "type": "document_submitted", "subject": sid,
                        "at": filed.isoformat(), "doc_type": doc, "doc_id": f"{sid}-d{d}",
                        "valid_until": (filed + dt.timedelta(days=365)).isoformat()})
            out.append({"id": f"{sid}-rev{d}", "type": "document_reviewed", "subject": sid,
                        "at": (filed + dt.timedelta(days=2)).isoformat(),
                        "doc_id": f"{sid}-d{d}", "result": "accepted"})
    if index % 3 == 0:
        for k in range(1 + index % 2):
            at = end - dt.timedelta(days=rng.randrange(1, 300), hours=rng.randrange(24))
            out.append({"id": f"{sid}-v{k}", "type": "violation", "subject": sid,
                        "at": at.isoformat(), "code": rng.choice(profile[2]),
                        "item": f"sku-{k}"})
    if not out:  # every subject has a history, so it has a state to list
        out.append({"id": f"{sid}-dep", "type": "deposit_paid", "subject": sid,
                    "at": (end - dt.timedelta(days=400)).isoformat(), "amount": 2000})
    return out


def load_crowd(store, states, n: int, end: dt.datetime, seed: int = 11) -> dict[str, int]:
    """Register ``n`` subjects and ingest their histories; returns subjects per pack."""
    rng = random.Random(seed)
    batches: dict[str, list[dict[str, Any]]] = {}
    counts: dict[str, int] = {}
    for i, (pack, sid, subject) in enumerate(subjects(n, seed)):
        store.put_subject(pack, subject)
        batches.setdefault(pack, []).extend(events_of(pack, sid, i, end, rng))
        counts[pack] = counts.get(pack, 0) + 1
    for pack, raws in batches.items():
        states.ingest(parse_events(raws), pack=pack)
    return counts
