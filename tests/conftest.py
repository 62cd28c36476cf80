"""Shared pytest configuration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zhili.i18n import use_language


@pytest.fixture
def english(monkeypatch) -> Iterator[None]:
    """Refusals matched by their English text (the msgids) read English; zh-CN is the default.

    The environment carries it to commands run as subprocesses or through CliRunner."""
    monkeypatch.setenv("ZHILI_LANG", "en")
    with use_language("en"):
        yield
