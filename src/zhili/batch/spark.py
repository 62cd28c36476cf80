"""The batch replay on Spark: association decides the partitioning, the engine folds each part.

Subjects that can affect one another — sharing a licence, or (where the pack says so) a legal
representative, device or IP, or linked by a `link_observed` event — form a component. The
components are computed on Spark itself, as the connected components of the link edges
(large-star / small-star, Kiveris et al. 2014, in DataFrame operations); then every component's
rows are folded by the same engine code as the local replay, in the executors
(``applyInArrow``), and the states and decisions written as Parquet. Events of no subject
(exemptions) reach every component, as they do in the local fold.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import orjson

from ..detect.orders.backends import spark_session
from ..engine import replay as fold
from ..rules import Pack, load_pack
from . import outputs, table

KEY_SCHEMA = "subject string, key string"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def session() -> Any:
    """The active Spark session (under ``spark-submit``), or a local one."""
    return spark_session("zhili-replay")


@lru_cache(maxsize=8)
def _pack(code: str, overrides: tuple[tuple[str, Any], ...]) -> Pack:
    """The pack, loaded once per executor process."""
    return load_pack(code, dict(overrides))


def replay(spark: Any, events: str, pack_code: str, overrides: dict[str, Any],
           as_of: dt.datetime, out: str) -> dict[str, int]:
    """Fold the events table ``events`` component by component on ``spark`` and write
    ``out/states.parquet`` and ``out/decisions.parquet`` (directories of Parquet parts);
    returns how many rows each has."""
    from pyspark.sql import functions as F
    from pyspark.storagelevel import StorageLevel

    pack_key = (pack_code, tuple(sorted(overrides.items())))
    pack = _pack(*pack_key)
    # Instants travel as microseconds since the epoch: the same in any session's zone.
    rows = spark.read.parquet(events).select(
        "id", "type", F.unix_micros("at").alias("at"), "subject", "data")
    labels = component_labels(spark, rows, pack)
    subjectless = [tuple(r) for r in rows.where(
        F.col("subject").isNull() & (F.col("type") != table.SUBJECT)).collect()]
    grouped = rows.where(F.col("subject").isNotNull()).join(labels, "subject")
    columns = _union_columns()
    schema = ", ".join(f"{name} {'string' if kind == outputs.JSON else kind}"
                       for name, kind in columns)
    arrow = outputs.arrow_schema(columns)

    def fold_component(rows: Any) -> Any:
        import pyarrow as pa

        part = _pack(*pack_key)
        ids, types, micros, sids, data = (rows.column(n).to_pylist() + [r[i] for r in subjectless]
                                          for i, n in enumerate(table.SCHEMA.names))
        ats = [None if us is None else EPOCH + dt.timedelta(microseconds=us) for us in micros]
        subjects, evs = table.from_rows(ids, types, ats, sids, data, part.timezone,
                                        part.subject_kind)
        return pa.Table.from_pylist(_rows(fold(evs, part, subjects), as_of), schema=arrow)

    result = (grouped.groupBy("component").applyInArrow(fold_component, schema)
              .persist(StorageLevel.MEMORY_AND_DISK))
    try:
        counts = {name: 0 for name in outputs.TABLES}
        counts.update(result.groupBy("table").count().collect())
        for name, cols in outputs.TABLES.items():
            part = result.where(F.col("table") == name).select(*(n for n, _ in cols))
            part.write.mode("overwrite").parquet(f"{out}/{name}.parquet")
        return counts
    finally:
        result.unpersist()


def _union_columns() -> list[tuple[str, str]]:
    """One schema for both tables' rows (``table`` says which), as the fold emits them."""
    columns: dict[str, str] = {"table": "string"}
    for cols in outputs.TABLES.values():
        for name, kind in cols:
            columns.setdefault(name, kind)
    return list(columns.items())


def _rows(ledger: Any, as_of: dt.datetime) -> list[dict[str, Any]]:
    return [{"table": name, **outputs.row(rec, outputs.TABLES[name])}
            for name, rec in outputs.records(ledger, as_of)]


def component_labels(spark: Any, rows: Any, pack: Pack) -> Any:
    """``(subject, component)`` for every subject the rows name: the least subject id of its
    component (itself when it is linked to none)."""
    from pyspark.sql import functions as F

    named = rows.where(F.col("subject").isNotNull()).select("subject")
    assoc = pack.association
    if assoc is None:  # no association: every subject folds alone
        return named.distinct().withColumn("component", F.col("subject"))
    via = tuple(assoc.extended_via)

    def keys(batches: Any) -> Any:
        import pyarrow as pa

        from ..engine import Subject

        for batch in batches:
            found = [(sid, f"{kind}:{value}")
                     for sid, raw in zip(batch.column("id").to_pylist(),
                                         batch.column("data").to_pylist(), strict=True)
                     for kind, value in Subject.from_mapping(sid, orjson.loads(raw))
                     .link_keys(via)]
            yield pa.RecordBatch.from_arrays(
                [pa.array([f[0] for f in found], pa.string()),
                 pa.array([f[1] for f in found], pa.string())], names=["subject", "key"])

    described = rows.where(F.col("type") == table.SUBJECT).select("id", "data")
    by_key = described.mapInArrow(keys, KEY_SCHEMA)
    roots = by_key.groupBy("key").agg(F.min("subject").alias("root"))
    shared = by_key.join(roots, "key").select(F.col("subject").alias("a"),
                                              F.col("root").alias("b"))
    linked = (rows.where(F.col("type") == "link_observed")
              .select(F.col("subject").alias("a"),
                      F.get_json_object("data", "$.other").alias("b")))
    vertices = named.union(linked.select(F.col("b").alias("subject"))).distinct()
    star = components(spark, shared.union(linked))
    return (vertices.join(star, vertices.subject == star.a, "left")
            .select("subject", F.coalesce("b", "subject").alias("component")))


def components(spark: Any, edges: Any) -> Any:
    """The connected components of an undirected graph given as edges ``(a, b)``: edges
    ``(a, b)`` from every vertex ``a`` of a component but its least to that least vertex
    ``b``. Large-star and small-star alternate until the edges form disjoint stars, which
    takes O(log n) rounds. Each round's edges are checkpointed: the plan of the next round
    starts from them, instead of growing with every round (each round reads its input
    several times, so an unbroken plan grows geometrically)."""
    from pyspark.sql import functions as F

    e = (edges.where(F.col("a").isNotNull() & F.col("b").isNotNull() & (F.col("a") != F.col("b")))
         .select(F.greatest("a", "b").alias("a"), F.least("a", "b").alias("b")).distinct()
         .localCheckpoint())
    while not _stars(e):
        e = _small_star(_large_star(e)).localCheckpoint()
    return e


def _large_star(e: Any) -> Any:
    """Each vertex's larger neighbours are attached to the least of its closed neighbourhood."""
    from pyspark.sql import functions as F

    both = e.union(e.select(F.col("b").alias("a"), F.col("a").alias("b")))
    least = both.groupBy("a").agg(F.least(F.min("b"), F.col("a")).alias("m"))
    return (both.where(F.col("b") > F.col("a")).join(least, "a")
            .select(F.col("b").alias("a"), F.col("m").alias("b")).distinct())


def _small_star(e: Any) -> Any:
    """Each vertex and its smaller neighbours are attached to the least of them."""
    from pyspark.sql import functions as F

    least = e.groupBy("a").agg(F.min("b").alias("m"))
    leaves = e.join(least, "a").where(F.col("b") != F.col("m")).select(
        F.col("b").alias("a"), F.col("m").alias("b"))
    return leaves.union(least.select("a", F.col("m").alias("b"))).distinct()


def _stars(e: Any) -> bool:
    """True when every edge goes from a leaf to its centre: no vertex has two centres and
    no centre is a leaf. Stars then share no vertex, so each is a whole component."""
    from pyspark.sql import functions as F

    two_centres = e.groupBy("a").count().where(F.col("count") > 1).select("a")
    centre_leaves = e.select("a").join(e.select(F.col("b").alias("a")), "a", "left_semi")
    return two_centres.union(centre_leaves).limit(1).count() == 0
