"""Where an event stream keeps what: its subjects, shards, consumers, leases and messages.

A stream ``S`` holds the events on one subject per shard, ``S.events.<shard>``; the stream's
own configuration lists them, so its shard count is read from it, never configured twice. What
the consumers decide goes out on ``S.decisions.<pack>.<kind>`` and ``S.notices.<pack>.<notice>``
(kept by the stream ``S_out``), messages the rules refuse on ``S.rejected``. Each shard has one
durable pull consumer, ``shard_<k>``; the lease of a shard and the roll of live consumers are
keys of the key-value bucket ``S_leases``. See docs/stream.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zlib import crc32

from ..errors import InputError
from ..events import Event, event_to_dict, parse_event
from ..i18n import _

DEFAULT_SHARDS = 8
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TOKEN = re.compile(r"[^A-Za-z0-9_-]")


def check_stream(name: str) -> str:
    """A stream name, also used as the first token of its subjects."""
    if not _NAME.match(name):
        raise InputError(_("a stream name is 1 to 64 letters, digits, _ or -, got %(name)r")
                         % {"name": name}, path="--stream")
    return name


def events_subject(stream: str, shard: int) -> str:
    return f"{stream}.events.{shard}"


def shard_subjects(stream: str, shards: int) -> list[str]:
    return [events_subject(stream, k) for k in range(shards)]


def shards_of(stream: str, subjects: list[str] | None) -> int:
    """How many shards a stream has, from the subjects its configuration lists."""
    found = [s for s in subjects or [] if s.startswith(f"{stream}.events.")]
    if not found or sorted(found) != sorted(shard_subjects(stream, len(found))):
        raise InputError(_("stream %(stream)s is not a zhili event stream: its subjects are "
                           "%(subjects)s") % {"stream": stream, "subjects": subjects})
    return len(found)


def shard_of(key: str, shards: int) -> int:
    """The shard of a partition key: the same on every machine and in every run."""
    return crc32(key.encode()) % shards


def consumer_name(shard: int) -> str:
    return f"shard_{shard}"


def out_stream(stream: str) -> str:
    return f"{stream}_out"


def out_subjects(stream: str) -> list[str]:
    return [f"{stream}.decisions.>", f"{stream}.notices.>", rejected_subject(stream)]


def decision_subject(stream: str, pack: str, kind: str) -> str:
    return f"{stream}.decisions.{_token(pack)}.{_token(kind)}"


def notice_subject(stream: str, pack: str, notice: str) -> str:
    return f"{stream}.notices.{_token(pack)}.{_token(notice)}"


def rejected_subject(stream: str) -> str:
    return f"{stream}.rejected"


def leases_bucket(stream: str) -> str:
    return f"{stream}_leases"


def message_id(kind: str, ident: str) -> str:
    """A ``Nats-Msg-Id``: JetStream drops a second message with the same one (for two minutes,
    the stream's duplicate window). Ids may hold any character; headers take ASCII only."""
    return f"{kind}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"


def _token(value: str) -> str:
    return _TOKEN.sub("_", value) or "_"


# -- messages on the event subjects ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Item:
    """One message of an event subject, read: an event or a subject's attributes, and the pack
    it names (None: the consumer's ``--pack``)."""

    pack: str | None
    event: Event | None = None
    subject: tuple[str, Mapping[str, Any]] | None = None


def event_message(event: Event, pack: str | None) -> bytes:
    body: dict[str, Any] = {"event": event_to_dict(event)}
    if pack is not None:
        body["pack"] = pack
    return _dumps(body)


def subject_message(subject_id: str, attributes: Mapping[str, Any], pack: str | None) -> bytes:
    body: dict[str, Any] = {"subject": {"id": subject_id, "attributes": dict(attributes)}}
    if pack is not None:
        body["pack"] = pack
    return _dumps(body)


def read_message(data: bytes) -> Item:
    """A message's item: ``{"pack", "event"}``, ``{"pack", "subject"}`` or a bare event."""
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(_("a message is not JSON: %(error)s") % {"error": err}) from None
    if not isinstance(body, Mapping):
        raise InputError(_("expected a JSON object, got %(value).80r") % {"value": body})
    pack = body.get("pack")
    if pack is not None and not isinstance(pack, str):
        raise InputError(_("expected a pack code, got %(value)r") % {"value": pack},
                         path="pack")
    if "subject" in body and isinstance(body["subject"], Mapping):
        found = body["subject"]
        sid, attributes = found.get("id"), found.get("attributes") or {}
        if not isinstance(sid, str) or not isinstance(attributes, Mapping):
            raise InputError(_("a subject message needs an `id` and a mapping of "
                               "`attributes`"), path="subject")
        return Item(pack, subject=(sid, attributes))
    raw = body.get("event", body)
    return Item(pack, event=parse_event(raw))


def _dumps(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
