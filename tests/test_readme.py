"""The README works as written: every command in it runs from the repository root.

Commands are the lines of its ``bash`` blocks and its inline code that starts with ``zhili`` or
``python``. They run, as written, through the shell, in a directory that holds the repository's
``examples``, ``src`` and ``benchmarks`` (so that files they write land there, not in the
repository), with the data directory, the port and PostgreSQL's schema pointed at throwaway
ones. Commands that serve (the demo, ``zhili serve``) are started, asked for a page and stopped;
long-running ones (benchmarks) must run for a while without failing and are then stopped.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
INSTALL = re.compile(r"^python3? -m pip install [^&]+&& ")
SERVES = ("zhili serve", "zhili demo", "python3 -m zhili demo")
RUNS_LONG = ("python benchmarks/", "python3 benchmarks/")
# The test suite's own command: it is what runs this test.
ITSELF = "python3 -m pytest -q"


def readme_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        commands += [line.strip() for line in block.splitlines() if line.strip()]
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    commands += [code for code in re.findall(r"`([^`\n]+)`", prose)
                 if re.match(r"(zhili|python3?) ", code)]
    return [INSTALL.sub("", c) for c in dict.fromkeys(commands)]


def _serves(command: str) -> bool:
    return command.startswith(SERVES) and "--report" not in command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("readme")
    for name in ("examples", "src", "benchmarks"):
        (root / name).symlink_to(ROOT / name)
    return root


@pytest.fixture(scope="module")
def env(root):
    from zhili.store.scratch import PostgresUnavailable, postgres_for_tests, scratch_schema

    bin_dir = str(Path(sys.executable).parent)
    base = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "HOME": str(root), "XDG_DATA_HOME": str(root / "data"), "COLUMNS": "160",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    try:
        url = postgres_for_tests()
    except PostgresUnavailable as err:
        if err.required:
            raise
        yield base
        return
    with scratch_schema(url, prefix="zhili_readme") as scratch:
        options = re.search(r"options=(.*)$", scratch)
        assert options is not None
        from urllib.parse import unquote

        yield {**base, "PGOPTIONS": unquote(options.group(1))}


def test_the_readme_keeps_exactly_two_set_up_commands():
    setup = [c for c in re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"),
                                   flags=re.S) if "pip install" in c]
    assert [s.strip() for s in setup] == [
        "python3 -m pip install -e . && python3 -m zhili demo",
        "python3 -m pip install -e '.[dev,spark]' && python3 -m pytest -q"]


@pytest.mark.slow
@pytest.mark.parametrize("command", [c for c in readme_commands() if c != ITSELF])
def test_readme_command_runs_as_written(command, root, env):
    if _serves(command):
        _serve_then_stop(command, root, env)
    elif command.startswith(RUNS_LONG):
        _run_a_while(command, root, env)
    else:
        done = subprocess.run(command, shell=True, cwd=root, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr and "error:" not in done.stderr
        assert "错误：" not in done.stderr
        assert done.stdout.strip() or Path(root, _output_of(command) or "-").exists()


def _output_of(command: str) -> str | None:
    words = shlex.split(command)
    for flag in ("-o", "--output", "--report", "--out"):
        if flag in words:
            return words[words.index(flag) + 1]
    return None


def _start(command: str, root: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(command, shell=True, cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _stop(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.stdout.read() if proc.stdout else ""


def _serve_then_stop(command: str, root: Path, env: dict[str, str]) -> None:
    port = _free_port()
    proc = _start(command, root, {**env, "ZHILI_PORT": str(port)})
    answered = None
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None and answered is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login",
                                            timeout=5) as response:
                    answered = response.status
            except OSError:
                time.sleep(0.5)
    finally:
        output = _stop(proc)
    assert answered == 200, f"{command} did not answer on port {port}:\n{output[-3000:]}"


def _run_a_while(command: str, root: Path, env: dict[str, str], seconds: float = 8) -> None:
    proc = _start(command, root, env)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=seconds)
    failed = proc.poll() not in (None, 0)
    output = _stop(proc)
    assert not failed, f"{command} failed:\n{output[-3000:]}"
