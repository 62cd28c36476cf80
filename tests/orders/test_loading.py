import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from zhili.detect.orders import load_orders
from zhili.detect.orders.columns import ORDER_SCHEMA
from zhili.errors import InputError

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")

HEADER = ("order_id,store,placed_at,ship_notice_at,line,line_cainiao,line_cainiao_overseas_wh,"
          "buyer_line_cainiao_overseas_wh,ship_from,nrd_at,sold_not_shipped_at,amount,"
          "tracking_no,bonded")
GOOD = "o1,s1,2026-03-01 10:00,2026-03-02 10:00:30,LINE-A,FALSE,false,false,CN,,,12.5,LP1234567,false"


def write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "orders.csv"
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def test_csv_loads_with_local_times_and_defaults(tmp_path):
    t = load_orders(write(tmp_path, GOOD,
                          "o2,s1,2026-03-01T10:00:00+00:00,,,false,false,false,ES,,"
                          "2026-03-04 09:00,3,,TRUE"))
    assert t.schema == ORDER_SCHEMA
    rows = t.to_pylist()
    assert rows[0]["placed_at"] == dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)
    assert rows[1]["placed_at"] == dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
    assert rows[0]["line_assessed"] is True and rows[0]["buyer"] is None
    assert rows[1]["bonded"] is True and rows[1]["ship_notice_at"] is None


@pytest.mark.parametrize("bad, where, what", [
    (GOOD.replace("2026-03-01 10:00", "yesterday"), "row 2, column placed_at", "date-time"),
    (GOOD.replace("FALSE", "maybe"), "row 2, column line_cainiao", "true or false"),
    (GOOD.replace("12.5", "-1"), "row 2, column amount", "non-negative"),
    (GOOD.replace("o1,s1", "o1,"), "row 2, column store", "may not be empty"),
    (GOOD.replace(",,,12.5", ",2026-02-01 00:00,,12.5"), "row 2, column nrd_at",
     "before placed_at"),
    (GOOD, "row 2, column order_id", "duplicate"),
])
def test_csv_errors_name_file_row_and_column(tmp_path, bad, where, what):
    path = write(tmp_path, GOOD.replace("o1", "o0"), bad)
    if what == "duplicate":
        path = write(tmp_path, GOOD, bad)
    with pytest.raises(InputError) as err:
        load_orders(path)
    assert err.value.file == str(path)
    assert err.value.path == where
    assert what in err.value.message


def test_missing_and_unknown_columns(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("order_id,store\no1,s1\n")
    with pytest.raises(InputError, match="column placed_at: missing column"):
        load_orders(path)
    path.write_text(HEADER + ",colour\n" + GOOD + ",red\n")
    with pytest.raises(InputError, match="column colour: unknown column"):
        load_orders(path)


def test_scenario_rows_name_the_entry():
    rows = [{"order_id": "o1", "store": "s1", "placed_at": "2026-03-01 10:00",
             "line_cainiao": False, "line_cainiao_overseas_wh": False,
             "buyer_line_cainiao_overseas_wh": False, "ship_from": "CN", "amount": 1,
             "bonded": "no"}]
    with pytest.raises(InputError) as err:
        load_orders(rows, file="case.yaml")
    assert err.value.path == "orders[0].bonded"
    assert err.value.file == "case.yaml"


def test_parquet_round_trip(tmp_path):
    t = load_orders(write(tmp_path, GOOD))
    pq.write_table(t, tmp_path / "o.parquet")
    assert load_orders(tmp_path / "o.parquet").equals(t)


def test_parquet_read_by_the_backend_still_names_the_bad_row(tmp_path):
    import pyarrow as pa

    from zhili.detect.orders import violations_from_orders

    t = load_orders(write(tmp_path, GOOD, GOOD.replace("o1", "o2")))
    field = t.schema.field("nrd_at")
    early = pa.array([None, dt.datetime(2026, 2, 1, tzinfo=dt.UTC)], field.type)
    bad = t.set_column(t.schema.get_field_index("nrd_at"), field, early)
    pq.write_table(bad, tmp_path / "bad.parquet")
    with pytest.raises(InputError) as err:
        violations_from_orders(tmp_path / "bad.parquet", "aliexpress", until="2026-04-01")
    assert err.value.path == "row 2, column nrd_at"
