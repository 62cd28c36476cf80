"""The tables, for SQLAlchemy Core queries and as the target of the Alembic migrations.

Instants are stored in UTC. SQLite has no time zones, so ``Instant`` writes naive UTC there
(its text sorts in time order) and hands back aware UTC datetimes on every backend.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

UTC = dt.UTC


class Instant(TypeDecorator[dt.datetime]):
    """An aware datetime, stored as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError(f"expected an aware datetime, got {value!r}")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit sequence.
Sequence64 = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

events = Table(
    "events", metadata,
    Column("seq", Sequence64, primary_key=True, autoincrement=True),
    Column("id", String(200), nullable=False, unique=True),
    Column("pack", String(64), nullable=False),
    Column("subject", String(200)),
    Column("type", String(64), nullable=False),
    Column("at", Instant(), nullable=False),
    Column("body", Text, nullable=False),
    Index("ix_events_pack_at", "pack", "at"),
    Index("ix_events_subject_at", "subject", "at"),
)

subjects = Table(
    "subjects", metadata,
    Column("id", String(200), primary_key=True),
    Column("pack", String(64), nullable=False, index=True),
    # NULL until put_subject gives attributes: the subject is known only from its events.
    Column("attributes", Text),
)

decisions = Table(
    "decisions", metadata,
    Column("seq", Sequence64, primary_key=True, autoincrement=True),
    Column("id", String(300), nullable=False, unique=True),
    Column("pack", String(64), nullable=False),
    Column("subject", String(200)),
    Column("kind", String(32), nullable=False),
    Column("at", Instant(), nullable=False),
    Column("body", Text, nullable=False),
    Index("ix_decisions_subject_at", "subject", "at"),
    Index("ix_decisions_pack_at", "pack", "at"),
)

snapshots = Table(
    "snapshots", metadata,
    Column("key", String(300), primary_key=True),
    Column("horizon", Instant(), nullable=False),
    Column("data", LargeBinary, nullable=False),
)

# One row per pack, locked first by every write of the pack: ``events`` is the last event seq
# stored (so seqs of a pack are committed in order and a reader's cursor never skips one),
# ``subjects`` counts changes to the pack's subject attributes.
heads = Table(
    "heads", metadata,
    Column("pack", String(64), primary_key=True),
    Column("events", BigInteger, nullable=False),
    Column("subjects", BigInteger, nullable=False),
)

# Per-component fold checkpoints: a scope (pack, version, subject attributes) holds one row per
# component, and every member subject points to its component's row.
checkpoints = Table(
    "checkpoints", metadata,
    Column("scope", String(300), primary_key=True),
    Column("component", String(200), primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

checkpoint_members = Table(
    "checkpoint_members", metadata,
    Column("scope", String(300), primary_key=True),
    Column("subject", String(200), primary_key=True),
    Column("component", String(200), nullable=False),
)

# The event seq every checkpoint of a scope has folded at least up to.
checkpoint_scopes = Table(
    "checkpoint_scopes", metadata,
    Column("scope", String(300), primary_key=True),
    Column("generation", BigInteger, nullable=False),
)

# The subjects list's summary of each subject (zhili.store.summaries), one row per subject.
subject_summaries = Table(
    "subject_summaries", metadata,
    Column("subject", String(200), primary_key=True),
    Column("scope", String(300), nullable=False, index=True),
    Column("component", String(200), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("since", Instant(), nullable=False),
    Column("until", Instant()),  # NULL: no change by time alone
    Column("data", Text, nullable=False),
)

api_keys = Table(
    "api_keys", metadata,
    Column("id", String(40), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("subject", String(200)),
    Column("key_hash", String(128), nullable=False, unique=True),
    Column("created_at", Instant(), nullable=False),
    Column("expires_at", Instant()),  # NULL: never expires
    Column("revoked_at", Instant()),  # NULL: not revoked
    Column("last_used_at", Instant()),
)

# Candidate rule sets folded beside a live pack (zhili.shadow): the candidate is JSON text.
shadows = Table(
    "shadows", metadata,
    Column("id", String(64), primary_key=True),
    Column("pack", String(64), nullable=False, index=True),
    Column("candidate", Text, nullable=False),
    Column("created_at", Instant(), nullable=False),
)

# A console sign-in: the hash of the cookie's random token, never the key itself.
sessions = Table(
    "sessions", metadata,
    Column("token_hash", String(128), primary_key=True),
    Column("key_id", String(40), nullable=False, index=True),
    Column("expires_at", Instant(), nullable=False),
)
