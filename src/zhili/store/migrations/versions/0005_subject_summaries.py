"""The subjects list's summary of each subject, kept beside the checkpoints.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_INSTANT = sa.DateTime(timezone=True)  # zhili.store.schema.Instant stores UTC in this


def upgrade() -> None:
    op.create_table(
        "subject_summaries",
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("scope", sa.String(300), nullable=False, index=True),
        sa.Column("component", sa.String(200), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("since", _INSTANT, nullable=False),
        sa.Column("until", _INSTANT),
        sa.Column("data", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("subject_summaries")
