"""Every pack: every rule has a scenario case, every number has provenance, every case passes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from zhili.rules import available_packs, load_pack, number_in_quote, pack_dir
from zhili.scenario import load_cases, run_case

PACKS = available_packs()
SCENARIO_FILES = [f for code in PACKS for f in sorted((pack_dir(code) / "tests").glob("*.yaml"))]


def _raw_cases(code: str) -> list[dict]:
    cases = []
    for path in sorted((pack_dir(code) / "tests").glob("*.yaml")):
        cases += yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return cases


def test_the_channels_pack_is_shipped() -> None:
    assert "wechat_channels" in PACKS


@pytest.mark.parametrize("code", PACKS)
def test_every_rule_has_a_scenario_case(code: str) -> None:
    pack = load_pack(code)
    determined = {d.event_type: d.rule for d in pack.determinations}
    exercised: set[str] = set()
    for case in _raw_cases(code):
        if case.get("pack") != code:
            continue
        for event in case.get("events") or []:
            if event.get("type") == "violation":
                exercised.add(event.get("code"))
            elif event.get("type") in determined:
                exercised.add(determined[event["type"]])
        for event in case.get("expect") or []:
            exercised.update(str(v) for v in event.get("violations") or [])
    missing = sorted(set(pack.rules) - exercised)
    assert not missing, f"{code}: rules without a scenario case: {missing}"


@pytest.mark.parametrize("code", PACKS)
def test_every_value_has_provenance_and_sourced_numbers_are_in_their_quote(code: str) -> None:
    pack = load_pack(code)
    assert pack.params, f"{code} has no parameters"
    for name, param in pack.params.items():
        prov = param.provenance
        assert prov.assumption or (prov.title and prov.date and prov.quote), f"{code}: {name} lacks provenance"
        if prov.quote:
            for value in param.values:
                assert number_in_quote(value, prov.quote), (
                    f"{code}: {name} = {value} is not in its quote 「{prov.quote}」; "
                    "quote the sentence it comes from, or mark it an assumption")


@pytest.mark.parametrize("code", PACKS)
def test_every_assumption_says_why(code: str) -> None:
    for name, param in load_pack(code).params.items():
        if param.provenance.assumption is not None:
            assert len(param.provenance.assumption) >= 15, f"{code}: {name}: say why"


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_scenario_file_passes(path: Path) -> None:
    failures = []
    for case in load_cases(path):
        result = run_case(case)
        failures += [f"{case.name}\n{f.describe()}" for f in result.failures]
    assert not failures, "\n".join(failures)
