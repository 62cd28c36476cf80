"""Realistic traffic for `load.py --realistic`: a platform's last days of WeChat Channels events
over many creators in association groups, split between producers that deliver out of order.

- creators form groups of 1 to 6 linked by a shared device or IP (``link_observed`` early in
  the window), and 1% of the groups are linked to another group later on, which merges their
  components while traffic flows;
- most events are live sessions; ~4% are violations, and ~15% of those are appealed in the
  platform's import (filed within two days, half of them decided, granted or denied);
- each group belongs to one producer; a producer delivers its events in time order, except a
  share (5% by default) held back by up to a day, which arrive late.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

CODES = ("exaggerated_efficacy", "cs_response_timeout", "qualification_not_displayed",
         "false_health_claim")
DAY = dt.timedelta(days=1)


@dataclass
class Traffic:
    producers: list[list[dict]]  # each producer's events, in the order it delivers them
    violations: dict[str, list[str]] = field(default_factory=dict)  # subject -> violation ids
    groups: list[list[str]] = field(default_factory=list)
    late: int = 0  # events delivered after a later event of their producer

    @property
    def events(self) -> int:
        return sum(len(p) for p in self.producers)


def generate(events: int, subjects: int, producers: int, late_share: float, end: dt.datetime,
             days: int = 5, seed: int = 7) -> Traffic:
    rng = random.Random(seed)
    start = end - days * DAY
    span = (end - start).total_seconds()
    ids = [f"cr{i:05d}" for i in range(subjects)]
    groups: list[list[str]] = []
    i = 0
    while i < len(ids):
        size = rng.choice((1, 1, 2, 2, 3, 4, 6))
        groups.append(ids[i:i + size])
        i += size
    appealed: set[str] = set()  # violations appealed in the import never arrive late
    raw: list[tuple[int, dict]] = []  # (group, event)

    def put(group: int, event: dict) -> None:
        raw.append((group, event))

    for g, members in enumerate(groups):
        for k, other in enumerate(members[1:]):
            when = start + dt.timedelta(seconds=rng.uniform(0, 0.1 * span))
            put(g, {"id": f"ln{g}-{k}", "type": "link_observed", "at": when, "subject": members[0],
                    "other": other, "via": rng.choice(("device", "ip"))})
        if rng.random() < 0.01 and len(groups) > 1:  # a link found later joins two groups
            when = start + dt.timedelta(seconds=rng.uniform(0.3 * span, span))
            other = rng.choice(groups[rng.randrange(len(groups))])
            if other not in members:
                put(g, {"id": f"lx{g}", "type": "link_observed", "at": when,
                        "subject": members[0], "other": other, "via": "ip"})
    group_of = {sid: g for g, members in enumerate(groups) for sid in members}
    traffic = Traffic(producers=[[] for _ in range(producers)], groups=groups)
    n = 0
    while len(raw) < events:
        n += 1
        sid = ids[rng.randrange(subjects)]
        when = start + dt.timedelta(seconds=rng.uniform(0, span))
        g = group_of[sid]
        if rng.random() < 0.04:
            vid = f"v{n}"
            put(g, {"id": vid, "type": "violation", "at": when, "subject": sid,
                    "code": rng.choice(CODES)})
            traffic.violations.setdefault(sid, []).append(vid)
            if rng.random() < 0.15:
                appealed.add(vid)
                filed = when + dt.timedelta(hours=rng.uniform(1, 48))
                decided = filed + dt.timedelta(hours=rng.uniform(1, 72))
                if decided < end:
                    put(g, {"id": f"ap{n}", "type": "appeal_filed", "at": filed,
                            "subject": sid, "violation": vid})
                    if rng.random() < 0.5:
                        put(g, {"id": f"ad{n}", "type": "appeal_decided", "at": decided,
                                "subject": sid, "appeal": f"ap{n}",
                                "outcome": rng.choice(("granted", "denied"))})
        else:
            put(g, {"id": f"e{n}", "type": "live_session", "at": when, "subject": sid,
                    "minutes": rng.choice((60, 90, 120)), "transactions": rng.randint(0, 30)})
    for g, event in raw:
        delivered = event["at"]
        if rng.random() < late_share and event["type"] in ("live_session", "violation") \
                and event["id"] not in appealed:
            delivered = delivered + dt.timedelta(seconds=rng.uniform(60, DAY.total_seconds()))
            traffic.late += 1
        traffic.producers[g % producers].append({**event, "_delivered": delivered})
    for queue in traffic.producers:
        queue.sort(key=lambda e: (e["_delivered"], e["id"]))
        for event in queue:
            del event["_delivered"]
            event["at"] = event["at"].isoformat()
    return traffic
