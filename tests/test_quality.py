"""Lint (ruff) and type checks (mypy on src/) are part of the tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=900)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to list files")
def test_ruff_finds_nothing() -> None:
    result = run("ruff", "check", "src", "tests", "benchmarks", "tools")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing_in_src() -> None:
    result = run("mypy", "src/zhili")
    assert result.returncode == 0, result.stdout + result.stderr
