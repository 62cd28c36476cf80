"""A history for the stream tests: stores in licence groups, late links, appeals granted and
denied, and an event of no subject, as JSON Lines and a subjects file beside it."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

import yaml

from zhili.engine import Subject
from zhili.events import Event, parse_events

PACK = "wechat_channels"
CST = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 1, 5, 9, tzinfo=CST)
CODES = ("false_health_claim", "exaggerated_efficacy", "counterfeit", "off_platform_inducement",
         "vulgar_live_content", "fake_transactions")


def generate(creators: int, days: int = 120, seed: int = 15) -> tuple[dict[str, Subject],
                                                                        list[dict]]:
    rng = random.Random(seed)
    subjects: dict[str, Subject] = {}
    for i in range(creators):
        group = i // 3 if i % 4 else None  # three of four in a licence group of up to three
        subjects[f"c{i}"] = Subject(f"c{i}", licence=f"L{group}" if group is not None else None,
                                    deposit=Decimal(2000))
    raws: list[dict] = []
    for i in range(creators):
        who = f"c{i}"
        for day in sorted(rng.sample(range(days), 8)):
            at = START + dt.timedelta(days=day, minutes=rng.randrange(600))
            if rng.random() < 0.45:
                vid = f"{who}-v{day}"
                raws.append({"id": vid, "type": "violation", "subject": who, "at": at,
                             "code": rng.choice(CODES), "amount": rng.randrange(50, 3000)})
                if rng.random() < 0.4:  # appealed the next day; some granted, some denied
                    aid = f"{vid}-appeal"
                    raws.append({"id": aid, "type": "appeal_filed", "subject": who,
                                 "violation": vid, "at": at + dt.timedelta(days=1)})
                    raws.append({"id": f"{aid}-decided", "type": "appeal_decided",
                                 "subject": who, "appeal": aid,
                                 "outcome": rng.choice(("granted", "denied")),
                                 "at": at + dt.timedelta(days=3)})
            else:
                raws.append({"id": f"{who}-live{day}", "type": "live_session", "subject": who,
                             "at": at, "minutes": rng.randrange(30, 240),
                             "transactions": rng.randrange(0, 20)})
        if i % 5 == 0 and i + 7 < creators:  # a late link: after both have a history
            raws.append({"id": f"{who}-link", "type": "link_observed", "subject": who,
                         "other": f"c{i + 7}", "via": "device",
                         "at": START + dt.timedelta(days=days - 20)})
    middle = START + dt.timedelta(days=days // 2)
    raws.append({"id": "exempt-1", "type": "exemption_declared", "at": middle,
                 "start": middle, "end": middle + dt.timedelta(days=2), "scope": "all",
                 "reason": "system outage"})
    return subjects, raws


def events_of(raws: list[dict]) -> list[Event]:
    return parse_events(raws)


def write(folder: Path, creators: int, **kwargs) -> tuple[Path, Path]:
    subjects, raws = generate(creators, **kwargs)
    events = folder / "history.jsonl"
    events.write_text("".join(json.dumps(r, default=str, ensure_ascii=False) + "\n"
                              for r in raws), encoding="utf-8")
    people = folder / "subjects.yaml"
    people.write_text(yaml.safe_dump({sid: {k: (str(v) if isinstance(v, Decimal) else v)
                                            for k, v in s.to_dict().items() if k != "id"}
                                      for sid, s in subjects.items()}, allow_unicode=True),
                      encoding="utf-8")
    return events, people


def expected_decisions(subjects: dict[str, Subject], events: list[Event]) -> dict[str, dict]:
    """A plain replay's decisions, as the consumers publish them: each up to its component's
    last event of a subject (time alone, or an event of no subject, decides the rest later)."""
    from zhili.engine import replay
    from zhili.rules import load_pack
    from zhili.stream.publish import partition_keys

    pack = load_pack(PACK)
    keys = partition_keys(pack, subjects, events)
    last: dict[str, dt.datetime] = {}
    for e in events:
        if e.subject is not None:
            key = keys[e.subject]
            last[key] = max(last.get(key, e.at), e.at)
    ledger = replay(events, pack, subjects)
    return {d.id: json.loads(json.dumps(d.to_dict())) for s in ledger.subjects
            for d in ledger.decisions(s) if s in keys and d.at <= last[keys[s]]}
