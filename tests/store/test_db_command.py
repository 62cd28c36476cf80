"""`zhili db upgrade` creates the schema, is safe to repeat, and fails in one clear line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from zhili.store import open_store
from zhili.store.migrate import head_revision

# The whole CLI, so that the registration in zhili.cli is tested too.
cli = pytest.importorskip("zhili.cli", reason="the zhili CLI does not import yet")


def _app():
    return cli.app


def test_upgrade_creates_then_reports_the_schema_current(tmp_path):
    url = f"sqlite:///{tmp_path / 'z.db'}"
    runner = CliRunner()
    first = runner.invoke(_app(), ["--lang", "en", "db", "upgrade", "--db", url])
    assert first.exit_code == 0, first.output
    assert f"schema created at revision {head_revision()}" in first.output
    again = runner.invoke(_app(), ["db", "upgrade", "--db", url])
    assert again.exit_code == 0 and f"数据库结构已是版本 {head_revision()}" in again.output
    store = open_store(url, migrate=False)
    assert store.count_events(pack="wechat_channels") == 0
    store.close()


def test_upgrade_reads_zhili_db_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ZHILI_DB", f"sqlite:///{tmp_path / 'env.db'}")
    result = CliRunner().invoke(_app(), ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "env.db").exists()


@pytest.mark.usefixtures("english")
def test_a_bad_url_is_one_clear_error(tmp_path):
    result = CliRunner().invoke(_app(), ["db", "upgrade", "--db", "mysql://x@y/z"])
    assert result.exit_code != 0
    assert "unsupported database URL" in str(result.exception)
