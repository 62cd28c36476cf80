"""API keys that expire, are revoked and record their last use; console sessions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_INSTANT = sa.DateTime(timezone=True)  # zhili.store.schema.Instant stores UTC in this


def upgrade() -> None:
    # batch mode: SQLite alters a table by copying it; PostgreSQL alters it in place.
    with op.batch_alter_table("api_keys") as table:
        table.add_column(sa.Column("expires_at", _INSTANT))
        table.add_column(sa.Column("revoked_at", _INSTANT))
        table.add_column(sa.Column("last_used_at", _INSTANT))
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(128), primary_key=True),
        sa.Column("key_id", sa.String(40), nullable=False, index=True),
        sa.Column("expires_at", _INSTANT, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sessions")
    with op.batch_alter_table("api_keys") as table:
        table.drop_column("last_used_at")
        table.drop_column("revoked_at")
        table.drop_column("expires_at")
