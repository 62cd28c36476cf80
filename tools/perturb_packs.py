"""Perturb the numbers of the rule packs and check that each pack's scenario cases notice.

Every number a pack holds (a deduction, a fee, a duration, a threshold, a rate, a window, an
effective date) is a parameter with a dotted name. For each one this moves the value one step
each way (an integer by 1, a rate by 0.01, another number by 1%, a date by one day) through the
same `params:` overrides a what-if scenario uses, runs the pack's own scenario cases, and
records the first case that fails. A perturbation no case notices is a *survivor*: a number
the cases do not pin down.

    python tools/perturb_packs.py                     # every number of every pack, both ways
    python tools/perturb_packs.py --pack aliexpress   # one pack
    python tools/perturb_packs.py --sample 3 --seed 7 # three numbers per pack, chosen by seed

Perturbations listed in ``tools/perturb_known.yaml`` — equivalent ones (no outcome can differ)
and ones no scenario case can reach yet — are reported apart, with the reason, and not sampled.
Exit status 1 when anything else survived. The test suite runs a seeded sample of it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from zhili.rules import available_packs, load_pack, pack_dir
from zhili.scenario import Case, load_cases, run_case, scenario_files

KNOWN_FILE = Path(__file__).with_name("perturb_known.yaml")


def load_known() -> dict[tuple[str, str], tuple[Any, str]]:
    """(pack, parameter) -> (the perturbed value concerned, None for every one; why it is not
    expected to be noticed)."""
    doc = yaml.safe_load(KNOWN_FILE.read_text(encoding="utf-8")) if KNOWN_FILE.is_file() else []
    return {(str(e["pack"]), str(e["param"])): (e.get("to"), f"{e['kind']}: {e['why']}")
            for e in doc or []}


def _is_known(known: dict[tuple[str, str], tuple[Any, str]], code: str, param: str,
              value: Any) -> bool:
    entry = known.get((code, param))
    return entry is not None and (entry[0] is None or entry[0] == value)


@dataclass(frozen=True)
class Outcome:
    pack: str
    param: str
    original: Any
    perturbed: Any
    killed_by: str | None  # the first case that failed; None: survived

    @property
    def survived(self) -> bool:
        return self.killed_by is None


def _shift_date(value: str, days: int) -> str | None:
    text = value.strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return (parsed + dt.timedelta(days=days)).strftime(fmt)
    return None


def perturbations(value: Any) -> list[Any]:
    """The values one step either side of ``value`` (none for a name or a mode)."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [v for v in (value + 1, value - 1) if v >= 0]
    if isinstance(value, float):
        step = 0.01 if 0 < value < 1 else abs(value) * 0.01 or 0.01
        return [round(v, 6) for v in (value + step, value - step) if v >= 0]
    if isinstance(value, str):
        return [v for v in (_shift_date(value, 1), _shift_date(value, -1)) if v is not None]
    return []


def pack_cases(code: str) -> list[Case]:
    folder = pack_dir(code) / "tests"
    return [c for f in scenario_files([str(folder)]) for c in load_cases(f)]


def _killer(code: str, param: str, value: Any, cases: Sequence[Case]) -> str | None:
    for case in cases:
        own = dict(case.pack.overrides)
        if param in own:
            continue  # the case sets this number itself
        try:
            pack = load_pack(code, {**own, param: value})
        except Exception as err:  # the pack refuses the value: noticed, not silently used
            return f"(pack refused it: {err})"
        try:
            if not run_case(replace(case, pack=pack)).passed:
                return case.name
        except Exception as err:  # an error while folding is noticed too
            return f"{case.name} (error: {type(err).__name__})"
    return None


def check_pack(code: str, sample: int | None = None, seed: int = 0,
               only: Sequence[str] = ()) -> Iterator[Outcome]:
    pack = load_pack(code)
    cases = pack_cases(code)
    known = load_known()
    params = sorted(p for p in pack.params if not only or any(o in p for o in only))
    trials = [(name, v) for name in params for v in perturbations(pack.params[name].value)
              if not _is_known(known, code, name, v)]
    if sample is not None:
        trials = random.Random(f"{seed}:{code}").sample(trials, min(sample, len(trials)))
    for name, value in trials:
        yield Outcome(code, name, pack.params[name].value, value,
                      _killer(code, name, value, cases))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pack", action="append", help="pack code (repeatable; default: all)")
    parser.add_argument("--sample", type=int, help="perturbations per pack, chosen by --seed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", action="append", default=[],
                        help="only parameters whose name contains this (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="list the killed ones too")
    args = parser.parse_args(argv)
    survivors = 0
    for code in args.pack or available_packs():
        outcomes = list(check_pack(code, args.sample, args.seed, args.only))
        dead = sum(not o.survived for o in outcomes)
        print(f"{code}: {dead} of {len(outcomes)} perturbations noticed")
        for o in outcomes:
            if o.survived or args.verbose:
                mark = "SURVIVED" if o.survived else f"killed by: {o.killed_by}"
                print(f"  {o.param}: {o.original!r} -> {o.perturbed!r}  {mark}")
        survivors += sum(o.survived for o in outcomes)
        for (pack, param), (to, why) in sorted(load_known().items(), key=lambda kv: kv[0]):
            if pack == code and (not args.only or any(o in param for o in args.only)):
                what = f" -> {to!r}" if to is not None else ""
                print(f"  {param}{what}: not perturbed ({why})")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    sys.exit(main())
