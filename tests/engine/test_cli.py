"""The core commands, run as a user runs them: output, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HISTORY = """\
subjects:
  c1: {deposit: 20000}
events:
  - {id: v1, at: 2026-03-02 10:00, type: violation, subject: c1, code: false_health_claim, item: sku-9}
  - {id: a1, at: 2026-03-03 10:00, type: appeal_filed, subject: c1, violation: v1}
"""


def zhili(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "zhili.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


@pytest.fixture()
def history(tmp_path: Path) -> Path:
    path = tmp_path / "history.yaml"
    path.write_text(HISTORY, encoding="utf-8")
    return path


def test_packs_and_rules_list_the_channels_pack() -> None:
    assert "wechat_channels" in zhili("packs").stdout
    out = zhili("rules", "wechat_channels").stdout
    assert "false_health_claim" in out and "(2025)" in out and ".txt" not in out
    params = zhili("--lang", "zh-CN", "rules", "wechat_channels", "--params").stdout
    assert "bands.levels.band_8.fee" in params and "假设：" in params
    english = zhili("--lang", "en", "rules", "wechat_channels", "--params").stdout
    assert "Assumption: " in english


def test_replay_json_gives_state_and_explanations(history: Path) -> None:
    result = zhili("replay", str(history), "--pack", "wechat_channels", "--as-of",
                   "2026-03-03 12:00", "--format", "json", "--explain")
    assert result.returncode == 0, result.stderr
    [state] = json.loads(result.stdout)
    assert state["scores"]["credit"] == 8 and state["fees"] == 2000
    assert state["appeals"][0]["status"] == "open"
    rules = {d["rule"] for d in state["decisions"]}
    assert {"false_health_claim", "bands.band_8", "appeals"} <= rules


def test_jsonl_histories_and_what_if_parameters(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text(json.dumps({"id": "v1", "at": "2026-03-02 10:00", "type": "violation",
                                "subject": "c1", "code": "false_health_claim"}) + "\n")
    result = zhili("replay", str(path), "--pack", "wechat_channels", "--as-of",
                   "2026-03-02 11:00", "--format", "json", "--param",
                   "rules.false_health_claim.deduct.credit=6")
    assert json.loads(result.stdout)[0]["scores"]["credit"] == 6


def test_explain_shows_the_source_sentence(history: Path) -> None:
    out = zhili("explain", str(history), "--pack", "wechat_channels", "--subject", "c1",
                "--as-of", "2026-03-03 12:00").stdout
    assert "扣除信用分 4 分" in out and "信用分 12 → 8" in out


def test_example_runs_the_bundled_history() -> None:
    result = zhili("example", "wechat_channels", "--as-of", "2026-09-30 12:00")
    assert result.returncode == 0 and "lin_beauty" in result.stdout and "处罚依据" in result.stdout


@pytest.mark.parametrize(("args", "needle"), [
    (["replay", "missing.yaml", "--pack", "wechat_channels", "--as-of", "2026-01-01"],
     "missing.yaml: no such file"),
    (["rules", "nope"], "unknown pack 'nope'"),
    (["replay", "{h}", "--pack", "wechat_channels", "--as-of", "soon"], "expected a date-time"),
    (["replay", "{h}", "--pack", "wechat_channels", "--as-of", "2026-01-01", "--param",
      "no.such=1"], "unknown parameter 'no.such'"),
])
@pytest.mark.usefixtures("english")
def test_bad_input_is_one_clear_line_never_a_traceback(history: Path, args, needle) -> None:
    result = zhili(*[a.replace("{h}", str(history)) for a in args])
    assert result.returncode == 2
    assert needle in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.usefixtures("english")
def test_an_invalid_event_names_file_place_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"type": "violation", "at": "2026-03-02", "subject": "c1", "code": "x"}\n'
                    '{"type": "violation", "at": "2026-03-02", "subject": "c1", "colour": 1}\n')
    result = zhili("replay", str(path), "--pack", "wechat_channels", "--as-of", "2026-04-01")
    assert result.returncode == 2
    assert "bad.jsonl: line 2.colour: unknown field" in result.stderr


def test_zhili_test_exit_codes(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("""- name: ok
  pack: wechat_channels
  events: [{id: v1, at: 2026-03-02 10:00, type: violation, subject: c1, code: cs_response_timeout}]
  expect: [{at: 2026-03-02 10:00, subject: c1, score: {credit: 10}}]
""")
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text().replace("credit: 10", "credit: 9"))
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text(good.read_text().replace("expect:", "expectations:"))
    ok = zhili("test", str(good))
    assert ok.returncode == 0 and ok.stdout.strip().endswith("1 个通过，0 个失败")
    failed = zhili("--lang", "en", "test", str(bad))
    assert failed.returncode == 1 and "expected: 9" in failed.stdout
    assert "actual:   10" in failed.stdout and "0 passed, 1 failed" in failed.stdout
    chinese = zhili("test", str(bad)).stdout
    assert "失败" in chinese and "预期：9" in chinese and "实际：10" in chinese
    broken = zhili("test", str(invalid))
    assert broken.returncode == 2 and "case 'ok'.expectations: 未知的键" in broken.stderr


def test_progress_bars_show_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from zhili.cli.progress import Bars

    with Bars() as bars:  # pytest's stderr is not a terminal
        assert bars.stage("folding") is None

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    with Bars() as bars:
        report = bars.stage("folding")
        assert report is not None
        report(5, 10)
    assert "folding" in sys.stderr.getvalue()
