"""`zhili generate orders` and `zhili assess` end to end on a small table."""

import json

from typer.testing import CliRunner

from zhili.cli import app
from zhili.errors import InputError


def test_generate_then_assess(tmp_path):
    out = tmp_path / "orders.parquet"
    runner = CliRunner()
    gen = runner.invoke(app, ["generate", "orders", "--stores", "30", "--days", "35", "--seed",
                              "2", str(out)])
    assert gen.exit_code == 0, gen.output
    again = tmp_path / "again.parquet"
    runner.invoke(app, ["generate", "orders", "--stores", "30", "--days", "35", "--seed", "2",
                        str(again)])
    assert out.read_bytes() == again.read_bytes()          # same seed, same file
    res = runner.invoke(app, ["assess", str(out), "--pack", "aliexpress", "--as-of",
                              "2026-02-05", "--format", "jsonl", "--warnings", "3"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    kinds = {r["kind"] for r in rows}
    assert "warning" in kinds
    warnings = [r for r in rows if r["kind"] == "warning"]
    assert len(warnings) == 3
    for w in warnings:   # the fields, and the sentence in the CLI's language (zh-CN)
        assert w["scope"] in w["message"] and w["sanction"] and w["metric"]
        assert any(word in w["message"] for word in ("再有", "现已冻结", "阈值")), w["message"]
    for v in (r for r in rows if r["kind"] == "violation"):
        assert v["id"].startswith(v["code"] + ":" + v["subject"] + ":")
        assert {"scope", "threshold"} <= set(v["evidence"])


def test_bad_format_is_refused(tmp_path):
    res = CliRunner().invoke(app, ["assess", str(tmp_path / "none.csv"), "--pack", "aliexpress",
                                   "--as-of", "2026-02-05", "--format", "xml"])
    assert isinstance(res.exception, InputError)
    assert "未知的格式 'xml'" in str(res.exception)


def test_assess_a_product_table_without_orders(tmp_path):
    path = tmp_path / "products.csv"
    path.write_text("store,item,created_at,last_sold_at,deleted_at\n"
                    "s1,p1,2025-01-01 10:00,2025-03-01 12:00,\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["assess", "--pack", "aliexpress", "--as-of", "2025-09-01",
                                   "--products", str(path), "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["id"] for r in rows if r["kind"] == "violation"] == [
        "inactive_product:s1:p1:2025-08-28"]
    assert {"kind": "sanction", "store": "s1", "sanction": "traffic_block:p1",
            "start": "2025-08-29 00:00", "end": "2025-09-28 00:00",
            "rule": "inactive_product"} in rows


def test_assess_with_a_state_prints_what_a_full_assessment_prints(tmp_path):
    """Day by day with --state (the first run on the table known then, the next on one day's
    changes) prints the same violations, sanctions and warnings as one full run."""
    import datetime as dt

    import pyarrow.parquet as pq

    from zhili.detect.orders import load_orders
    from zhili.detect.orders.generate import generate_orders

    from .snapshots import changes, snapshot

    full = tmp_path / "orders.parquet"
    generate_orders(full, stores=20, days=40, seed=5)
    table = load_orders(full)
    tz = dt.timezone(dt.timedelta(hours=8))
    runner = CliRunner()
    before, state = None, tmp_path / "orders.state"
    for day in ("2026-02-01", "2026-02-02", "2026-02-05"):
        now = snapshot(table, dt.datetime.fromisoformat(day).replace(tzinfo=tz))
        delta = tmp_path / f"changes-{day}.parquet"
        pq.write_table(changes(before, now), delta)
        # As of the snapshot's own instant (a date alone would mean the end of that day).
        args = ["--pack", "aliexpress", "--as-of", f"{day} 00:00", "--format", "jsonl",
                "--warnings", "0"]
        inc = runner.invoke(app, ["assess", str(delta), "--state", str(state), *args])
        assert inc.exit_code == 0, inc.output
        whole = runner.invoke(app, ["assess", str(full), *args])
        assert inc.output == whole.output
        before = now
    again = runner.invoke(app, ["--lang", "zh-CN", "assess", str(delta), "--state",
                                str(state), "--pack", "aliexpress", "--as-of",
                                "2026-02-05 00:00"])
    assert again.exit_code != 0
    assert "--as-of 必须晚于这一天" in str(again.exception)
