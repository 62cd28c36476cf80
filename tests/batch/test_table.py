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


def _rows_read(path, tz):
    """The row-by-row reading, which every table can take."""
    t = pq.read_table(path).select(table.SCHEMA.names).cast(table.SCHEMA)
    return table.from_rows(*(t.column(n).to_pylist() for n in table.SCHEMA.names), tz)


def test_the_columnar_reading_builds_what_the_row_by_row_reading_builds(tmp_path):
    path = tmp_path / "h.parquet"
    table.write(path, synthetic.creators(300, 120, 5))
    built = table.by_columns(pq.read_table(path).cast(table.SCHEMA), "Asia/Shanghai")
    assert built is not None and built == _rows_read(path, "Asia/Shanghai")


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "America/New_York"])
def test_plain_types_read_by_columns_equal_the_row_by_row_reading(tmp_path, tz):
    import datetime as dt

    utc = dt.UTC
    # New York's clocks go back at 2026-11-01 06:00 UTC: 01:30 local is shown twice.
    ats = [dt.datetime(2026, 11, 1, 5, 30, tzinfo=utc), dt.datetime(2026, 11, 1, 6, 30, tzinfo=utc),
           dt.datetime(2026, 3, 8, 7, 0, 0, 123456, tzinfo=utc), dt.datetime(2000, 1, 2, tzinfo=utc)]
    rows = [("s1", "subject", None, "s1", '{"deposit": 500}'),
            ("e1", "live_session", ats[0], "s1", '{"minutes": 90, "transactions": 3}'),
            ("e2", "live_session", ats[1], "s1", '{"minutes": 12.5}'),
            ("e3", "appeal_decided", ats[2], "s1", '{"appeal": "a1", "outcome": "denied"}'),
            ("e1", "live_session", ats[3], "s1", '{"minutes": 1, "transactions": null}'),
            ("e4", "link_observed", ats[2], "s1", '{"other": "s2", "via": "device"}'),
            ("e5", "violation", ats[2], "s1", '{"code": "counterfeit", "amount": 12}')]
    path = tmp_path / "h.parquet"
    pq.write_table(table.to_arrow(rows), path)
    built = table.by_columns(pq.read_table(path), tz)
    assert built is not None and built == _rows_read(path, tz)
    assert [e.at.fold for e in built[1][:2]] == ([0, 1] if tz == "America/New_York" else [0, 0])
    assert [type(e.minutes) for e in built[1][:2]] == [float, float]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("data", "at", "error"), [
    ('{"minutes": -1}', "2026-03-01", "row 3.minutes"),
    ('{"minutes": true}', "2026-03-01", "row 3.minutes"),
    ('{"minutes": 5, "transactions": 1.5}', "2026-03-01", "row 3.transactions"),
    ('{"transactions": 1}', "2026-03-01", "row 3.minutes"),
    ('{"minutes": 5, "colour": "red"}', "2026-03-01", "row 3.colour"),
    ('{"minutes": 5}', "2101-01-01", "row 3.at"),
])
def test_a_row_the_columns_cannot_vouch_for_is_read_row_by_row_and_named(tmp_path, data, at,
                                                                       error):
    import datetime as dt

    when = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
    good = '{"minutes": 5}'
    rows = [(f"e{i}", "live_session", when if i == 3 else dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
             "c1", data if i == 3 else good) for i in (1, 2, 3, 4)]
    path = tmp_path / "bad.parquet"
    pq.write_table(table.to_arrow(rows), path)
    assert table.by_columns(pq.read_table(path), "Asia/Shanghai") is None
    with pytest.raises(InputError, match=error.replace(".", r"\.")):
        table.read(path, "Asia/Shanghai")
