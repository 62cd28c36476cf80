"""Histories as merchants save them: UTF-8 with or without BOM, UTF-16 with its BOM, GBK and
GB18030 are read alike (JSON Lines and YAML, with Chinese text in them), as tables are."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhili.errors import InputError
from zhili.histories import read_yaml
from zhili.textfiles import read_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "gbk", "gb18030"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("name", ["history.jsonl", "history.yaml", "agency.yaml"])
def test_a_history_reads_the_same_in_every_common_encoding(tmp_path, name, encoding):
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    if name.endswith(".yaml"):
        text = "# 商家后台导出的账本\n" + text
    assert any(ord(c) > 0x3000 for c in text)  # Chinese in it: the encoding matters
    saved = tmp_path / name
    saved.write_bytes(text.encode(encoding))
    assert read_text(saved) == text
    if name.endswith(".yaml"):
        assert read_yaml(saved) == read_yaml(EXAMPLES / name)


def test_the_cli_replays_a_gbk_history_as_its_utf8_original(tmp_path, capsys, monkeypatch):
    from zhili.cli import main

    def replay(path: Path) -> str:
        monkeypatch.setattr("sys.argv", ["zhili", "replay", str(path), "-p", "wechat_channels",
                                         "--as-of", "2026-06-30", "--format", "json"])
        capsys.readouterr()
        try:
            main()
        except SystemExit as done:
            assert done.code in (0, None), capsys.readouterr().err
        return capsys.readouterr().out

    gbk = tmp_path / "history.jsonl"
    gbk.write_bytes((EXAMPLES / "history.jsonl").read_text(encoding="utf-8").encode("gbk"))
    original = replay(EXAMPLES / "history.jsonl")
    assert "lin_beauty" in original and replay(gbk) == original


@pytest.mark.parametrize(("data", "message"), [
    ("违规".encode("gbk") + b"\x80\x80", "cannot tell the file's text encoding"),
    ("[]".encode("utf-16-le"), "NUL bytes"),
])
def test_text_in_no_known_encoding_is_refused_by_name(tmp_path, data, message, monkeypatch):
    monkeypatch.setenv("ZHILI_LANG", "en")
    path = tmp_path / "h.yaml"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message) as found:
        read_text(path)
    assert found.value.file == str(path)
