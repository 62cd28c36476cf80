"""The Alembic migrations build exactly the schema the code queries, and upgrades repeat."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from zhili.store import make_engine
from zhili.store.migrate import alembic_config, current_revision, head_revision, upgrade
from zhili.store.schema import metadata


@pytest.fixture
def engine(store_url: str):
    if store_url == "memory://":
        pytest.skip("the memory store has no schema")
    engine = make_engine(store_url)
    yield engine
    engine.dispose()


def test_migrations_build_the_schema_the_code_expects(engine):
    assert upgrade(engine) == (None, head_revision())
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_upgrading_twice_changes_nothing(engine):
    upgrade(engine)
    assert upgrade(engine) == (head_revision(), head_revision())


def test_downgrade_to_nothing_and_back(engine):
    upgrade(engine)
    command.downgrade(alembic_config(engine), "base")
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
