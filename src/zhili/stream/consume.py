"""A consumer process: shards held under leases, batches folded, decisions published, acks.

Work is shared by shard. Every live consumer keeps a key ``member.<id>`` in the stream's lease
bucket, and holds a shard by keeping the key ``shard.<k>``; keys live for ``lease`` seconds
unless renewed (every third of it). Each consumer holds at most its fair share, ``ceil(shards /
members)``: it takes free shards up to it and lets go of those above it, so a consumer that
starts takes work from the others and one that dies (its keys expire) leaves its shards to them.

A shard is read by its own durable pull consumer, and only by the consumer holding its lease, so
the events of a component are folded in the order they were published. Taking a shard whose
last holder left messages unacknowledged (it died mid-batch) starts the shard's consumer again
from its acknowledgement floor: those messages come back first, in order, and what of them the
store already holds is skipped there (event ids are unique).

Each batch: store (through the service), publish the decisions the log lacks, log them, then
acknowledge. Nothing is acknowledged before the store has committed it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..engine import Decision
from ..errors import InputError, ZhiliError
from ..i18n import _
from ..notices import notice
from .apply import Applied, Applier
from .layout import (
    DEFAULT_SHARDS,
    Item,
    consumer_name,
    decision_subject,
    events_subject,
    leases_bucket,
    message_id,
    notice_subject,
    read_message,
    rejected_subject,
)
from .streams import connect, ensure_streams

Say = Callable[[str], None]


@dataclass
class Options:
    url: str
    stream: str
    batch: int = 256
    lease: float = 10.0
    until_idle: float | None = None
    shards: int = DEFAULT_SHARDS  # only when the consumer creates the stream
    name: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")


@dataclass
class Tally:
    """What a consumer did, for its summary."""

    messages: int = 0
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    decisions: int = 0
    notices: int = 0
    taken: int = 0


class Consumer:
    def __init__(self, options: Options, applier: Applier, say: Say = lambda _m: None):
        self.opts = options
        self.applier = applier
        self.say = say
        self.tally = Tally()
        self.member = "member." + "".join(c if c.isalnum() or c in "-_" else "_"
                                          for c in options.name)
        self.owned: dict[int, int] = {}  # shard -> revision of its lease key
        self.renewed: dict[int, float] = {}  # shard -> when its lease was last written
        self.subs: dict[int, Any] = {}
        self.stopping = asyncio.Event()
        self.leasing = asyncio.Lock()  # renewals and rebalancing never interleave
        self.finishing: asyncio.Task[None] | None = None  # the last round's news and acks
        self.publishing: set[str] = set()  # ids of the decisions that round is publishing
        self.shards = 0

    def stop(self) -> None:
        self.stopping.set()

    async def run(self) -> Tally:
        self.nc = nc = await connect(self.opts.url)
        try:
            js = nc.jetstream()
            self.js = js
            self.shards = await ensure_streams(js, self.opts.stream, self.opts.shards)
            self.kv = await _bucket(js, leases_bucket(self.opts.stream), self.opts.lease)
            await self.kv.put(self.member, self.opts.name.encode())
            renewing = asyncio.create_task(self._renew_forever())
            try:
                await self._work()
            finally:
                renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewing
                await self._leave()
        finally:
            await nc.close()
        return self.tally

    # -- leases ------------------------------------------------------------------------------
    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.opts.lease / 3)
            try:
                await self._renew()
            except Exception as err:  # noqa: BLE001 - NATS away a moment: the next round
                self.say(_("could not renew the leases: %(error)s")
                         % {"error": str(err) or type(err).__name__})

    async def _renew(self) -> None:
        async with self.leasing:
            await self._renew_leases()

    async def _renew_leases(self) -> None:
        from nats.js.errors import KeyWrongLastSequenceError

        await self.kv.put(self.member, self.opts.name.encode())
        for shard, revision in list(self.owned.items()):
            try:
                renewed = await self.kv.update(f"shard.{shard}", self.opts.name.encode(),
                                               last=revision)
            except KeyWrongLastSequenceError:
                self.say(_("lost shard %(shard)d: its lease expired") % {"shard": shard})
                await self._drop(shard)
                continue
            if shard in self.owned:
                self.owned[shard] = renewed
                self.renewed[shard] = time.monotonic()

    def _sure_of(self, shard: int) -> bool:
        """Renewed recently enough that the lease cannot have run out before a fetch ends:
        a consumer too slow to renew stops reading rather than read beside the next holder."""
        return time.monotonic() - self.renewed.get(shard, -math.inf) < self.opts.lease * 2 / 3

    async def _rebalance(self) -> None:
        async with self.leasing:
            await self._share()

    async def _share(self) -> None:
        """Take free shards up to the fair share, let go of those above it."""
        from nats.js.errors import KeyWrongLastSequenceError, NoKeysError

        try:
            keys = await self.kv.keys()
        except NoKeysError:
            keys = []
        members = max(1, sum(k.startswith("member.") for k in keys))
        fair = math.ceil(self.shards / members)
        held = {int(k.split(".")[1]) for k in keys if k.startswith("shard.")}
        for shard in sorted(self.owned, reverse=True)[:max(0, len(self.owned) - fair)]:
            await self._drop(shard)  # stop reading it first, then let it go
            await self.kv.delete(f"shard.{shard}")
            self.say(_("handed shard %(shard)d back for another consumer")
                     % {"shard": shard})
        # Start from a place of one's own, so that consumers starting together rarely collide.
        first = sum(map(ord, self.member)) % self.shards
        for k in range(self.shards):
            shard = (first + k) % self.shards
            if len(self.owned) >= fair:
                break
            if shard in held or shard in self.owned:
                continue
            try:
                revision = await self.kv.create(f"shard.{shard}", self.opts.name.encode())
            except KeyWrongLastSequenceError:
                continue  # another consumer took it first
            self.owned[shard] = revision
            self.renewed[shard] = time.monotonic()
            await self._take(shard)

    async def _take(self, shard: int) -> None:
        """Read a shard from its acknowledgement floor, with a consumer made afresh: whatever
        the last holder fetched and did not acknowledge (it died mid-batch, or a fetch of its
        was still waiting on the server) comes again first, in order."""
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
        from nats.js.errors import NotFoundError

        name, stream = consumer_name(shard), self.opts.stream
        config = ConsumerConfig(durable_name=name, filter_subject=events_subject(stream, shard),
                                ack_policy=AckPolicy.EXPLICIT,
                                ack_wait=max(30.0, 3 * self.opts.lease), max_deliver=-1)
        try:
            info = await self.js.consumer_info(stream, name)
        except NotFoundError:
            pass
        else:
            # Deleting the consumer also ends the fetches its last holder left waiting.
            await self.js.delete_consumer(stream, name)
            config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
            config.opt_start_seq = info.ack_floor.stream_seq + 1
            if info.num_ack_pending:
                self.say(_("shard %(shard)d: %(n)d messages its last holder left "
                           "unacknowledged come again") % {"shard": shard,
                                                          "n": info.num_ack_pending})
        await self.js.add_consumer(stream, config)
        self.subs[shard] = await self.js.pull_subscribe_bind(durable=name, stream=stream)
        self.tally.taken += 1
        self.say(_("took shard %(shard)d") % {"shard": shard})

    async def _drop(self, shard: int) -> None:
        self.owned.pop(shard, None)
        self.renewed.pop(shard, None)
        sub = self.subs.pop(shard, None)
        if sub is not None:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _leave(self) -> None:
        """Give every shard back at once, rather than when the leases expire."""
        for shard in list(self.owned):
            await self._drop(shard)
            with contextlib.suppress(Exception):
                await self.kv.delete(f"shard.{shard}")
        with contextlib.suppress(Exception):
            await self.kv.delete(self.member)

    # -- work --------------------------------------------------------------------------------
    async def _work(self) -> None:
        """Rounds: one fetch from every shard held, all at once, and the messages of all of them
        stored in one commit (the shards' components are disjoint, and each shard's messages
        keep their order). The next round is fetched while this one is stored; its messages
        wait, unacknowledged, for their turn. ``until_idle`` counts only rounds that fetched: a
        consumer waiting for its share (or its renewals) is not idle."""
        every = self.opts.lease / 3
        balanced = -math.inf
        last_work = time.monotonic()
        ahead: asyncio.Task[list[tuple[int, list[Any]]]] | None = None
        try:
            while not self.stopping.is_set():
                if time.monotonic() - balanced >= every:
                    await self._settle()  # the shards' acknowledgements before their leases
                    await self._rebalance()
                    balanced = time.monotonic()
                fetched = ahead is not None or bool(self._readable())
                found = await (ahead if ahead is not None else self._fetch_round())
                ahead = None
                # A shard let go meanwhile: its next holder gets these messages again.
                found = [(shard, msgs) for shard, msgs in found if shard in self.subs]
                now = time.monotonic()
                if found or not fetched:
                    last_work = now
                elif self.opts.until_idle is not None and now - last_work >= self.opts.until_idle:
                    return
                if found and not self.stopping.is_set():
                    ahead = asyncio.create_task(self._fetch_round())
                    applied = await self._store(found)
                    if applied is None:
                        # Handed back for a second try: so is what came after it, in order.
                        await self._hand_back(await ahead)
                        ahead = None
                        continue
                    # This round's news are published, logged and acknowledged while the next
                    # round is stored; the round before finishes first, so logs keep their order.
                    await self._settle()
                    self.finishing = asyncio.create_task(self._finish(found, applied))
                if not fetched:  # no shard, or none whose lease is sure: wait for the leases
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(self.stopping.wait(), timeout=min(every, 0.5))
        finally:
            if ahead is not None:  # never handled: the shard's next holder gets it again
                ahead.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await ahead
            await self._settle()

    async def _settle(self) -> None:
        """Wait for the last stored round to be published, logged and acknowledged."""
        finishing, self.finishing = self.finishing, None
        if finishing is not None:
            await finishing

    def _readable(self) -> list[int]:
        return [shard for shard in sorted(self.subs) if self._sure_of(shard)]

    async def _fetch_round(self) -> list[tuple[int, list[Any]]]:
        """One fetch from each shard whose lease is sure, at once."""
        shards = self._readable()
        got = await asyncio.gather(*(self._fetch(shard) for shard in shards))
        return [(shard, msgs) for shard, msgs in zip(shards, got, strict=True) if msgs]

    async def _fetch(self, shard: int) -> list[Any]:
        sub = self.subs.get(shard)
        if sub is None:
            return []
        try:
            return list(await sub.fetch(self.opts.batch, timeout=0.25))
        except TimeoutError:  # nothing came (the client's own class derives from it)
            return []
        except Exception:
            if shard in self.subs:
                raise
            return []  # let go while the fetch waited

    async def _hand_back(self, found: list[tuple[int, list[Any]]]) -> None:
        for _shard, msgs in found:
            for msg in msgs:
                await msg.nak(delay=1)

    async def _store(self, found: list[tuple[int, list[Any]]]) -> Applied | None:
        """Store a round and find its news; None if the store failed and the round was handed
        back to come again. The news of the round before, still being published, are not news
        again."""
        msgs = [msg for _shard, batch in found for msg in batch]
        items: list[Item | None] = []
        unreadable: dict[int, str] = {}
        for i, msg in enumerate(msgs):
            try:
                items.append(read_message(msg.data))
            except InputError as err:
                items.append(None)
                unreadable[i] = str(err)
        from sqlalchemy.exc import SQLAlchemyError

        try:
            applied = await asyncio.to_thread(self.applier.apply, items, set(self.publishing))
        except (ZhiliError, SQLAlchemyError) as err:  # the store failed: after a pause, again
            self.say(_("shards %(shards)s: %(error)s; the batch will come again")
                     % {"shards": ", ".join(str(shard) for shard, _m in found), "error": err})
            await self._hand_back(found)
            return None
        applied.refused.update(unreadable)
        self.publishing = {d.id for d in applied.fresh}
        return applied

    async def _finish(self, found: list[tuple[int, list[Any]]], applied: Applied) -> None:
        """Publish a stored round's news, log them, then acknowledge the round."""
        msgs = [msg for _shard, batch in found for msg in batch]
        await self._publish(applied, msgs)
        await asyncio.to_thread(self.applier.log, applied.fresh)
        for i, msg in enumerate(msgs):
            await (msg.term() if i in applied.refused else msg.ack())
        await self.nc.flush()  # the server has the acks before the next lease decision
        self._count(applied, len(msgs))

    async def _publish(self, applied: Applied, msgs: list[Any]) -> None:
        stream = self.opts.stream
        sends = []
        for d in applied.fresh:
            body = decision_body(d, self.applier.gov.states.pack(d.pack))
            sends.append(self.js.publish(decision_subject(stream, d.pack, d.kind), body,
                                         headers={"Nats-Msg-Id": message_id("decision", d.id)}))
            if d.kind == "notice":
                sends.append(self.js.publish(
                    notice_subject(stream, d.pack, str(d.detail.get("notice"))), body,
                    headers={"Nats-Msg-Id": message_id("notice", d.id)}))
        for i, why in sorted(applied.refused.items()):
            body = json.dumps({"error": why, "message": msgs[i].data.decode(errors="replace")},
                              ensure_ascii=False).encode()
            sends.append(self.js.publish(rejected_subject(stream), body))
        for start in range(0, len(sends), 256):
            await asyncio.gather(*sends[start:start + 256])

    def _count(self, applied: Applied, messages: int) -> None:
        t = self.tally
        t.messages += messages
        t.stored += applied.stored
        t.duplicates += applied.duplicates
        t.refused += len(applied.refused)
        t.decisions += len(applied.fresh)
        t.notices += sum(d.kind == "notice" for d in applied.fresh)


def decision_body(decision: Decision, pack: Any) -> bytes:
    """A decision as published: its record (as the API gives it) and its sentence, in the
    consumer's language, as a notice to the merchant would say it."""
    return json.dumps({**decision.to_dict(), "sentence": notice(decision, pack)},
                      ensure_ascii=False).encode()


async def _bucket(js: Any, name: str, ttl: float) -> Any:
    """The lease bucket; the first consumer creates it, with its lease as the keys' life."""
    from nats.js.errors import BadRequestError, NotFoundError

    try:
        return await js.key_value(name)
    except NotFoundError:
        pass
    try:
        return await js.create_key_value(bucket=name, ttl=ttl, history=1)
    except BadRequestError:  # created meanwhile by another consumer
        return await js.key_value(name)


def run_consumer(options: Options, applier: Applier, say: Say) -> Tally:
    """Run until SIGTERM or SIGINT (or ``until_idle``), then give the shards back."""

    async def main() -> Tally:
        consumer = Consumer(options, applier, say)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, consumer.stop)
        return await consumer.run()

    return asyncio.run(main())
