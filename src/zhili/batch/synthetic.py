"""A synthetic WeChat Channels history at platform scale, for demos, tests and benchmarks.

Deterministic for a seed. Its shape follows a showcase platform: most creators rarely violate
and live activity dominates (by default 7% of events are violations, 2% deposit top-ups, the
rest live sessions); activity is skewed (a Pareto draw: a few creators stream daily, most now
and then). Association matters: some creators share a business licence (groups of 2 to 5 with
a main account), some share a device with others, and a few links are observed during the
year, joining components late; some violations are appealed, and appeals are granted or denied.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from ..engine import Subject
from ..events import (
    AppealDecided,
    AppealFiled,
    DepositPaid,
    Event,
    LinkObserved,
    LiveSession,
    Violation,
)
from ..timekit import zone

START = dt.datetime(2026, 1, 1, tzinfo=zone("Asia/Shanghai"))
# The violations a creator is penalised for, weighted by how often they occur.
CODES = (["cs_response_timeout"] * 30 + ["exaggerated_efficacy"] * 20
         + ["false_health_claim"] * 10 + ["vulgar_live_content"] * 15
         + ["live_off_platform_diversion"] * 5 + ["similar_trademark"] * 5
         + ["off_platform_inducement"] * 5 + ["imported_health_food_label_missing"] * 4
         + ["qualification_not_displayed"] * 4 + ["counterfeit"] * 1 + ["fake_transactions"] * 1)


@dataclass(frozen=True)
class Shape:
    """What the history looks like; shares are of creators, of events or of violations."""

    events_per_creator: float = 11.0   # the mean over a year; scaled to the days generated
    violation_share: float = 0.07      # of events
    deposit_share: float = 0.02        # of events
    licence_group_share: float = 0.03  # of creators: each starts a licence group of 2 to 5
    device_share: float = 0.03         # of creators: each shares a device with about 2 others
    link_share: float = 0.005          # of creators: a link to an earlier creator observed
    appeal_share: float = 0.05         # of violations: appealed, half of them granted
    long_creator_events: int = 0       # if > 0, creator c0 has this many events


def creators(n: int, days: int, seed: int, shape: Shape = Shape()
             ) -> Iterator[tuple[Subject, list[Event]]]:
    """Each creator in turn with its events (the events a creator's links and appeals make
    included), so that a history of millions of events can be written without holding it."""
    rnd = random.Random(seed)
    seconds = days * 24 * 3600
    mean = shape.events_per_creator * days / 365
    live_share = 1.0 - shape.violation_share - shape.deposit_share
    devices = max(1, int(n * shape.device_share / 3))
    group_left, licence, main = 0, None, False
    for c in range(n):
        sid = f"c{c}"
        if group_left == 0 and rnd.random() < shape.licence_group_share:
            group_left, licence, main = rnd.randint(2, 5), f"L{c}", True
        attrs: dict[str, object] = {"deposit": rnd.choice((2000, 5000, 20000))}
        if group_left:
            attrs.update(licence=licence, main=main)
            group_left, main = group_left - 1, False
            if group_left == 0:
                licence = None
        if rnd.random() < shape.device_share:
            attrs["devices"] = [f"dev-{rnd.randrange(devices)}"]
        subject = Subject.from_mapping(sid, attrs)
        count = (shape.long_creator_events if c == 0 and shape.long_creator_events
                 else max(1, int(rnd.paretovariate(1.6) * mean / 2.7)))
        events: list[Event] = []
        for k in range(count):
            at = START + dt.timedelta(seconds=rnd.randrange(seconds))
            roll = rnd.random()
            eid = f"{sid}-{k}"
            if roll < live_share:
                events.append(LiveSession(eid, at, sid, minutes=float(rnd.randint(20, 240)),
                                          transactions=rnd.randint(0, 30)))
            elif roll < live_share + shape.violation_share:
                events.append(Violation(eid, at, sid, code=rnd.choice(CODES),
                                        item=f"sku-{rnd.randint(1, 50)}",
                                        amount=Decimal(rnd.randint(50, 5000)),
                                        flags=("severe",) if rnd.random() < 0.1 else ()))
                if rnd.random() < shape.appeal_share:
                    events += _appeal(rnd, eid, at, sid)
            else:
                events.append(DepositPaid(eid, at, sid, amount=Decimal(rnd.choice((500, 2000)))))
        if c and rnd.random() < shape.link_share:
            at = START + dt.timedelta(seconds=rnd.randrange(seconds))
            events.append(LinkObserved(f"{sid}-link", at, sid, other=f"c{rnd.randrange(c)}",
                                       via=rnd.choice(("device", "ip"))))
        yield subject, events


def _appeal(rnd: random.Random, violation: str, at: dt.datetime, sid: str) -> list[Event]:
    """An appeal filed within a day or two of the violation, decided a few days later."""
    filed = at + dt.timedelta(hours=rnd.randint(1, 48))
    decided = filed + dt.timedelta(days=rnd.randint(1, 6))
    outcome = "granted" if rnd.random() < 0.5 else "denied"
    return [AppealFiled(f"{violation}-appeal", filed, sid, violation=violation),
            AppealDecided(f"{violation}-decision", decided, sid, appeal=f"{violation}-appeal",
                          outcome=outcome)]


def generate(n: int, days: int = 365, seed: int = 7, shape: Shape = Shape(),
             progress: Callable[[int, int], None] | None = None
             ) -> tuple[dict[str, Subject], list[Event]]:
    """The whole history in memory: subjects by id, and events in no particular order."""
    subjects: dict[str, Subject] = {}
    events: list[Event] = []
    for i, (subject, own) in enumerate(creators(n, days, seed, shape)):
        subjects[subject.id] = subject
        events += own
        if progress is not None and i % 10_000 == 0:
            progress(i, n)
    if progress is not None:
        progress(n, n)
    return subjects, events
