"""``build_demo``: the demo dataset generated, loaded into a store, ready to serve."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from ..events import parse_events
from ..i18n import _
from ..timekit import DEFAULT_ZONE, zone
from . import orders as demo_orders
from . import stories


@dataclass
class Built:
    url: str
    end: dt.datetime
    packs: list[str]
    subjects: dict[str, str]            # subject -> pack
    admin_key: str
    reviewer_key: str
    merchant_key: str
    merchant: str
    counts: dict[str, int] = field(default_factory=dict)


def _pack_rules(code: str) -> set[str] | None:
    from ..rules import load_pack

    return set(load_pack(code).rules)


def casts(end: dt.datetime, rng: random.Random, packs: list[str]) -> list[stories.Cast]:
    """The stories of every pack that exists, keeping only violations of rules it defines."""
    cal = stories.Calendar(end, rng)
    makers: dict[str, Callable[[], stories.Cast]] = {
        "wechat_channels": lambda: stories.wechat_channels(cal),
        "wechat_store": lambda: stories.wechat_store(cal),
        "pinduoduo_global": lambda: stories.pinduoduo_global(cal),
        "tmall_global": lambda: stories.global_stores(cal, "tmall_global"),
        "douyin_global": lambda: stories.global_stores(cal, "douyin_global"),
        "aliexpress": lambda: stories.aliexpress(cal),
    }
    out = []
    for pack in packs:
        if pack not in makers:
            continue
        cast = makers[pack]()
        rules = _pack_rules(pack) or set()
        kept = {e["id"] for e in cast.events
                if e["type"] != "violation" or e["code"] in rules}
        cast.events = [e for e in cast.events if e["id"] in kept
                       and (e["type"] != "appeal_filed" or e["violation"] in kept)]
        appeals = {e["id"] for e in cast.events if e["type"] == "appeal_filed"}
        cast.events = [e for e in cast.events if "appeal" not in e or e["appeal"] in appeals]
        out.append(cast)
    return out


def build_demo(url: str, *, seed: int = 7, end: dt.datetime | None = None,
               progress: Callable[[str], None] = lambda message: None) -> Built:
    """Generate the demo's year up to ``end`` (default: this morning), load it into ``url``."""
    from ..api.auth import create_key
    from ..engine import Subject
    from ..rules import available_packs
    from ..store import StateService, open_store

    end = end or dt.datetime.now(zone(DEFAULT_ZONE)).replace(minute=0, second=0, microsecond=0)
    rng = random.Random(seed)
    packs = list(available_packs())
    store = open_store(url)
    states = StateService(store)
    subjects: dict[str, str] = {}
    counts: dict[str, int] = {}
    try:
        for cast in casts(end, rng, packs):
            for sid, attributes in cast.subjects.items():
                store.put_subject(cast.pack, Subject.from_mapping(sid, attributes))
                subjects[sid] = cast.pack
            events = parse_events(cast.events)
            if cast.pack == "aliexpress":
                events += _order_findings(store, end, rng, cast, events)
            result = states.ingest(events, pack=cast.pack)
            counts[cast.pack] = len(result.stored)
            progress(_("%(pack)s: %(subjects)d subjects, %(events)d events") % {
                "pack": cast.pack, "subjects": len(cast.subjects), "events": len(result.stored)})
        if "wechat_channels" in subjects.values():
            _demo_shadow(store, end)
        merchant = "xinghe-lulu" if "xinghe-lulu" in subjects else next(iter(subjects), "")
        _key_id, admin_key = create_key(store, "admin")
        _key_id, reviewer_key = create_key(store, "reviewer")
        _key_id, merchant_key = create_key(store, "merchant", merchant) if merchant else ("", "")
    finally:
        store.close()
    return Built(url=url, end=end, packs=packs, subjects=subjects, admin_key=admin_key,
                 reviewer_key=reviewer_key, merchant_key=merchant_key, merchant=merchant,
                 counts=counts)


def _demo_shadow(store, end: dt.datetime) -> None:
    """A candidate the console's shadows page compares with the live rules: WeChat Channels'
    band fees charged on every entry into a band (the pack's own alternative reading)."""
    from ..shadow import Shadows

    Shadows(store, lambda: end).add("per-entry-fees", "wechat_channels",
                                    {"params": {"bands.fee_mode": "per_entry"}})


def _order_findings(store, end: dt.datetime, rng: random.Random, cast: stories.Cast,
                    events: list) -> list:
    """Assess the demo's orders with the order detector, and chart their lines for the
    console's logistics panel."""
    from ..api.line_watch import check_orders, record_orders
    from ..engine import Subject

    rows = demo_orders.generate(end, rng)
    subjects = {sid: Subject.from_mapping(sid, a) for sid, a in cast.subjects.items()}
    checked = check_orders(rows, cast.pack, end, events, subjects)
    record_orders(store, cast.pack, checked, end)
    return checked.violations
