"""The first schema: events, subjects, decisions, snapshots and API keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen here on purpose: a migration describes the schema of its day, not of schema.py's.
_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_INSTANT = sa.DateTime(timezone=True)  # zhili.store.schema.Instant stores UTC in this


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(200), nullable=False, unique=True),
        sa.Column("pack", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200)),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("at", _INSTANT, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_events_pack_at", "events", ["pack", "at"])
    op.create_index("ix_events_subject_at", "events", ["subject", "at"])
    op.create_table(
        "subjects",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("pack", sa.String(64), nullable=False),
        sa.Column("attributes", sa.Text),
    )
    op.create_index("ix_subjects_pack", "subjects", ["pack"])
    op.create_table(
        "decisions",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(300), nullable=False, unique=True),
        sa.Column("pack", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200)),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("at", _INSTANT, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_decisions_subject_at", "decisions", ["subject", "at"])
    op.create_index("ix_decisions_pack_at", "decisions", ["pack", "at"])
    op.create_table(
        "snapshots",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("horizon", _INSTANT, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(200)),
        sa.Column("key_hash", sa.String(128), nullable=False, unique=True),
        sa.Column("created_at", _INSTANT, nullable=False),
    )


def downgrade() -> None:
    for table in ("api_keys", "snapshots", "decisions", "subjects", "events"):
        op.drop_table(table)
