"""`zhili publish` and `zhili consume`: histories into a NATS JetStream stream, and consumer
processes that fold it into the event store (see docs/stream.md)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..i18n import _
from ..stream.layout import DEFAULT_SHARDS
from . import history
from .core import PackOpt, ParamOpt, _pack
from .progress import Bars
from .serve import DB_HELP

NatsOpt = Annotated[str, typer.Option("--nats", metavar="URL",
                                      help="The NATS server, e.g. nats://127.0.0.1:4222.")]
StreamOpt = Annotated[str, typer.Option(
    "--stream", metavar="NAME", help="The JetStream stream: letters, digits, _ and -.")]
ShardsOpt = Annotated[int, typer.Option(
    "--shards", min=1, max=1024,
    help="Shards of a stream this command creates; an existing stream keeps its own.")]


def publish(events_file: Annotated[Path, typer.Argument(
                metavar="EVENTS", help="A JSONL or YAML history, as `zhili replay` reads it.")],
            nats_url: NatsOpt, stream: StreamOpt, pack_code: PackOpt,
            subjects_file: Annotated[Path | None, typer.Option(
                "--subjects", help="YAML/JSON mapping of subject id to attributes.")] = None,
            shards: ShardsOpt = DEFAULT_SHARDS, param: ParamOpt = None) -> None:
    """Publish a history to a stream (created if missing): subjects, then events, each on the
    shard of the subjects it may affect."""
    from ..stream.publish import publish as run

    pack = _pack(pack_code, param)
    with Bars() as bars:
        subjects, events = history.load(events_file, pack, subjects_file,
                                        progress=bars.stage(_("reading events")))
        done = asyncio.run(run(nats_url, stream, pack, subjects, events, shards=shards,
                               progress=bars.stage(_("publishing"))))
    typer.echo(_("published %(subjects)d subjects and %(events)d events to stream %(stream)s "
                 "(%(shards)d shards): %(messages)d messages, %(repeated)d already there")
               % {"subjects": done.subjects, "events": done.events, "stream": done.stream,
                  "shards": done.shards, "messages": done.messages,
                  "repeated": done.repeated})


def consume(nats_url: NatsOpt, stream: StreamOpt,
            db: Annotated[str | None, typer.Option("--db", envvar="ZHILI_DB",
                                                   help=DB_HELP)] = None,
            pack_code: Annotated[str | None, typer.Option(
                "--pack", "-p", help="Pack of messages that name none.")] = None,
            batch: Annotated[int, typer.Option(
                "--batch", min=1, max=10_000,
                help="Messages per fetch from one shard; a round (a fetch from every shard "
                     "held) is one store commit.")] = 256,
            lease: Annotated[float, typer.Option(
                "--lease", min=1.0, help="Seconds a shard stays with a consumer that stopped "
                                         "renewing it (set by the first consumer).")] = 10.0,
            until_idle: Annotated[float | None, typer.Option(
                "--until-idle", metavar="SECONDS",
                help="Stop once no message came for this long (default: run until stopped).")
            ] = None,
            name: Annotated[str | None, typer.Option(
                "--name", help="This consumer's name (default: host and process id).")] = None,
            shards: ShardsOpt = DEFAULT_SHARDS) -> None:
    """Fold a stream's events into the event store, sharing its shards with the other
    consumers, and publish each decision and notice."""
    from ..api.service import Governance
    from ..store import StateService, open_store
    from ..stream.apply import Applier
    from ..stream.consume import Options, run_consumer

    store = open_store(db)
    try:
        states = StateService(store)
        if pack_code is not None:
            states.pack(pack_code)  # an unknown pack fails here, not per message
        applier = Applier(Governance(store, states), pack_code)
        options = Options(url=nats_url, stream=stream, batch=batch, lease=lease,
                          until_idle=until_idle, shards=shards)
        if name:
            options.name = name

        def say(message: str) -> None:
            typer.echo(f"[{options.name}] {message}", err=True)
            sys.stderr.flush()

        tally = run_consumer(options, applier, say)
    finally:
        store.close()
    typer.echo(_("%(messages)d messages: %(stored)d events stored, %(duplicates)d already "
                 "stored, %(refused)d refused; %(decisions)d decisions published, "
                 "%(notices)d of them notices") % vars(tally))


def register(app: typer.Typer) -> None:
    for fn in (publish, consume):
        app.command(fn.__name__)(fn)
