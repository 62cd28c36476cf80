"""Shadows folded over a store: the same differences as replays compared by zhili.impact.diff,
at the instant asked and at every instant of the view over time; following the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from zhili.engine import Subject
from zhili.histories import parse_history, read_yaml
from zhili.impact import compare
from zhili.rules import load_pack
from zhili.shadow import Shadows
from zhili.shadow.service import instants
from zhili.store import StateService, open_store
from zhili.timekit import parse_instant

ROOT = Path(__file__).resolve().parents[2]
PACK = "wechat_channels"
END = parse_instant("2026-06-30 12:00")


@pytest.fixture
def loaded():
    raw = read_yaml(ROOT / "examples" / "history.yaml")
    raw.setdefault("pack", PACK)
    _, subjects, events = parse_history(raw, "history.yaml", "")
    store = open_store("memory://")
    for subject in subjects.values():
        store.put_subject(PACK, subject)
    early = [e for e in events if e.at <= END]
    StateService(store).ingest(early, pack=PACK)
    return store, subjects, [e for e in events if e.at > END]


def brute_force(store, subjects, params, at):
    """What zhili impact computes over the stored events: the summary and per-subject diffs."""
    found = compare(store.events(pack=PACK), subjects, load_pack(PACK), load_pack(PACK, params),
                    at, whole=True)
    return found.summary.to_dict(), {d.subject: d.to_dict() for d in found.subjects}


@pytest.mark.parametrize("params", [
    {"bands.fee_mode": "per_entry"},            # decides otherwise: subjects decided alike
    {"bands.levels.band_8.upto": 10},           # reads states otherwise: every subject is read
    {"scores.credit.start": 10},
])
def test_the_comparison_and_its_timeline_are_impacts_diff_at_every_instant(loaded, params):
    store, subjects, _ = loaded
    shadows = Shadows(store, lambda: END)
    shadows.add("s", PACK, {"params": params})
    found = shadows.compare("s", END, points=6)
    summary, diffs = brute_force(store, subjects, params, END)
    assert found.summary.to_dict() == summary
    assert {sid: d.to_dict() for sid, d in found.diffs.items()} == diffs
    # Month starts from March to June, then the instant asked.
    assert [p.at.month for p in found.timeline] == [3, 4, 5, 6, 6]
    assert found.timeline[-1].at == END
    for point in found.timeline:
        assert point.summary.to_dict() == brute_force(store, subjects, params, point.at)[0]


def test_an_identical_candidate_differs_in_nothing(loaded):
    store, _, _ = loaded
    shadows = Shadows(store, lambda: END)
    shadows.add("same", PACK, {"version": load_pack(PACK).version})
    found = shadows.compare("same", END)
    assert found.changes == [] and found.diffs == {} and found.summary.changed == 0
    assert all(p.summary.changed == 0 for p in found.timeline)


def test_a_subject_alone_is_what_the_whole_comparison_says_of_it(loaded):
    store, _, _ = loaded
    shadows = Shadows(store, lambda: END)
    shadows.add("s", PACK, {"params": {"bands.fee_mode": "per_entry"}})
    whole = shadows.compare("s", END)
    for sid, diff in whole.diffs.items():
        alone = Shadows(store, lambda: END).compare("s", END, subject=sid)
        assert alone.diffs[sid].to_dict() == diff.to_dict() and alone.timeline == []


def test_the_shadow_follows_what_is_stored_after_it_was_read(loaded):
    store, subjects, later = loaded
    shadows = Shadows(store, lambda: END)
    shadows.add("s", PACK, {"params": {"bands.fee_mode": "per_entry"}})
    before = shadows.compare("s", END)
    StateService(store).ingest(later, pack=PACK)  # another service, as another process would
    end = max(e.at for e in later)
    after = shadows.compare("s", end)
    assert after.seq > before.seq
    summary, diffs = brute_force(store, subjects, {"bands.fee_mode": "per_entry"}, end)
    assert after.summary.to_dict() == summary
    assert {sid: d.to_dict() for sid, d in after.diffs.items()} == diffs


def test_removing_a_shadow_drops_its_checkpoints_unless_another_folds_the_same(loaded):
    store, _, later = loaded
    shadows = Shadows(store, lambda: END)
    for sid in ("a", "b"):
        shadows.add(sid, PACK, {"params": {"bands.fee_mode": "per_entry"}})
    shadows.fold(shadows.get("a")).snapshot_every = 1  # checkpoint after any reading
    StateService(store, snapshot_every=1).ingest(later, pack=PACK)
    shadows.compare("a", END, points=0)
    live = {s for s in store.checkpoint_scopes() if "/shadow-" not in s}
    mine = [s for s in store.checkpoint_scopes() if "/shadow-" in s]
    assert mine and store.generation(mine[0]) > 0
    assert shadows.remove("a") and set(store.checkpoint_scopes()) >= set(mine)  # b folds it
    assert shadows.remove("b") and not shadows.remove("b")
    assert not [s for s in store.checkpoint_scopes() if "/shadow-" in s]
    assert live and live == set(store.checkpoint_scopes())  # the live rules' own are kept


@pytest.mark.parametrize(("first", "as_of", "points", "expected"), [
    ("2026-06-01 10:00", "2026-06-05 12:00", 12,
     ["06-02", "06-03", "06-04", "06-05", "06-05 12:00"]),
    ("2026-05-01 10:00", "2026-06-30 12:00", 12,  # weeks: Mondays
     ["05-04", "05-11", "05-18", "05-25", "06-01", "06-08", "06-15", "06-22", "06-29",
      "06-30 12:00"]),
    ("2025-01-15 10:00", "2026-06-30 12:00", 6,  # 18 months: every third month
     ["2025-04", "2025-07", "2025-10", "2026-01", "2026-04", "06-30 12:00"]),
])
def test_the_view_over_time_is_read_at_calendar_boundaries(first, as_of, points, expected):
    found = instants(parse_instant(first), parse_instant(as_of), points, "Asia/Shanghai")
    shown = [t.strftime("%m-%d %H:%M") if t.minute or t.hour else
             (t.strftime("%Y-%m") if len(expected[0]) == 7 else t.strftime("%m-%d"))
             for t in found]
    assert shown == expected
    assert len(found) <= points + 1
    later = instants(parse_instant(first), parse_instant(as_of) + dt.timedelta(hours=1), points,
                     "Asia/Shanghai")
    assert later[:-1] == found[:-1]  # the boundaries stay where they are as time moves on


def test_a_later_reading_reuses_the_subjects_nothing_happened_to(loaded):
    store, subjects, later = loaded
    shadows = Shadows(store, lambda: END)
    shadows.add("s", PACK, {"params": {"bands.fee_mode": "per_entry"}})
    shadows.compare("s", END)
    StateService(store).ingest(later[:3], pack=PACK)
    end = max(e.at for e in later[:3])
    again = shadows.compare("s", end)
    for point in again.timeline:
        summary, _ = brute_force(store, subjects, {"bands.fee_mode": "per_entry"}, point.at)
        assert point.summary.to_dict() == summary


def test_a_subject_whose_attributes_change_is_compared_afresh(loaded):
    store, subjects, _ = loaded
    shadows = Shadows(store, lambda: END)
    shadows.add("s", PACK, {"params": {"bands.fee_mode": "per_entry"}})
    before = shadows.compare("s", END)
    richer = Subject.from_mapping("zhao_snacks", {"kind": "creator", "deposit": 50000,
                                                  "categories": ["food"]})
    store.put_subject(PACK, richer)  # no event stored: the same seq, other folds
    after = shadows.compare("s", END)
    summary, diffs = brute_force(store, {**subjects, "zhao_snacks": richer},
                                 {"bands.fee_mode": "per_entry"}, END)
    assert after.seq == before.seq and after.summary.to_dict() == summary
    assert {sid: d.to_dict() for sid, d in after.diffs.items()} == diffs
    assert after.summary.to_dict() != before.summary.to_dict()
