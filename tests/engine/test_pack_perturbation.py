"""A seeded sample of the pack perturbation check (tools/perturb_packs.py): moving any number of
a pack one step must make at least one of that pack's scenario cases fail. The whole check runs
on demand: `python tools/perturb_packs.py`. ZHILI_PERTURB_SEED picks another sample."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from zhili.rules import available_packs, load_pack

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = 3  # perturbations per pack


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("perturb_packs",
                                                  ROOT / "tools" / "perturb_packs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


perturb = _tool()


@pytest.mark.parametrize("code", available_packs())
def test_a_sample_of_perturbed_numbers_is_noticed_by_the_packs_cases(code: str) -> None:
    seed = int(os.environ.get("ZHILI_PERTURB_SEED", "11"))
    outcomes = list(perturb.check_pack(code, sample=SAMPLE, seed=seed))
    assert outcomes, f"{code}: nothing to perturb"
    survivors = [f"{o.param}: {o.original!r} -> {o.perturbed!r}" for o in outcomes if o.survived]
    assert not survivors, f"{code}: no scenario case noticed {survivors}"


def test_the_known_list_names_real_parameters_with_reasons() -> None:
    for (code, param), (_, why) in perturb.load_known().items():
        assert param in load_pack(code).params, f"{code}: no parameter {param}"
        assert why.split(":", 1)[1].strip(), f"{code} {param}: no reason given"


def test_perturbations_step_each_kind_of_number() -> None:
    assert perturb.perturbations(7) == [8, 6]
    assert perturb.perturbations(0) == [1]
    assert perturb.perturbations(0.05) == [0.06, 0.04]
    assert perturb.perturbations("2025-12-01 00:00") == ["2025-12-02 00:00", "2025-11-30 00:00"]
    assert perturb.perturbations("cumulative") == []
