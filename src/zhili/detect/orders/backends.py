"""Where the Ibis expressions run: DuckDB embedded (default) or Spark through PySpark.

The expressions never name a backend; this module only opens a connection and hands it an
order table, either an Arrow table already in memory or a Parquet file read by the backend
itself (so 100 million orders never pass through Python).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from ...errors import InputError, ZhiliError
from ...i18n import _
from .columns import ORDER_COLUMNS

ENGINES = ("duckdb", "spark")


def connect(engine: str) -> Any:
    # Both sessions run in UTC: local days are computed from a fixed offset, never from the
    # machine's zone (a TIMESTAMPTZ cast to DATE uses the session zone).
    if engine == "duckdb":
        con = ibis.duckdb.connect()
        con.raw_sql("SET TimeZone = 'UTC'")
        # Spark's 64-bit ``xxhash64`` under its name, so that one Ibis expression hashes the
        # scope names on both engines (the values differ; expressions.NAME_COLUMNS says why
        # that does not matter).
        con.raw_sql("CREATE MACRO xxhash64(x) AS (hash(x) >> 1)::BIGINT")
        return con
    if engine == "spark":
        return ibis.pyspark.connect(spark_session("zhili-orders"))
    raise InputError(_("unknown engine %(engine)r; expected one of: %(value)s")
                     % {"engine": engine, "value": ', '.join(ENGINES)})


def spark_session(name: str) -> Any:
    """The active Spark session, or a local one (all cores) when none is running: under
    ``spark-submit`` the cluster's session is the active one. Its zone is UTC."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ZhiliError(_("--engine spark needs pyspark: pip install 'zhili[spark]'")) from None
    builder = SparkSession.builder.appName(name).config("spark.sql.session.timeZone", "UTC")
    if "PYSPARK_GATEWAY_PORT" not in os.environ:  # not started by spark-submit: run locally
        builder = (builder.master("local[*]").config("spark.ui.enabled", "false")
                   .config("spark.sql.shuffle.partitions", "8"))
    session = builder.getOrCreate()
    session.conf.set("spark.sql.session.timeZone", "UTC")
    return session


def order_table(con: Any, orders: pa.Table | str | Path) -> ibis.Table:
    """The orders as an Ibis table on ``con``; Parquet paths are read by the backend."""
    if isinstance(orders, pa.Table):
        if con.name == "pyspark":
            # Straight from Arrow (a detour through pandas turns null strings into "NaN").
            frame = con._session.createDataFrame(orders)
            frame.createOrReplaceTempView("zhili_orders")
            return con.table("zhili_orders")
        return ibis.memtable(orders)
    path = Path(orders)
    check_parquet_schema(path)
    return con.read_parquet(str(path), table_name="orders")


def check_parquet_schema(path: Path) -> None:
    """Fail early, naming the column, when a Parquet file lacks an order column."""
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as err:
        raise InputError(_("not a readable Parquet file (%(err)s)")
                         % {"err": err}, file=str(path)) from None
    for col in ORDER_COLUMNS:
        if col.name not in schema.names and not col.optional:
            raise InputError(_("missing column (required by the order table)"), file=str(path),
                             path=f"column {col.name}")
