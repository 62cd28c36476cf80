"""Impact over random histories: the candidate's side is exactly a replay under the candidate,
and folding only the components a change reaches gives the same report as folding them all."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhili.engine import replay
from zhili.impact import compare
from zhili.rules import load_pack

from ..engine.strategies import START, entangled_history, subjects

AS_OF = START + dt.timedelta(days=520)
PARAMS = st.sampled_from([
    {"rules.false_health_claim.deduct.credit": 8},
    {"rules.exaggerated_efficacy.deduct.credit": 0},
    {"rules.similar_trademark.holds.deposit.amount": 9000},
    {"rules.counterfeit.deduct.credit": 2, "rules.cs_response_timeout.deduct.credit": 6},
    {"bands.levels.band_8.upto": 10},
    {"recovery.cycle_days": 3},
    {"association.tiers[0].main.deduct.credit": 6},
])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=entangled_history(), people=subjects(), params=PARAMS)
def test_candidate_side_is_a_replay_and_reaching_is_exact(events, people, params):
    base, cand = load_pack("wechat_channels"), load_pack("wechat_channels", params)
    fast = compare(events, people, base, cand, AS_OF)
    whole = compare(events, people, base, cand, AS_OF, whole=True)
    assert fast.to_dict() == whole.to_dict()
    replayed = replay(events, cand, people)
    baseline = replay(events, base, people)
    changed = {d.subject: d for d in fast.subjects}
    for sid in replayed.subjects:
        cand_ids = {d.id: d for d in replayed.decisions(sid, AS_OF)}
        base_ids = {d.id: d for d in baseline.decisions(sid, AS_OF)}
        if sid not in changed:
            assert {k: (d.at, d.detail) for k, d in cand_ids.items()} == \
                   {k: (d.at, d.detail) for k, d in base_ids.items()}
            continue
        for x in changed[sid].decisions:
            if x.candidate is not None:
                assert cand_ids[x.candidate.id] == x.candidate
            else:
                assert x.base is not None and x.base.id not in cand_ids
            assert x.causes and {c.name for c in x.causes} <= set(params)


@settings(max_examples=20, deadline=None)
@given(events=entangled_history(), people=subjects())
def test_identical_candidate_differs_in_nothing(events, people):
    pack = load_pack("wechat_channels")
    result = compare(events, people, pack, load_pack("wechat_channels"), AS_OF)
    assert result.subjects == [] and result.summary.changed == 0 and result.refolded == 0
