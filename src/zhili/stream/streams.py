"""Connecting to NATS, and the two streams of an event log: its events, and what is decided."""

from __future__ import annotations

import contextlib
from typing import Any

from ..errors import ZhiliError
from ..i18n import _
from .layout import (
    check_stream,
    leases_bucket,
    out_stream,
    out_subjects,
    shard_subjects,
    shards_of,
)

DUPLICATE_WINDOW = 120.0  # seconds in which JetStream drops a repeated Nats-Msg-Id


async def connect(url: str) -> Any:
    """A connection, or one clear error (the client would otherwise retry for minutes)."""
    import nats

    try:
        return await nats.connect(url, connect_timeout=5, max_reconnect_attempts=3,
                                  allow_reconnect=True)
    except Exception as err:  # the client raises a different class per way of failing
        raise ZhiliError(_("cannot reach NATS at %(url)s: %(error)s")
                         % {"url": url, "error": str(err) or type(err).__name__}) from None


async def ensure_streams(js: Any, stream: str, shards: int) -> int:
    """The stream's shard count; the stream (with ``shards`` shards) and its output stream are
    created when missing."""
    check_stream(stream)
    info = await _ensure(js, stream, shard_subjects(stream, shards))
    await _ensure(js, out_stream(stream), out_subjects(stream))
    return shards_of(stream, info.config.subjects)


async def drop_streams(url: str, stream: str) -> None:
    """Remove what a stream name made: the stream, its output stream and its lease bucket,
    whichever exist (for tests and benchmarks that leave the server as they found it)."""
    nc = await connect(url)
    js = nc.jetstream()
    for drop, name in ((js.delete_stream, stream), (js.delete_stream, out_stream(stream)),
                       (js.delete_key_value, leases_bucket(stream))):
        with contextlib.suppress(Exception):  # one this run never made
            await drop(name)
    await nc.close()


async def _ensure(js: Any, name: str, subjects: list[str]) -> Any:
    from nats.js.api import RetentionPolicy, StorageType
    from nats.js.errors import BadRequestError, NotFoundError

    try:
        return await js.stream_info(name)
    except NotFoundError:
        pass
    try:
        return await js.add_stream(name=name, subjects=subjects, storage=StorageType.FILE,
                                   retention=RetentionPolicy.LIMITS,
                                   duplicate_window=DUPLICATE_WINDOW)
    except BadRequestError:  # created meanwhile by another process
        return await js.stream_info(name)
