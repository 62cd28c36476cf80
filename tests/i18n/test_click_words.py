"""Typer's own words (the usage line, panel titles, usage errors, type names) read in the
reader's language: a zh-CN run shows none of them in English, an English run shows them as
Typer writes them."""

from __future__ import annotations

import re
import subprocess
import sys
from string import Formatter

import pytest
from typer.testing import CliRunner

from zhili.cli import app
from zhili.cli.clickwords import KINDS, PANEL_WORDS, TEMPLATES, TYPE_WORDS, USAGE_WORDS, reword
from zhili.i18n import use_language
from zhili.i18n.catalogs import translations

# Typer's English words a reader of the Chinese CLI would otherwise meet.
ENGLISH = re.compile(r"Usage|OPTIONS|COMMAND|ARGS|Options|Commands|Arguments|Error|Try '|"
                     r"for help|Missing|No such|Invalid value|Possible options|Did you mean|"
                     r"extra argument|requires an|does not|Input should|is not one of|"
                     r"<bool>|<str>|<int>|<path>|<text|\[required\]|\[default")

RUNS = [
    ["--help"],
    ["rules", "--help"],
    ["assess", "--help"],
    ["rules"],                                              # a missing argument
    ["assess"],                                             # a missing option
    ["packz"],                                              # no such command, a suggestion
    ["rules", "--param"],                                   # no such option, a suggestion
    ["packs", "extra"],                                     # an extra argument
    ["generate", "orders", "--stores", "x", "out.parquet"],  # not an integer
    ["generate", "orders", "--stores"],                     # an option without its value
    ["replay", "h.jsonl", "--pack", "p", "--as-of", "x", "--format", "xml"],  # not a choice
]


@pytest.mark.parametrize("args", RUNS, ids=" ".join)
def test_no_english_typer_word_in_a_chinese_run(args, monkeypatch):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    done = CliRunner().invoke(app, args)
    assert re.search(r"[\u4e00-\u9fff]", done.output), done.output
    assert not ENGLISH.search(done.output), done.output
    english = CliRunner().invoke(app, ["--lang", "en", *args]).output
    assert "Usage: zhili" in english or "─ Error ─" in english, english
    assert not re.search(r"用法|选项|错误|缺少|没有这个|取值", english), english


def test_usage_errors_read_as_a_person_would(monkeypatch):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    runner = CliRunner()
    missing = runner.invoke(app, ["rules"])
    assert missing.exit_code == 2
    assert "用法： zhili rules [选项] {PACK}" in missing.output
    assert "运行 'zhili rules --help' 查看帮助。" in missing.output
    assert "缺少参数 'PACK'。" in missing.output and "错误" in missing.output
    assert "没有这个命令：'packz'。是否想用 'packs'？" in runner.invoke(app, ["packz"]).output
    typed = runner.invoke(app, ["generate", "orders", "--stores", "x", "o.parquet"]).output
    assert "'--stores' 的取值无效：应为整数" in typed
    # --lang=en in one word, and an error in parsing the subcommand's line, read in English.
    assert "Missing argument 'PACK'." in runner.invoke(app, ["--lang=en", "rules"]).output
    assert "Usage: zhili [OPTIONS] COMMAND [ARGS]..." in runner.invoke(
        app, ["--lang", "en", "packz"]).output


def test_the_entry_point_speaks_chinese_on_a_usage_error(monkeypatch):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    done = subprocess.run([sys.executable, "-m", "zhili", "rules"], capture_output=True,
                          text=True)
    assert done.returncode == 2
    assert "缺少参数 'PACK'。" in done.stderr and not ENGLISH.search(done.stderr), done.stderr


def test_a_message_no_template_knows_is_kept():
    with use_language("zh-CN"):
        assert reword("Something Typer says one day.") == "Something Typer says one day."
        assert reword("Missing option '--pack'. Choose from:\n\ta,\n\tb") == (
            "缺少选项 '--pack'。可选值：\n\ta,\n\tb")


def test_every_typer_word_is_translated_with_its_fields():
    """Each word and template has its zh-CN wording, and a template's wording keeps exactly
    the fields (``{name}``…) the English one has, so that formatting it cannot fail."""
    chinese = translations("zh-CN")
    words = [*USAGE_WORDS.values(), *PANEL_WORDS.values(),
             *TEMPLATES, *KINDS.values(), *TYPE_WORDS.values(), "Usage:"]
    for english in words:
        shown = chinese.gettext(english)
        assert shown != english, english
        fields = sorted(f for _l, f, _s, _c in Formatter().parse(english) if f is not None)
        assert sorted(f for _l, f, _s, _c in Formatter().parse(shown) if f is not None) == \
            fields, english
