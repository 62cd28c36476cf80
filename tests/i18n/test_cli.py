"""The CLI's language: zh-CN by default, --lang and ZHILI_LANG, a bad value is one error line."""

from __future__ import annotations

import re
import subprocess
import sys

from typer.testing import CliRunner

from zhili.cli import app
from zhili.i18n import current_language


def test_default_lang_option_and_environment(monkeypatch):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    runner = CliRunner()
    assert "规则包" in runner.invoke(app, ["packs"]).output
    english = runner.invoke(app, ["--lang", "en", "packs"])
    assert "Rule packs" in english.output and "规则包" not in english.output
    # The option lasts for its command only.
    assert current_language() == "zh-CN"
    monkeypatch.setenv("ZHILI_LANG", "en")
    assert "Rule packs" in runner.invoke(app, ["packs"]).output
    assert "规则包" in runner.invoke(app, ["--lang", "zh-CN", "packs"]).output


def test_an_unknown_language_is_one_error_line(monkeypatch):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    done = subprocess.run([sys.executable, "-m", "zhili", "--lang", "fr", "packs"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr == "错误：--lang: 未知的语言 'fr'；可选：zh-CN, en\n"
    monkeypatch.setenv("ZHILI_LANG", "en")
    done = subprocess.run([sys.executable, "-m", "zhili", "--lang", "fr", "packs"],
                          capture_output=True, text=True)
    assert done.stderr == "error: --lang: unknown language 'fr'; expected one of zh-CN, en\n"


def test_assessment_tables_name_rules_and_sanctions(tmp_path, monkeypatch):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    runner = CliRunner()
    orders = tmp_path / "orders.parquet"
    made = runner.invoke(app, ["generate", "orders", "--stores", "30", "--days", "35", "--seed",
                               "2", str(orders)])
    assert made.exit_code == 0, made.output
    args = ["assess", str(orders), "--pack", "aliexpress", "--as-of", "2026-02-05 00:00"]
    chinese = runner.invoke(app, args).output
    assert "物流线路未收到货纠纷率超标" in chinese and "冻结物流线路权限" in chinese
    assert "freeze_logistics_line" in chinese  # the code stays beside its name
    english = runner.invoke(app, ["--lang", "en", *args]).output
    assert "Logistics line: too many not-received disputes" in english
    assert "Active sanctions" in english and "Logistics line frozen" in english


def test_every_help_text_has_its_translation():
    """Fails on a --help text (a command's docstring or help=, an option's help) that the
    zh-CN catalog does not translate: `python -m zhili.i18n update` lists it for translation."""
    import typer.main

    from zhili.cli.helptext import help_texts
    from zhili.i18n.catalogs import translations

    chinese = translations("zh-CN")
    texts = list(help_texts(typer.main.get_command(app)))
    assert len(texts) > 60  # every command and option, not the top level alone
    untranslated = [(where, text) for where, text in texts if chinese.gettext(text) == text]
    assert not untranslated, untranslated


def test_help_reads_in_the_chosen_language(monkeypatch):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    runner = CliRunner()
    chinese = runner.invoke(app, ["replay", "--help"]).output
    assert "折算一段事件历史" in chinese and "显示本帮助并退出" in chinese
    assert "Fold a history" not in chinese and "Show this message" not in chinese
    english = runner.invoke(app, ["--lang", "en", "keys", "create", "--help"]).output
    assert "Make an API key" in english and "生成一个 API 密钥" not in english
    # The language of one run does not stay on the commands for the next.
    again = runner.invoke(app, ["keys", "create", "--help"]).output
    assert "生成一个 API 密钥" in again and "Make an API key" not in again


def test_subject_kinds_and_appeal_states_are_named(monkeypatch):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    runner = CliRunner()
    packs = runner.invoke(app, ["packs"]).output
    assert "店铺" in packs and "达人" in packs
    assert not re.search(r"│ (store|creator) +│", packs)
    example = runner.invoke(app, ["example", "aliexpress"]).output
    assert "home-a1 申诉成功" in example and "granted" not in example
    english = runner.invoke(app, ["--lang", "en", "example", "aliexpress"]).output
    assert "home-a1 granted" in english
