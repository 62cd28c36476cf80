"""`zhili shadow add|list|remove` over a SQLite store."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from zhili.cli import app
from zhili.store import open_store

PACK_FILE = Path(__file__).resolve().parents[2] / "src/zhili/packs/wechat_channels/pack.yaml"


def test_shadows_are_added_listed_and_removed(tmp_path):
    db = f"sqlite:///{tmp_path / 'shadows.db'}"
    runner = CliRunner()
    made = runner.invoke(app, ["shadow", "add", "per-entry", "--pack", "wechat_channels",
                               "--param", "bands.fee_mode=per_entry", "--db", db])
    assert made.exit_code == 0, made.output
    assert "per-entry" in made.stdout and "bands.fee_mode=per_entry" in made.stdout
    drafted = runner.invoke(app, ["shadow", "add", "draft", "--pack", "wechat_channels",
                                  "--candidate-pack", str(PACK_FILE), "--db", db])
    assert drafted.exit_code == 0, drafted.output
    listed = runner.invoke(app, ["shadow", "list", "--db", db])
    assert listed.exit_code == 0, listed.output
    assert "2 个影子规则" in listed.stdout and "视频号" in listed.stdout
    assert "pack.yaml" in listed.stdout
    store = open_store(db)
    stored = {s.id: s for s in store.shadows()}
    store.close()
    assert stored["draft"].candidate["pack_file"] == PACK_FILE.read_text(encoding="utf-8")
    assert stored["per-entry"].candidate == {"params": {"bands.fee_mode": "per_entry"}}
    removed = runner.invoke(app, ["shadow", "remove", "draft", "--db", db])
    assert removed.exit_code == 0, removed.output
    again = runner.invoke(app, ["--lang", "en", "shadow", "list", "--db", db])
    assert "1 shadow" in again.stdout and "draft" not in again.stdout


def test_bad_shadows_fail_in_one_line_and_store_nothing(tmp_path):
    db = f"sqlite:///{tmp_path / 'shadows.db'}"
    runner = CliRunner()
    for bad in (["shadow", "add", "x", "--pack", "wechat_channels", "--db", db],
                ["shadow", "add", "x", "--pack", "wechat_channels", "--param", "nope=1",
                 "--db", db],
                ["shadow", "add", "x", "--pack", "wechat_channels", "--candidate-version",
                 "1999.1", "--db", db],
                ["shadow", "add", "x", "--pack", "no_such_pack", "--param", "a=1", "--db", db],
                ["shadow", "remove", "nothing", "--db", db]):
        result = runner.invoke(app, bad)
        assert result.exit_code != 0 and "Traceback" not in result.output, bad
    store = open_store(db)
    assert store.shadows() == []
    store.close()
