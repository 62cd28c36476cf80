"""The batch replay on Spark (local mode) writes the same states and decisions as the local
replay, over a history with licence and device groups, appeals granted and denied, links
observed late in the year and an exemption that reaches every component."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pyarrow.parquet as pq
import pytest

from zhili.batch import outputs, synthetic, table
from zhili.engine import replay
from zhili.events import ExemptionDeclared
from zhili.rules import load_pack
from zhili.timekit import parse_instant

pytestmark = pytest.mark.spark
pytest.importorskip("pyspark")


@pytest.fixture(scope="module")
def session():
    from zhili.batch import spark

    return spark.session()


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    # more links than the platform's shape, so that several join components late
    shape = synthetic.Shape(link_share=0.05, appeal_share=0.1)
    subjects, events = synthetic.generate(400, days=150, seed=11, shape=shape)
    start = synthetic.START
    events.append(ExemptionDeclared("x1", start + dt.timedelta(days=20), None,
                                    start=start, end=start + dt.timedelta(days=30),
                                    reason="typhoon"))
    path = tmp_path_factory.mktemp("spark") / "history.parquet"
    rows = [table.subject_row(s) for s in subjects.values()] + list(map(table.event_row,
                                                                        events))
    pq.write_table(table.to_arrow(rows), path)
    return path, subjects, events


def test_the_history_has_what_association_and_appeals_need(history):
    _, subjects, events = history
    outcomes = Counter(e.outcome for e in events if e.type == "appeal_decided")
    assert outcomes["granted"] and outcomes["denied"]
    licences = Counter(s.licence for s in subjects.values() if s.licence)
    assert max(licences.values()) >= 2
    first = {}
    for e in sorted(events, key=lambda e: e.at):
        first.setdefault(e.subject, e.at)
    late = [e for e in events if e.type == "link_observed"
            and e.at > first[e.subject] and e.at > first.get(e.other, e.at)]
    assert late, "no link observed after both subjects had events"


def test_spark_writes_what_the_local_replay_writes(history, session, tmp_path):
    from zhili.batch import spark

    path, _, _ = history
    pack = load_pack("wechat_channels")
    at = parse_instant("2026-05-31 23:59", pack.timezone)
    subjects, events = table.read(path, pack.timezone)
    local = outputs.write(replay(events, pack, subjects), at, tmp_path / "local")
    counts = spark.replay(session, str(path), "wechat_channels", {}, at, str(tmp_path / "spark"))
    assert counts == local
    for name in outputs.TABLES:
        assert outputs.read(tmp_path / "spark", name) == outputs.read(tmp_path / "local", name)
    decided = {d["detail"].get("status") for d in outputs.read(tmp_path / "local", "decisions")
               if d["kind"] == "appeal"}
    assert {"granted", "denied"} <= decided
    kinds = {d["kind"] for d in outputs.read(tmp_path / "local", "decisions")}
    assert "association" in kinds


def test_components_are_the_connected_components(session):
    from zhili.batch.spark import components

    edges = [("b", "a"), ("c", "b"), ("d", "c"), ("f", "e"), ("h", "g"), ("g", "e"),
             ("j", "i"), ("i", "k")]
    frame = session.createDataFrame(edges, "a string, b string")
    found = {(r.a, r.b) for r in components(session, frame).collect()}
    assert found == {("b", "a"), ("c", "a"), ("d", "a"), ("f", "e"), ("g", "e"), ("h", "e"),
                     ("j", "i"), ("k", "i")}
