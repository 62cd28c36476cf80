"""Every command, every bad input: one `error:` line (`错误：` in Chinese), a non-zero exit,
never a traceback.

Commands run in this process through ``zhili.cli.main``, the console script's own entry:
an exception it does not turn into an `error:` line fails the test with its traceback.
"""

from __future__ import annotations

import re
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

GOOD_HISTORY = """\
{"id": "v1", "type": "violation", "at": "2026-03-02 10:00", "subject": "c1", "code": "false_health_claim"}
"""  # noqa: E501

# Each bad input as the files it needs: (suffix, bytes).
BAD_FILES = {
    "binary": bytes(range(256)) * 8,
    # Read as GBK, it is no history: still one error line.
    "gbk": "违规 2026-03-02".encode("gbk"),
    # Neither UTF-8 nor GBK/GB18030, and UTF-16 without its byte-order mark.
    "undecodable": "违规".encode("gbk") + b"\x80\x80",
    "utf16": "[]".encode("utf-16-le"),
    "missing": None,
}


def _file(tmp_path: Path, kind: str, suffix: str) -> str:
    path = tmp_path / f"{kind}{suffix}"
    data = BAD_FILES[kind]
    if data is not None:
        path.write_bytes(data)
    return str(path)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _commands(file_of) -> dict[str, list[str]]:
    """Each command with a bad file in the place it reads one."""
    return {
        "replay": ["replay", file_of(".jsonl"), "-p", "wechat_channels",
                   "--as-of", "2026-03-10"],
        "replay-yaml": ["replay", file_of(".yaml"), "-p", "wechat_channels",
                        "--as-of", "2026-03-10"],
        "explain": ["explain", file_of(".jsonl"), "-p", "wechat_channels", "-s", "c1",
                    "--as-of", "2026-03-10"],
        "documents": ["documents", file_of(".yaml"), "--as-of", "2026-03-10"],
        "portfolio": ["portfolio", file_of(".yaml"), "--as-of", "2026-03-10"],
        "test": ["test", file_of(".yaml")],
        "scan": ["scan", file_of(".jsonl")],
        "assess": ["assess", file_of(".csv"), "--pack", "aliexpress",
                   "--as-of", "2026-03-10"],
        "rules": ["rules", file_of(".yaml")],
        "db": ["db", "upgrade", "--db", f"sqlite:///{file_of('.db')}"],
        "keys": ["keys", "list", "--db", f"sqlite:///{file_of('.db')}"],
    }


@dataclass
class Result:
    returncode: int
    stderr: str


@pytest.fixture
def run(capsys, monkeypatch):
    from zhili.cli import main

    def invoke(args: list[str]) -> Result:
        monkeypatch.setattr(sys, "argv", ["zhili", *args])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        return Result(code, capsys.readouterr().err)
    return invoke


def _assert_one_error_line(result: Result, args) -> None:
    assert result.returncode != 0, args
    errors = [line for line in result.stderr.splitlines()
              if line.startswith(("error:", "错误："))]
    assert len(errors) == 1, (args, result.stderr)


@pytest.mark.parametrize("kind", ["binary", "gbk", "utf16", "missing"])
def test_every_command_refuses_a_bad_file_in_one_line(tmp_path, kind, run):
    commands = _commands(lambda suffix: _file(tmp_path, kind, suffix))
    for name, args in commands.items():
        if kind == "missing" and name in ("db", "keys"):
            continue  # a missing SQLite file is simply created
        result = run(args)
        _assert_one_error_line(result, args)
        if name not in ("db", "keys", "assess"):
            assert tmp_path.name in result.stderr or kind == "missing", (name, result.stderr)


@pytest.mark.parametrize("as_of", ["9999-12-31 23:00", "0001-01-02", "yesterday"])
def test_an_instant_out_of_range_is_one_error_line(tmp_path, as_of, run):
    history = tmp_path / "h.jsonl"
    history.write_text(GOOD_HISTORY, encoding="utf-8")
    book = tmp_path / "book.yaml"
    book.write_text("pack: wechat_channels\nsubjects: {c1: {}}\nevents: []\n", encoding="utf-8")
    orders = tmp_path / "orders.csv"
    orders.write_text("order,store,placed_at\no1,s1,2026-03-01 10:00\n", encoding="utf-8")
    for args in (["replay", str(history), "-p", "wechat_channels", "--as-of", as_of],
                 ["explain", str(history), "-p", "wechat_channels", "-s", "c1",
                  "--as-of", as_of],
                 ["documents", str(book), "--as-of", as_of],
                 ["portfolio", str(book), "--as-of", as_of],
                 ["assess", str(orders), "--pack", "aliexpress", "--as-of", as_of]):
        result = run(args)
        _assert_one_error_line(result, args)
        assert "as_of" in result.stderr or "2000-2100" in result.stderr or "日期时间" in \
            result.stderr


def test_an_event_in_year_9999_is_one_error_line(tmp_path, run):
    history = tmp_path / "h.jsonl"
    history.write_text(GOOD_HISTORY.replace("2026-03-02", "9999-12-31"), encoding="utf-8")
    result = run(["replay", str(history), "-p", "wechat_channels", "--as-of", "2026-03-10"])
    _assert_one_error_line(result, "replay")
    assert "line 1" in result.stderr and "2000-2100" in result.stderr


def test_serve_on_an_unreachable_postgresql_is_one_error_line(run):
    url = f"postgresql://nobody@127.0.0.1:{_free_port()}/nothing?connect_timeout=2"
    for args in (["serve", "--db", url, "--port", str(_free_port())],
                 ["db", "upgrade", "--db", url], ["keys", "list", "--db", url]):
        result = run(args)
        _assert_one_error_line(result, args)
        assert "无法" in result.stderr and "127.0.0.1" in result.stderr


# Three English words in a row, once quoted values, paths and codes are set aside: a sentence
# left untranslated. Codes (snake_case, with digits) and file names are not words here.
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|「[^」]*」|\S*[/\\]\S*")
_ENGLISH = re.compile(r"(?<![\w.])[A-Za-z][a-z]*(?:\s+[A-Za-z][a-z]*){2,}(?![\w.])")


def _english_sentence(line: str) -> str | None:
    found = _ENGLISH.search(_QUOTED.sub(" ", line))
    return found.group(0) if found else None


def test_the_heuristic_tells_a_sentence_from_codes_and_paths():
    assert _english_sentence("错误：/tmp/a b c/h.jsonl：第 1 行：应为日期时间") is None
    assert _english_sentence("错误：未知的规则包 'wechat channels store'") is None
    assert _english_sentence("错误：h.jsonl: expected a date-time such as") == \
        "expected a date"
    assert _english_sentence("错误：h.jsonl：第 1 行：应为 2000-2100 年间的日期时间") is None


def _error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("错误：")]


@pytest.mark.parametrize("kind", ["binary", "gbk", "utf16", "missing"])
def test_every_bad_file_is_refused_in_chinese(tmp_path, kind, run, monkeypatch):
    monkeypatch.setenv("ZHILI_LANG", "zh-CN")
    for name, args in _commands(lambda suffix: _file(tmp_path, kind, suffix)).items():
        if kind == "missing" and name in ("db", "keys"):
            continue
        lines = _error_lines(run(args))
        assert lines, (name, args)
        assert not [line for line in lines if _english_sentence(line)], (name, lines)


def test_every_bad_instant_is_refused_in_chinese(tmp_path, run, monkeypatch):
    monkeypatch.setenv("ZHILI_LANG", "zh-CN")
    history = tmp_path / "h.jsonl"
    history.write_text(GOOD_HISTORY, encoding="utf-8")
    late = tmp_path / "late.jsonl"
    late.write_text(GOOD_HISTORY.replace("2026-03-02", "9999-12-31"), encoding="utf-8")
    book = tmp_path / "book.yaml"
    book.write_text("pack: wechat_channels\nsubjects: {c1: {}}\nevents: []\n", encoding="utf-8")
    orders = tmp_path / "orders.csv"
    orders.write_text("order,store,placed_at\no1,s1,2026-03-01 10:00\n", encoding="utf-8")
    cases = [["replay", str(late), "-p", "wechat_channels", "--as-of", "2026-03-10"],
             ["replay", str(history), "-p", "nope", "--as-of", "2026-03-10"]]
    for as_of in ("9999-12-31 23:00", "0001-01-02", "yesterday"):
        cases += [["replay", str(history), "-p", "wechat_channels", "--as-of", as_of],
                  ["documents", str(book), "--as-of", as_of],
                  ["portfolio", str(book), "--as-of", as_of],
                  ["assess", str(orders), "--pack", "aliexpress", "--as-of", as_of]]
    for args in cases:
        lines = _error_lines(run(args))
        assert lines, args
        assert not [line for line in lines if _english_sentence(line)], (args, lines)
