"""Shadows: candidate rule sets registered beside a live pack.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shadows",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("pack", sa.String(64), nullable=False, index=True),
        sa.Column("candidate", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("shadows")
