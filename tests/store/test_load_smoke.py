"""A tiny run of the realistic load benchmark, so that it keeps working; the real run (100,000
events, PostgreSQL too) lives in benchmarks/ and is never part of the suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.slow
def test_the_realistic_load_benchmark_runs_end_to_end():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (os.environ.get("PYTHONPATH"), str(BENCHMARKS.parent / "src")) if p)}
    done = subprocess.run(
        [sys.executable, "load.py", "--realistic", "--events", "300", "--subjects", "30",
         "--queries", "10", "--probes", "2", "--backends", "sqlite"],
        cwd=BENCHMARKS, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    row = next(line for line in done.stdout.splitlines() if line.startswith("| SQLite"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert float(cells[1].replace(",", "")) > 0  # events/s
    assert "refused batches none" in done.stdout
    assert "engine alone" in done.stdout
