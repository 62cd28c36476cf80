"""Incremental assessment (``--state``): the same violations as a full assessment of the merged
table, after any split of a history into daily changes; and clear refusals of what it cannot
assess."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhili.detect.orders import assess_orders
from zhili.detect.orders.incremental import assess_incrementally
from zhili.errors import InputError
from zhili.events import ExemptionDeclared, event_to_dict
from zhili.i18n import use_language
from zhili.rules import load_pack

from .orderrows import START, order, table
from .snapshots import changes, snapshot

TZ = dt.timezone(dt.timedelta(hours=8))
DAYS = 400
# (line, ship_from, cainiao, overseas-warehouse line in the notice, buyer chose one)
KINDS = {"self": ("LINE-A", "CN", False, False, False),
         "cainiao": ("CAINIAO-STD", "CN", True, False, False),
         "local_es": ("ES-LOCAL-01", "ES", False, False, False),
         "ow_notice": ("CAINIAO-OW-ES", "ES", True, True, False),
         "ow_buyer": ("CAINIAO-OW-ES", "ES", True, True, True)}


@pytest.fixture(autouse=True)
def english():
    """The refusals are matched in English (the msgids); zh-CN is the default."""
    with use_language("en"):
        yield


def midnight(day: int) -> dt.datetime:
    return dt.datetime.combine(START.date() + dt.timedelta(days=day), dt.time(), TZ)


def history(batches, bursts):
    rows = []
    for b, (store, day, n, bad, lag, notice, kind, sns) in enumerate(batches):
        line, ship_from, cainiao, ow, buyer_ow = KINDS[kind]
        for i in range(n):
            placed = START + dt.timedelta(days=day)
            late = i < bad
            rows.append(order(
                f"b{b}-{i}", store, day, line=line, ship_from=ship_from, cainiao=cainiao,
                overseas_wh=ow, buyer_ow=buyer_ow,
                nrd_after=lag if late and not sns else None,
                sns_after=lag if late and sns else None,
                ship_notice_at=None if late and sns else placed + dt.timedelta(days=notice,
                                                                                 hours=5)))
    for k, (store, day) in enumerate(bursts):     # a line freeze each: escalation
        rows += [order(f"x{k}-{i}", store, day, nrd_after=1 if i < 12 else None)
                 for i in range(100)]
    return table(rows)


def compare(full_table, splits, events=(), keep_days=None, state=None):
    before = None
    for day in splits:
        at = midnight(day)
        now = snapshot(full_table, at)
        inc = assess_incrementally(changes(before, now), "aliexpress", state=state, until=at,
                                   events=events, keep_days=keep_days)
        full = assess_orders(full_table, "aliexpress", until=at, events=events)
        assert [event_to_dict(v) for v in inc.violations] == \
            [event_to_dict(v) for v in full.violations]
        before = now
    return inc


batch = st.tuples(st.sampled_from(["s1", "s2"]), st.integers(0, DAYS - 1), st.integers(1, 30),
                  st.integers(0, 30), st.integers(0, 40), st.integers(0, 3),
                  st.sampled_from(sorted(KINDS)), st.booleans())
exemption = st.tuples(st.integers(0, DAYS), st.integers(0, 5), st.integers(1, 6),
                      st.sampled_from(["all", "LINE-A", "ES"]))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(batch, min_size=1, max_size=10),
       st.lists(st.tuples(st.sampled_from(["s1", "s2"]), st.integers(0, DAYS - 1)), max_size=5),
       st.lists(exemption, max_size=1),
       st.lists(st.integers(10, DAYS + 20), min_size=1, max_size=5, unique=True))
def test_daily_changes_give_the_full_assessment(tmp_path_factory, batches, bursts, exempts,
                                                splits):
    """Random histories (late disputes and notices, Cainiao overseas-warehouse exclusions,
    sold-not-shipped closings, exemptions, bursts that freeze a line up to permanently across
    the 365-day window), split into random runs: every run equals the full assessment."""
    events = []
    for k, (declared, offset, days, scope) in enumerate(exempts):
        at = START + dt.timedelta(days=declared)
        events.append(ExemptionDeclared(
            id=f"ex{k}", at=at.replace(tzinfo=TZ), subject=None, scope=scope,
            start=midnight(declared + offset + 1), end=midnight(declared + offset + 1 + days)))
    state = tmp_path_factory.mktemp("state") / "orders.duckdb"
    compare(history(batches, bursts), sorted(splits), events, state=state)


def test_a_fourth_freeze_in_365_days_is_permanent_across_runs(tmp_path):
    rows = history([], [("s1", d) for d in (0, 40, 80, 120, 500)])
    inc = compare(rows, [20, 60, 100, 140, 300, 520], state=tmp_path / "s.duckdb")
    assert [v.id.rsplit(":", 1)[1] for v in inc.violations] == \
        ["2026-03-02", "2026-04-11", "2026-05-21", "2026-06-30"]


def test_changes_dated_before_the_state_are_refused(tmp_path):
    state = tmp_path / "s.duckdb"
    rows = [order(f"o{i}", "s1", 0) for i in range(5)]
    assess_incrementally(table(rows), "aliexpress", state=state, until=midnight(3))
    size = state.stat().st_size
    late = [order("o0", "s1", 0, nrd_after=1)]            # a dispute of day 1, told on day 4
    with pytest.raises(InputError, match="o0: its NRD dispute changed on a day the state has "
                                         "assessed"):
        assess_incrementally(table(late), "aliexpress", state=state, until=midnight(4))
    new = [order("o9", "s1", 2)]
    with pytest.raises(InputError, match="o9 placed on 2026-03-03 is new to the state"):
        assess_incrementally(table(new), "aliexpress", state=state, until=midnight(4))
    with pytest.raises(InputError, match="--as-of must reach a later day"):
        assess_incrementally(table([]), "aliexpress", state=state, until=midnight(3))
    assert state.stat().st_size == size
    ok = [order("o0", "s1", 0, nrd_after=3)]              # a dispute of day 3: after the state
    assess_incrementally(table(ok), "aliexpress", state=state, until=midnight(4))


def test_rows_older_than_the_kept_days_are_refused(tmp_path):
    state = tmp_path / "s.duckdb"
    rows = [order(f"o{i}", "s1", 0) for i in range(5)]
    assess_incrementally(table(rows), "aliexpress", state=state, until=midnight(40),
                         keep_days=30)
    old = [order("o1", "s1", 0, nrd_after=45)]
    with pytest.raises(InputError, match="o1 was placed on 2026-03-01, before the state's "
                                         "window"):
        assess_incrementally(table(old), "aliexpress", state=state, until=midnight(50))
    with pytest.raises(InputError, match="keeps 30 days"):
        assess_incrementally(table([]), "aliexpress", state=state, until=midnight(50),
                             keep_days=60)


def test_a_state_of_another_pack_version_is_refused(tmp_path):
    state = tmp_path / "s.duckdb"
    assess_incrementally(table([order("o1", "s1", 0)]), "aliexpress", state=state,
                         until=midnight(3))
    changed = load_pack("aliexpress", {"detectors.line_nrd_rate.min_count": 11})
    with pytest.raises(InputError, match="another version or other parameters"):
        assess_incrementally(table([]), changed, state=state, until=midnight(4))
    with pytest.raises(InputError, match="other order rules"):
        assess_incrementally(table([]), "tmall_global", state=state, until=midnight(4))


def test_exemptions_that_would_rewrite_the_past_are_refused(tmp_path):
    state = tmp_path / "s.duckdb"
    rows = table([order(f"o{i}", "s1", 0) for i in range(5)])
    ahead = ExemptionDeclared(id="ahead", at=midnight(1), subject=None, scope="all",
                              start=midnight(8), end=midnight(9))
    assess_incrementally(rows, "aliexpress", state=state, until=midnight(5), events=[ahead])
    late = ExemptionDeclared(id="late", at=midnight(5) + dt.timedelta(hours=1), subject=None,
                             scope="all", start=midnight(2), end=midnight(3))
    with pytest.raises(InputError, match="exemption late starts 2026-03-03T00:00:00"):
        assess_incrementally(table([]), "aliexpress", state=state, until=midnight(6),
                             events=[ahead, late])
    with pytest.raises(InputError, match="exemption ahead was applied by the state"):
        assess_incrementally(table([]), "aliexpress", state=state, until=midnight(6))


def test_a_parquet_file_of_changes_is_checked_like_any_table(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = table([order("o1", "s1", 0), order("o2", "s1", 0)])
    twice = tmp_path / "twice.parquet"
    pq.write_table(pa.concat_tables([rows, rows.slice(0, 1)]), twice)
    state = tmp_path / "s.duckdb"
    with pytest.raises(InputError, match="duplicate order_id 'o1'"):
        assess_incrementally(twice, "aliexpress", state=state, until=midnight(3))
    assert not state.exists()                       # a failed first run leaves no file


def test_a_state_of_another_format_is_refused(tmp_path):
    import duckdb

    state = tmp_path / "s.duckdb"
    assess_incrementally(table([order("o1", "s1", 0)]), "aliexpress", state=state,
                         until=midnight(3))
    with duckdb.connect(str(state)) as con:      # as a state written before orders were keyed
        con.execute("UPDATE meta SET value = '1' WHERE key = 'format'")    # by their MD5
    with pytest.raises(InputError, match="state format '1'; this version reads '2'"):
        assess_incrementally(table([]), "aliexpress", state=state, until=midnight(4))


def test_a_freeze_floor_outlives_runs_in_which_its_scope_has_no_orders(tmp_path):
    """A line frozen, then without orders in the window for a run, then hit again: the second
    violation's window starts at the first freeze's end, as in a full assessment."""
    rows = history([], [("s2", 83), ("s2", 126)])
    inc = compare(rows, [10, 115, 123, 239], state=tmp_path / "s.duckdb")
    assert inc.violations[-1].evidence["window"]["start"] > "2026-06-07"
