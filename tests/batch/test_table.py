"""The events table: a history written to Parquet reads back as the same subjects and events,
and `zhili replay` folds it as it folds the same history in JSONL."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from zhili.batch import synthetic, table
from zhili.cli import app
from zhili.errors import InputError
from zhili.events import event_to_dict


def test_a_history_reads_back_as_written(tmp_path):
    subjects, events = synthetic.generate(300, days=120, seed=5)
    path = tmp_path / "h.parquet"
    n = table.write(path, synthetic.creators(300, 120, 5))
    assert n == len(events)
    read_subjects, read_events = table.read(path, "Asia/Shanghai")
    assert read_subjects == subjects
    assert [event_to_dict(e) for e in read_events] == [event_to_dict(e) for e in events]
    kinds = {e.type for e in events}
    assert {"link_observed", "appeal_filed", "appeal_decided", "violation"} <= kinds
    assert any(s.licence for s in subjects.values()) and any(s.devices for s in subjects.values())


def test_replay_of_the_table_matches_the_jsonl_history(tmp_path):
    subjects, events = synthetic.generate(200, days=90, seed=2)
    parquet = tmp_path / "h.parquet"
    table.write(parquet, synthetic.creators(200, 90, 2))
    jsonl = tmp_path / "h.jsonl"
    jsonl.write_text("\n".join(json.dumps(event_to_dict(e)) for e in events), encoding="utf-8")
    described = tmp_path / "subjects.json"
    described.write_text(json.dumps({s.id: {k: v for k, v in s.to_dict().items() if k != "id"}
                                     for s in subjects.values()}), encoding="utf-8")
    runner = CliRunner()
    args = ["--pack", "wechat_channels", "--as-of", "2026-03-31", "--format", "json",
            "--explain"]
    from_table = runner.invoke(app, ["replay", str(parquet), *args])
    from_jsonl = runner.invoke(app, ["replay", str(jsonl), "--subjects", str(described), *args])
    assert from_table.exit_code == 0, from_table.output
    assert json.loads(from_table.stdout) == json.loads(from_jsonl.stdout)


def test_a_bad_row_is_named(tmp_path):
    rows = [("e1", "violation", None, "c1", "{}")]
    path = tmp_path / "bad.parquet"
    pq.write_table(table.to_arrow(rows), path)
    with pytest.raises(InputError, match="row 1.at"):
        table.read(path, "Asia/Shanghai")
    pq.write_table(pa.table({"id": ["e1"]}), path)
    with pytest.raises(InputError, match="column type"):
        table.read(path, "Asia/Shanghai")
