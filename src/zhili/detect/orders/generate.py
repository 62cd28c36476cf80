"""Synthetic AliExpress order tables for demos and benchmarks, generated in DuckDB SQL.

Realistic enough to exercise every rule: store sizes follow a Zipf-like law; stores ship on
several lines (self-defined, Cainiao cross-border, Cainiao overseas-warehouse) and some from an
overseas country; a small share of (store, line) pairs and stores carry planted incidents (a
week of heavy NRD disputes, a burst of sold-not-shipped, a 3-day store-wide collapse). All
randomness is a hash of (seed, store, order, salt), so output is identical on any thread count.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from ...errors import InputError
from ...i18n import _

COUNTRIES = ("ES", "FR", "DE", "PL", "US")


def _u(salt: int, row: str = "sid, i") -> str:
    """A uniform [0, 1) draw for the current row: a hash of seed, store, order and salt."""
    return f"(hash($seed, {row}, {salt}) % 1000000000) / 1e9"


def generation_sql(stores: int, days: int, orders: int, seed: int, start: dt.date) -> str:
    countries = "[" + ", ".join(f"'{c}'" for c in COUNTRIES) + "]"
    return f"""
WITH weights AS (
  SELECT range AS sid, 1.0 / pow(range + 1, 1.1) AS w FROM range({stores})
), stores AS (
  SELECT sid, 'S' || lpad(sid::VARCHAR, 6, '0') AS store,
         greatest(1, round({orders} * w / sum(w) OVER ())::BIGINT) AS n,
         1 + hash($seed, sid, 1) % 3 AS n_lines,
         (hash($seed, sid, 2) % 100) < 30 AS overseas,
         list_extract({countries}, 1 + (hash($seed, sid, 3) % {len(COUNTRIES)})::INT) AS country,
         (hash($seed, sid, 4) % 1000) < 20 AS collapse,
         (hash($seed, sid, 5) % greatest({days} - 5, 1))::INT AS collapse_day
  FROM weights
), base AS (
  SELECT s.store, s.sid, i.i, s.country, s.collapse, s.collapse_day,
         s.overseas AND {_u(10, 's.sid, i.i')} < 0.35 AS abroad,
         floor({_u(11, 's.sid, i.i')} * {days} * 86400)::BIGINT AS sec,
         (hash($seed, s.sid, i.i, 12) % s.n_lines)::INT AS line_no
  FROM stores s, range(s.n) i(i)
), lined AS (
  SELECT *,
    CASE WHEN abroad THEN
           CASE WHEN line_no = 0 THEN 'CAINIAO-OW-' || country ELSE country || '-LOCAL-0' || line_no END
         ELSE
           CASE WHEN line_no = 0 THEN 'CAINIAO-STD' ELSE 'SELF-' || lpad((hash($seed, sid, line_no) % 40)::VARCHAR, 2, '0') END
    END AS line_code,
    sec // 86400 AS day
  FROM base
), flagged AS (
  SELECT *,
    (hash($seed, sid, line_no, 20) % 1000) < 30 AS line_incident,
    (hash($seed, sid, line_no, 21) % greatest({days} - 10, 1))::INT AS incident_day
  FROM lined
), drawn AS (
  SELECT *,
    0.015 + CASE WHEN line_incident AND day BETWEEN incident_day AND incident_day + 9 THEN 0.45 ELSE 0 END
          + CASE WHEN collapse AND day BETWEEN collapse_day AND collapse_day + 2 THEN 0.60 ELSE 0 END
      AS p_nrd,
    0.008 + CASE WHEN abroad AND line_incident AND day BETWEEN incident_day AND incident_day + 9
                 THEN 0.10 ELSE 0 END AS p_sns,
    {_u(30)} AS u_nrd, {_u(31)} AS u_sns, {_u(32)} AS u_track
  FROM flagged
)
SELECT
  store || '-' || i::VARCHAR AS order_id,
  store,
  TIMESTAMPTZ '{start.isoformat()} 00:00:00+08' + to_seconds(sec) AS placed_at,
  CASE WHEN u_sns < p_sns THEN NULL
       ELSE TIMESTAMPTZ '{start.isoformat()} 00:00:00+08' + to_seconds(sec + 3600 + hash($seed, sid, i, 40) % 172800)
  END AS ship_notice_at,
  CASE WHEN u_sns < p_sns THEN NULL ELSE line_code END AS line,
  line_code LIKE 'CAINIAO%' AS line_cainiao,
  line_code LIKE 'CAINIAO-OW%' AS line_cainiao_overseas_wh,
  line_code LIKE 'CAINIAO-OW%' AS buyer_line_cainiao_overseas_wh,
  CASE WHEN abroad THEN country ELSE 'CN' END AS ship_from,
  CASE WHEN u_sns >= p_sns AND u_nrd < p_nrd
       THEN TIMESTAMPTZ '{start.isoformat()} 00:00:00+08' + to_seconds(sec + 86400 * (2 + hash($seed, sid, i, 41) % 12))
  END AS nrd_at,
  CASE WHEN u_sns < p_sns
       THEN TIMESTAMPTZ '{start.isoformat()} 00:00:00+08' + to_seconds(sec + 86400 * (1 + hash($seed, sid, i, 42) % 4))
  END AS sold_not_shipped_at,
  (5 + (hash($seed, sid, i, 43) % 20000) / 100.0)::DECIMAL(18, 2) AS amount,
  CASE WHEN u_sns < p_sns THEN NULL
       WHEN u_track < 0.0005 THEN 'BAD#' || i::VARCHAR
       ELSE 'LP' || lpad((hash($seed, sid, i, 44) % 1000000000000)::VARCHAR, 12, '0') END AS tracking_no,
  false AS bonded,
  'B' || (hash($seed, sid, i, 45) % 100000000)::VARCHAR AS buyer,
  true AS line_assessed
FROM drawn
"""


def generate_orders(out: str | Path, *, stores: int, days: int, seed: int,
                    orders: int | None = None, start: dt.date = dt.date(2026, 1, 1),
                    threads: int | None = None) -> int:
    """Write ``orders`` synthetic orders (default: 40 per store per day) to ``out``
    (``.parquet`` or ``.csv``); returns the number of rows written."""
    if stores < 1 or days < 1:
        raise InputError(_("expected at least one store and one day"))
    path = Path(out)
    if path.suffix.lower() not in (".parquet", ".csv"):
        raise InputError(_("expected an output file ending in .parquet or .csv"), file=str(path))
    total = orders if orders is not None else 40 * stores * days
    fmt = "PARQUET, COMPRESSION zstd" if path.suffix.lower() == ".parquet" else "CSV, HEADER"
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    sql = generation_sql(stores, days, total, seed, start)
    con.execute(f"COPY ({sql}) TO '{path}' (FORMAT {fmt})", {"seed": seed})
    return int(con.execute(f"SELECT count(*) FROM '{path}'").fetchone()[0])  # type: ignore[index]
