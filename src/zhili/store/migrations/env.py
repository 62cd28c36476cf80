"""Alembic environment: runs on the engine ``zhili.store.migrate`` puts in the config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from zhili.store.schema import metadata

# Any number taken from nowhere else: the lock that serialises concurrent upgrades.
_UPGRADE_LOCK = 7_016_352_101

engine = context.config.attributes.get("engine")
if engine is None:
    raise RuntimeError("run migrations through zhili.store.migrate (zhili db upgrade)")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite alters tables by copying them; batch mode does that for later migrations.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Two services starting at once must not both create the tables.
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _UPGRADE_LOCK})
        context.run_migrations()
