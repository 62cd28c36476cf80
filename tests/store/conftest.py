"""One store fixture over every backend: the contract suite runs once per backend.

PostgreSQL is the real server at 127.0.0.1:5432 (override with ZHILI_TEST_POSTGRES). Each test
gets a fresh schema there, so runs never collide. Where CI=true an unreachable server fails the
run; elsewhere those tests skip and say why.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zhili.store import EventStore, open_store
from zhili.store.scratch import PostgresUnavailable, postgres_for_tests, scratch_schema

BACKENDS = ("memory", "sqlite", "postgresql")


def postgres_url() -> str:
    """The server to test against, or a skip (a failure in CI) saying why there is none."""
    try:
        return postgres_for_tests()
    except PostgresUnavailable as err:
        (pytest.fail if err.required else pytest.skip)(str(err))
        raise


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "memory":
        yield "memory://"
    elif request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        with scratch_schema(postgres_url(), prefix="zhili_test") as url:
            yield url


@pytest.fixture
def store(store_url: str) -> Iterator[EventStore]:
    opened = open_store(store_url)
    yield opened
    opened.close()
