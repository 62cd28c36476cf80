"""``zhili scan`` runs with only its own module loaded, and running it in-process leaves the
app whole for whatever reads it next (a test, a program embedding the CLI)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer.main

from zhili.cli import app, main


def test_an_in_process_scan_leaves_every_command_in_the_app(tmp_path, monkeypatch, capsys):
    source = tmp_path / "texts.txt"
    source.write_text("全网最低价\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["zhili", "scan", str(source)])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code in (0, None)
    assert "全网最低价" in capsys.readouterr().out
    commands = set(typer.main.get_command(app).commands)
    assert {"packs", "replay", "assess", "portfolio", "scan", "shadow", "generate"} <= commands


def test_scan_alone_loads_no_other_command_module(tmp_path):
    source = tmp_path / "texts.txt"
    source.write_text("全网最低价\n", encoding="utf-8")
    program = ("import sys\nfrom zhili.cli import main\n"
               f"sys.argv = ['zhili', 'scan', {str(source)!r}]\n"
               "try:\n    main()\nexcept SystemExit:\n    pass\n"
               "from zhili.cli import COMMAND_MODULES\n"
               "print(sorted(m for m in COMMAND_MODULES if 'zhili.cli.' + m in sys.modules), "
               "file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert "全网最低价" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "['scan']", done.stderr
