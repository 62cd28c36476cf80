"""Pack heads (a cursor over each pack's events) and per-component fold checkpoints.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "heads",
        sa.Column("pack", sa.String(64), primary_key=True),
        sa.Column("events", sa.BigInteger, nullable=False),
        sa.Column("subjects", sa.BigInteger, nullable=False),
    )
    # Packs stored before this revision start at their last event seq.
    op.execute("INSERT INTO heads (pack, events, subjects) "
               "SELECT pack, MAX(seq), 0 FROM events GROUP BY pack")
    op.create_table(
        "checkpoints",
        sa.Column("scope", sa.String(300), primary_key=True),
        sa.Column("component", sa.String(200), primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "checkpoint_members",
        sa.Column("scope", sa.String(300), primary_key=True),
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("component", sa.String(200), nullable=False),
    )
    op.create_table(
        "checkpoint_scopes",
        sa.Column("scope", sa.String(300), primary_key=True),
        sa.Column("generation", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in ("checkpoint_scopes", "checkpoint_members", "checkpoints", "heads"):
        op.drop_table(table)
