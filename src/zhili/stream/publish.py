"""Loading a history into an event stream: each subject and event on the shard of its
component, subjects first, events in the order the fold takes them.

The partition key of a subject is the first member (by id) of its component in the history:
the subjects its attributes and its links associate it with. Subjects that may affect one
another therefore share a shard, and one consumer folds them in order. An event of no subject
reaches every component, so it goes to every shard (the store keeps it once).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..cli.progress import Report
from ..engine import Fold, Subject
from ..events import Event, LinkObserved, in_time_order
from ..rules import Pack
from .layout import event_message, events_subject, message_id, shard_of, subject_message
from .streams import connect, ensure_streams

WINDOW = 512  # messages awaiting the stream's acknowledgement at once


@dataclass
class Published:
    stream: str
    shards: int
    subjects: int
    events: int
    messages: int
    repeated: int  # messages the stream already held (same Nats-Msg-Id within its window)


def partition_keys(pack: Pack, subjects: Mapping[str, Subject],
                   events: Sequence[Event]) -> dict[str, str]:
    """Each subject's partition key: the first member of its component in this history."""
    fold = Fold(pack, subjects)
    fold.apply_all([e for e in events if isinstance(e, LinkObserved)])  # joins them, only
    keys = {sid: min(comp.subjects) for sid, comp in fold.components.items()}
    for event in events:
        if event.subject is not None:
            keys.setdefault(event.subject, event.subject)
    return keys


def messages(stream: str, pack: Pack, subjects: Mapping[str, Subject], events: Sequence[Event],
             shards: int) -> list[tuple[str, bytes, str]]:
    """``(subject, body, Nats-Msg-Id)`` of every message of the history, in publishing order."""
    keys = partition_keys(pack, subjects, events)
    out: list[tuple[str, bytes, str]] = []
    for sid in sorted(subjects):
        attributes = {k: v for k, v in subjects[sid].to_dict().items() if k != "id"}
        shard = shard_of(keys[sid], shards)
        out.append((events_subject(stream, shard), subject_message(sid, attributes, pack.code),
                    message_id("subject", sid)))
    for event in in_time_order(events):
        body = event_message(event, pack.code)
        targets = (range(shards) if event.subject is None
                   else [shard_of(keys[event.subject], shards)])
        for shard in targets:
            out.append((events_subject(stream, shard), body,
                        message_id("event", f"{event.id}@{shard}")))
    return out


async def publish(url: str, stream: str, pack: Pack, subjects: Mapping[str, Subject],
                  events: Sequence[Event], *, shards: int,
                  progress: Report | None = None) -> Published:
    nc = await connect(url)
    try:
        js = nc.jetstream()
        shards = await ensure_streams(js, stream, shards)
        todo = messages(stream, pack, subjects, events, shards)
        repeated = 0
        for start in range(0, len(todo), WINDOW):
            acks: list[Any] = await asyncio.gather(*(
                js.publish(subject, body, headers={"Nats-Msg-Id": mid})
                for subject, body, mid in todo[start:start + WINDOW]))
            repeated += sum(bool(a.duplicate) for a in acks)
            if progress is not None:
                progress(min(start + WINDOW, len(todo)), len(todo))
        return Published(stream, shards, len(subjects), len(events), len(todo), repeated)
    finally:
        await nc.close()
