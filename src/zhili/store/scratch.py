"""Throwaway PostgreSQL schemas, so test runs and load tests never collide with each other or
with real data on a shared server."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import psycopg
from psycopg import sql

TEST_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def unreachable(url: str = TEST_POSTGRES) -> str | None:
    """Why the server at ``url`` cannot be used, or None when it answers."""
    try:
        with psycopg.connect(_libpq(url), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as err:
        return f"PostgreSQL at {url} is unreachable: {str(err).strip().splitlines()[0]}"
    return None


class PostgresUnavailable(Exception):
    """No server to test against; ``required`` when CI=true, where that is a failure."""

    def __init__(self, reason: str, required: bool):
        super().__init__(f"{reason} (CI=true requires it)" if required else reason)
        self.required = required


def postgres_for_tests() -> str:
    """The PostgreSQL that tests use ($ZHILI_TEST_POSTGRES, else the local one), checked."""
    url = os.environ.get("ZHILI_TEST_POSTGRES", TEST_POSTGRES)
    reason = unreachable(url)
    if reason:
        raise PostgresUnavailable(reason, os.environ.get("CI", "").lower() == "true")
    return url


@contextmanager
def scratch_schema(url: str = TEST_POSTGRES, prefix: str = "zhili_scratch") -> Iterator[str]:
    """A URL whose connections live in a new, empty schema, dropped afterwards."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    joiner = "&" if "?" in url else "?"
    try:
        yield f"{url}{joiner}options={quote(f'-csearch_path={name}')}"
    finally:
        with psycopg.connect(_libpq(url), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))
